"""A read-through cache for the hot reads (the user behind a token, project metadata).

Misses of one key at once cost one load (singleflight), unless the key was written since that load
began: a read after a write never gets what the database held before it. Absent things are cached
briefly too (negative caching), so probing unknown ids does not reach the database each time; TTLs
carry jitter, so entries made together do not expire together. Writes invalidate. A load that raced
a write does not store its (stale) result in this process; across processes, the short TTLs bound
staleness (see README).

The last value decoded for each key is kept beside the bytes it came from, and handed out again while
the cache answers with those same bytes: the user behind every request, or a page of 20 projects, is
not decoded again on every read. Values are frozen Structs, shared by every caller that reads them.

A hot entry is refreshed before it expires: the first read past ``REFRESH_AT`` of its lifetime (as
this process knows it) loads it again, while every other read meanwhile gets the cached value at once.
Without that, the expiry of the entry every request reads (the caller's user, a busy project list)
made every request in flight wait for one database load, which a saturated process answers late
(BENCHMARKS.md, issue 22). Nothing is served past its TTL: the cache's own expiry still holds.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from vibe.domain.ports import Cache

__all__ = ["NoCache", "ReadCache"]

T = TypeVar("T")
_ABSENT = b"\x00absent"
DECODED_KEPT = 1024  # decoded values kept per ReadCache
REFRESH_AT = 0.8  # of an entry's TTL: the first read after that loads it again


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
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cache = cache
        self._namespace = namespace
        self._encode = encode
        self._decode = decode
        self._ttl = ttl_seconds
        self._absent_ttl = absent_ttl_seconds
        self._jitter = jitter
        self._rng = rng
        self._now = now
        self._inflight: dict[str, tuple[asyncio.Future[T | None], int]] = {}  # key -> (load, writes then)
        self._writes: dict[str, int] = {}  # key -> invalidations seen, to spot a load that raced a write
        # key -> (the bytes, their value, when to load it again), bounded
        self._decoded: dict[str, tuple[bytes, T, float]] = {}

    def _key(self, key: str) -> str:
        return f"{self._namespace}:{key}"

    def _ttl_for(self, base: float) -> float:
        return base * (1 - self._jitter + 2 * self._jitter * self._rng())

    async def get(self, key: str, load: Callable[[], Awaitable[T | None]]) -> T | None:
        raw = await self._cache.get(self._key(key))
        if raw is not None:
            if raw == _ABSENT:
                return None
            value, refresh_at = self._decoded_value(key, raw)
            if refresh_at > self._now() or key in self._inflight:
                return value
            return await self._load(key, load)  # this read refreshes it; the others meanwhile do not wait
        running = self._inflight.get(key)
        if running is not None and running[1] == self._writes.get(key, 0):
            return await asyncio.shield(running[0])
        return await self._load(key, load)  # (a load begun before a write is not joined: it may miss it)

    async def _load(self, key: str, load: Callable[[], Awaitable[T | None]]) -> T | None:
        future: asyncio.Future[T | None] = asyncio.get_running_loop().create_future()
        writes = self._writes.get(key, 0)
        self._inflight[key] = flight = (future, writes)
        try:  # the flight stays open until the value is stored, so nobody slips in between
            value = await load()
            if self._writes.get(key, 0) == writes:
                await self._store(key, value)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it; nobody else must log it
            raise
        else:
            future.set_result(value)
        finally:
            if self._inflight.get(key) is flight:  # not a newer load's, begun after a write
                del self._inflight[key]
        return value

    async def _store(self, key: str, value: T | None) -> None:
        if value is None:
            await self._cache.set(self._key(key), _ABSENT, self._ttl_for(self._absent_ttl))
            return
        stored, ttl = self._encode(value), self._ttl_for(self._ttl)
        await self._cache.set(self._key(key), stored, ttl)
        self._keep(key, stored, value, ttl)

    def _decoded_value(self, key: str, raw: bytes) -> tuple[T, float]:
        """The value of ``raw`` and when to load it again: kept, or decoded now (bytes this process
        did not store: their age is unknown, so their lifetime is counted from now; if they expire
        first, the next read loads them as any miss does)."""
        kept = self._decoded.get(key)
        if kept is not None and kept[0] == raw:
            return kept[1], kept[2]
        value = self._decode(raw)
        return value, self._keep(key, raw, value, self._ttl)

    def _keep(self, key: str, raw: bytes, value: T, ttl: float) -> float:
        refresh_at = self._now() + REFRESH_AT * ttl
        if len(self._decoded) >= DECODED_KEPT and key not in self._decoded:
            del self._decoded[next(iter(self._decoded))]  # the oldest kept
        self._decoded[key] = (raw, value, refresh_at)
        return refresh_at

    async def invalidate(self, key: str) -> None:
        self._writes[key] = self._writes.get(key, 0) + 1
        self._decoded.pop(key, None)
        await self._cache.delete(self._key(key))
