"""The account feed on Redis Streams: one capped stream per account, entry ids ``0-<n>``.

A publish numbers its event and appends it in one script (INCR, then XADD with that id), so events of
one account from any process get strictly increasing ids. Each process tails the streams of the
accounts that have listeners in it with one ``XREAD BLOCK`` loop, keeps their last events in memory
(``FeedWindow``) and wakes its listeners from there: an event costs one Redis read per process, not
one per listener. A listener that resumes from further back than that window reads the stream once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from redis.asyncio import Redis

from vibe.adapters.feed_window import FeedWindow
from vibe.adapters.redis.errors import REDIS_DOWN
from vibe.adapters.redis.stream_tail import StreamTail, decode_entries
from vibe.domain.events import StoredEvent
from vibe.domain.ports import AccountFeed

__all__ = ["RedisAccountFeed"]

log = logging.getLogger("vibe.redis")

_PUBLISH = """
local n = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '0-' .. n, 'n', ARGV[1], 'd', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return n
"""
_UNWATCH_AFTER = 5.0  # seconds without a listener before an account is no longer tailed


class _Watch(FeedWindow):
    __slots__ = ("primed",)

    def __init__(self, size: int) -> None:
        super().__init__(0, size)
        self.primed = asyncio.Event()


class RedisAccountFeed(StreamTail[_Watch], AccountFeed):
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "vibe:account:",
        window: int = 512,
        retention_seconds: int = 24 * 3600,
        block_ms: int = 1000,
    ) -> None:
        super().__init__(redis, prefix=prefix, block_ms=block_ms, what="account feed")
        self._size = window
        self._retention = retention_seconds
        self._script = redis.register_script(_PUBLISH)

    def _key(self, user_id: str) -> str:
        return f"{self._prefix}{{{user_id}}}"

    async def publish(self, user_id: str, name: str, data: bytes) -> None:
        key = self._key(user_id)
        try:
            await self._script(
                keys=[key, key + ":n"],
                args=[name, data, self._size, self._retention, self._retention * 30],
            )
        except REDIS_DOWN as error:
            log.warning("account event %s of %s not published (Redis: %r)", name, user_id, error)

    async def last(self, user_id: str) -> int:
        try:
            value = await self._redis.get(self._key(user_id) + ":n")
        except REDIS_DOWN:
            return 0
        return int(value or 0)

    async def read(self, user_id: str, after: int, timeout: float) -> list[StoredEvent]:
        watch = await self._watch(user_id)
        found = watch.since(after)
        if found is None:
            return await self._read_cold(user_id, after) or list(watch.events)
        if found or timeout <= 0:
            return found
        await self._read_now(user_id)
        await watch.wait(after, timeout)
        return watch.since(after) or []

    async def _watch(self, user_id: str) -> _Watch:
        watch = self._watched.get(user_id)
        if watch is None:
            watch = self._watched[user_id] = _Watch(self._size)
            try:
                newest = decode_entries(await self._redis.xrevrange(self._key(user_id), count=self._size))
            except REDIS_DOWN:
                newest = []
            watch.add(newest[::-1])
            if len(newest) >= self._size:  # older ones may exist: only Redis can say
                watch.floor = newest[-1].seq - 1
            watch.primed.set()
        await watch.primed.wait()
        return watch

    async def _read_cold(self, user_id: str, after: int) -> list[StoredEvent]:
        try:
            return decode_entries(
                await self._redis.xrange(self._key(user_id), min=f"0-{after + 1}", count=1000)
            )
        except REDIS_DOWN:
            return []

    def _unwatch_idle(self) -> None:
        idle_since = time.monotonic() - _UNWATCH_AFTER
        for user_id, watch in list(self._watched.items()):
            if not watch.waiters and watch.last_read < idle_since:
                del self._watched[user_id]

    def _deliver(self, watch: _Watch, entries: Any) -> None:
        watch.add(decode_entries(entries))
