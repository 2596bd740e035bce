"""The read-through cache: one load for many concurrent misses, absent things cached briefly, a load
that raced a write not stored, TTL jitter."""

from __future__ import annotations

import asyncio

import pytest

from vibe.adapters.memory import InMemoryCache
from vibe.application import read_cache
from vibe.application.read_cache import ReadCache


class Source:
    def __init__(self, value: str | None) -> None:
        self.value = value
        self.loads = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def load(self) -> str | None:
        """The value as the database had it when the read began."""
        self.loads += 1
        value = self.value
        await self.gate.wait()
        return value


def cache_over(store: InMemoryCache, **options: float) -> ReadCache[str]:
    return ReadCache(store, "t", str.encode, bytes.decode, **options)  # type: ignore[arg-type]


async def test_100_concurrent_misses_of_one_key_cost_one_load() -> None:
    source = Source("ada")
    source.gate.clear()
    cache = cache_over(InMemoryCache())
    readers = [asyncio.create_task(cache.get("k", source.load)) for _ in range(100)]
    await asyncio.sleep(0.01)
    source.gate.set()
    assert await asyncio.gather(*readers) == ["ada"] * 100
    assert source.loads == 1
    assert await cache.get("k", source.load) == "ada"
    assert source.loads == 1


async def test_a_failed_load_fails_every_waiter_and_is_not_cached() -> None:
    cache = cache_over(InMemoryCache())

    async def broken() -> str | None:
        await asyncio.sleep(0.01)
        raise RuntimeError("database down")

    results = await asyncio.gather(*(cache.get("k", broken) for _ in range(10)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await cache.get("k", Source("back").load) == "back"


async def test_absent_things_are_cached_briefly() -> None:
    now = [0.0]
    source = Source(None)
    cache = cache_over(InMemoryCache(now=lambda: now[0]), absent_ttl_seconds=5, jitter=0)
    assert await cache.get("ghost", source.load) is None
    assert await cache.get("ghost", source.load) is None
    assert source.loads == 1
    now[0] = 6
    assert await cache.get("ghost", source.load) is None
    assert source.loads == 2


async def test_invalidation_and_a_load_that_raced_a_write() -> None:
    store = InMemoryCache()
    source = Source("old")
    cache = cache_over(store)
    assert await cache.get("k", source.load) == "old"
    source.value = "new"
    await cache.invalidate("k")
    assert await cache.get("k", source.load) == "new"
    source.value, source.gate = "stale", asyncio.Event()
    await cache.invalidate("k")
    racing = asyncio.create_task(cache.get("k", source.load))  # reads before the write lands...
    await asyncio.sleep(0.01)
    source.value = "fresh"
    await cache.invalidate("k")  # ...and the write's invalidation comes while it loads
    source.gate.set()
    assert await racing == "stale"
    assert await store.get("t:k") is None  # the stale answer was not kept
    assert await cache.get("k", source.load) == "fresh"


@pytest.mark.parametrize("draw", [0.0, 0.5, 1.0])
async def test_ttls_carry_jitter(draw: float) -> None:
    now = [0.0]
    store = InMemoryCache(now=lambda: now[0])
    cache = ReadCache(store, "t", str.encode, bytes.decode, ttl_seconds=100, jitter=0.1, rng=lambda: draw)
    await cache.get("k", Source("v").load)
    lifetime = 90 + 20 * draw
    now[0] = lifetime - 0.01
    assert await store.get("t:k") == b"v"
    now[0] = lifetime + 0.01
    assert await store.get("t:k") is None


async def test_a_hot_entry_is_refreshed_by_one_read_while_the_others_get_it_at_once() -> None:
    """Past REFRESH_AT of its TTL, the next read loads the entry again; reads meanwhile are answered
    from the cache without waiting for that load, and the TTL still bounds what is served."""
    now = [0.0]
    store = InMemoryCache(now=lambda: now[0])
    source = Source("v1")
    cache = ReadCache(store, "t", str.encode, bytes.decode, ttl_seconds=100, jitter=0, now=lambda: now[0])
    assert await cache.get("k", source.load) == "v1"
    now[0] = 100 * read_cache.REFRESH_AT - 1  # not yet: no load
    source.value = "v2"
    assert await cache.get("k", source.load) == "v1"
    assert source.loads == 1
    now[0] = 100 * read_cache.REFRESH_AT + 1  # due: one read refreshes it...
    source.gate.clear()
    refreshing = asyncio.create_task(cache.get("k", source.load))
    await asyncio.sleep(0)
    others = await asyncio.wait_for(asyncio.gather(*(cache.get("k", source.load) for _ in range(50))), 1)
    assert others == ["v1"] * 50  # ...and the others do not wait for it
    source.gate.set()
    assert await refreshing == "v2"
    assert source.loads == 2
    assert await cache.get("k", source.load) == "v2"
    now[0] += 100 * read_cache.REFRESH_AT - 2  # the refreshed entry lives its own TTL
    assert await cache.get("k", source.load) == "v2"
    assert source.loads == 2


async def test_an_entry_nobody_read_in_time_expires_as_before() -> None:
    now = [0.0]
    store = InMemoryCache(now=lambda: now[0])
    source = Source("v1")
    cache = ReadCache(store, "t", str.encode, bytes.decode, ttl_seconds=100, jitter=0, now=lambda: now[0])
    assert await cache.get("k", source.load) == "v1"
    source.value, now[0] = "v2", 101  # past the TTL: a miss, loaded before anyone is answered
    source.gate.clear()
    readers = [asyncio.create_task(cache.get("k", source.load)) for _ in range(5)]
    await asyncio.sleep(0.01)
    assert not any(reader.done() for reader in readers)
    source.gate.set()
    assert await asyncio.gather(*readers) == ["v2"] * 5
    assert source.loads == 2


async def test_a_read_after_a_write_does_not_join_a_load_begun_before_it() -> None:
    source = Source("old")
    source.gate.clear()
    cache = cache_over(InMemoryCache())
    before = asyncio.create_task(cache.get("k", source.load))  # reads "old", then waits
    await asyncio.sleep(0)
    source.value = "new"
    await cache.invalidate("k")  # the write lands while that load is under way
    after = asyncio.create_task(cache.get("k", source.load))
    await asyncio.sleep(0)
    source.gate.set()
    assert await after == "new"
    assert await before == "old"  # it read before the write: its own answer, not stored
    assert await cache.get("k", source.load) == "new"
