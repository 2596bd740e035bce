"""The read cache hands out the value it decoded last while the cache answers with the same bytes:
decoded once, a new value after a write, and a bounded number of them kept."""

from __future__ import annotations

import pytest

from vibe.adapters.memory import InMemoryCache
from vibe.application import read_cache
from vibe.application.read_cache import ReadCache


class Decoder:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, raw: bytes) -> list[str]:
        self.calls += 1
        return raw.decode().split(",")


def encode(value: list[str]) -> bytes:
    return ",".join(value).encode()


async def test_a_value_is_decoded_once_while_its_bytes_are_cached() -> None:
    decode = Decoder()
    store = InMemoryCache()
    cache = ReadCache(store, "t", encode, decode)
    value = ["a", "b"]

    async def load() -> list[str]:
        return value

    first = await cache.get("k", load)  # loaded, stored as bytes, and kept as loaded
    again = [await cache.get("k", load) for _ in range(5)]
    assert decode.calls == 0
    assert all(other is first for other in again)
    assert first == ["a", "b"]
    other_process = ReadCache(store, "t", encode, decode)  # reads the bytes this one stored
    seen = [await other_process.get("k", load) for _ in range(5)]
    assert decode.calls == 1
    assert all(other is seen[0] for other in seen)
    assert seen[0] == ["a", "b"]


async def test_a_write_brings_a_freshly_decoded_value() -> None:
    decode = Decoder()
    store = InMemoryCache()
    cache = ReadCache(store, "t", encode, decode)
    current = ["old"]

    async def load() -> list[str]:
        return current

    await cache.get("k", load)
    assert await cache.get("k", load) == ["old"]
    await cache.invalidate("k")
    current = ["new"]
    assert await cache.get("k", load) == ["new"]
    await store.set("t:k", b"other,process", 60)  # another process stored a newer value
    assert await cache.get("k", load) == ["other", "process"]


async def test_the_decoded_values_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_cache, "DECODED_KEPT", 4)
    cache = ReadCache(InMemoryCache(), "t", encode, Decoder())
    for index in range(10):
        key = f"k{index}"

        async def load(key: str = key) -> list[str]:
            return [key]

        await cache.get(key, load)
        assert await cache.get(key, load) == [key]
    assert len(cache._decoded) == 4
