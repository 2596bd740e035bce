"""A read-through cache for the hot reads (the user behind a token, project metadata).

Misses of one key at once cost one load (singleflight); absent things are cached briefly too (negative
caching), so probing unknown ids does not reach the database each time; TTLs carry jitter, so entries
made together do not expire together. Writes invalidate. A load that raced a write does not store its
(stale) result in this process; across processes, the short TTLs bound staleness (see README).

The last value decoded for each key is kept beside the bytes it came from, and handed out again while
the cache answers with those same bytes: the user behind every request, or a page of 20 projects, is
not decoded again on every read. Values are frozen Structs, shared by every caller that reads them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from vibe.domain.ports import Cache

__all__ = ["NoCache", "ReadCache"]

T = TypeVar("T")
_ABSENT = b"\x00absent"
DECODED_KEPT = 1024  # decoded values kept per ReadCache


class NoCache(Cache):
    """Caches nothing: every read goes to the database (for services built without a cache)."""

    async def get(self, key: str) -> bytes | None:
        return None

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        return None

    async def delete(self, *keys: str) -> None:
        return None


class ReadCache(Generic[T]):
    def __init__(
        self,
        cache: Cache,
        namespace: str,
        encode: Callable[[T], bytes],
        decode: Callable[[bytes], T],
        *,
        ttl_seconds: float = 60.0,
        absent_ttl_seconds: float = 5.0,
        jitter: float = 0.1,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._cache = cache
        self._namespace = namespace
        self._encode = encode
        self._decode = decode
        self._ttl = ttl_seconds
        self._absent_ttl = absent_ttl_seconds
        self._jitter = jitter
        self._rng = rng
        self._inflight: dict[str, asyncio.Future[T | None]] = {}
        self._writes: dict[str, int] = {}  # key -> invalidations seen, to spot a load that raced a write
        self._decoded: dict[str, tuple[bytes, T]] = {}  # key -> (the bytes, their value), bounded

    def _key(self, key: str) -> str:
        return f"{self._namespace}:{key}"

    def _ttl_for(self, base: float) -> float:
        return base * (1 - self._jitter + 2 * self._jitter * self._rng())

    async def get(self, key: str, load: Callable[[], Awaitable[T | None]]) -> T | None:
        raw = await self._cache.get(self._key(key))
        if raw is not None:
            return None if raw == _ABSENT else self._decoded_value(key, raw)
        if (running := self._inflight.get(key)) is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[T | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        writes = self._writes.get(key, 0)
        try:  # the flight stays open until the value is stored, so nobody slips in between
            value = await load()
            if self._writes.get(key, 0) == writes:
                stored = _ABSENT if value is None else self._encode(value)
                ttl = self._ttl_for(self._absent_ttl if value is None else self._ttl)
                await self._cache.set(self._key(key), stored, ttl)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it; nobody else must log it
            raise
        else:
            future.set_result(value)
        finally:
            del self._inflight[key]
        return value

    def _decoded_value(self, key: str, raw: bytes) -> T:
        kept = self._decoded.get(key)
        if kept is not None and kept[0] == raw:
            return kept[1]
        value = self._decode(raw)
        if len(self._decoded) >= DECODED_KEPT and key not in self._decoded:
            del self._decoded[next(iter(self._decoded))]  # the oldest kept
        self._decoded[key] = (raw, value)
        return value

    async def invalidate(self, key: str) -> None:
        self._writes[key] = self._writes.get(key, 0) + 1
        self._decoded.pop(key, None)
        await self._cache.delete(self._key(key))
