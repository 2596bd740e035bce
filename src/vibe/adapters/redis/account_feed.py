"""The account feed on Redis Streams: one capped stream per account, entry ids ``0-<n>``.

A publish numbers its event and appends it in one script (INCR, then XADD with that id), so events of
one account from any process get strictly increasing ids. Each process tails the streams of the
accounts that have listeners in it with one ``XREAD BLOCK`` loop, keeps their last events in memory
(``FeedWindow``) and wakes its listeners from there: an event costs one Redis read per process, not
one per listener. A listener that resumes from further back than that window reads the stream once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from typing import Any

from redis.asyncio import Redis

from vibe.adapters.feed_window import FeedWindow
from vibe.adapters.redis.errors import REDIS_DOWN
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


def _decode(entries: Any) -> list[StoredEvent]:
    return [
        StoredEvent(int(entry_id.split(b"-", 1)[1]), fields[b"n"].decode(), fields[b"d"])
        for entry_id, fields in entries
    ]


class _Watch(FeedWindow):
    __slots__ = ("primed",)

    def __init__(self, size: int) -> None:
        super().__init__(0, size)
        self.primed = asyncio.Event()


class RedisAccountFeed(AccountFeed):
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "vibe:account:",
        window: int = 512,
        retention_seconds: int = 24 * 3600,
        block_ms: int = 1000,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._size = window
        self._retention = retention_seconds
        self._block_ms = block_ms
        self._script = redis.register_script(_PUBLISH)
        self._watched: dict[str, _Watch] = {}
        self._tail: asyncio.Task[None] | None = None
        self._reading: frozenset[str] = frozenset()
        self._kick_key = f"{prefix}kick:{secrets.token_hex(8)}"
        self._kick_seen = "0-0"
        self._closing = False

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
        self._ensure_tail()
        if self._reading and user_id not in self._reading:
            await self._kick()  # the loop is blocked on other accounts: read again, this one included
        await watch.wait(after, timeout)
        return watch.since(after) or []

    async def _watch(self, user_id: str) -> _Watch:
        watch = self._watched.get(user_id)
        if watch is None:
            watch = self._watched[user_id] = _Watch(self._size)
            try:
                newest = _decode(await self._redis.xrevrange(self._key(user_id), count=self._size))
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
            return _decode(await self._redis.xrange(self._key(user_id), min=f"0-{after + 1}", count=1000))
        except REDIS_DOWN:
            return []

    def _ensure_tail(self) -> None:
        if self._tail is None or self._tail.done():
            self._tail = asyncio.create_task(self._follow(), name="vibe-account-feed")

    async def _kick(self) -> None:
        with contextlib.suppress(*REDIS_DOWN):
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.xadd(self._kick_key, {"k": "1"}, maxlen=8, approximate=True)
                pipe.expire(self._kick_key, 3600)
                await pipe.execute()

    def _unwatch_idle(self) -> None:
        idle_since = time.monotonic() - _UNWATCH_AFTER
        for user_id, watch in list(self._watched.items()):
            if not watch.waiters and watch.last_read < idle_since:
                del self._watched[user_id]

    async def _follow(self) -> None:
        """The one XREAD BLOCK loop of this process; it ends when no account is watched any more."""
        while not self._closing:
            self._unwatch_idle()
            if not self._watched:
                return
            streams: dict[Any, Any] = {self._key(uid): f"0-{w.seen}" for uid, w in self._watched.items()}
            streams[self._kick_key] = self._kick_seen
            self._reading = frozenset(self._watched)
            try:
                answer: Any = await self._redis.xread(streams, block=self._block_ms, count=1000)
            except REDIS_DOWN:
                await asyncio.sleep(0.5)
                continue
            except Exception:  # the loop must outlive anything one read throws, or every listener stalls
                log.exception("reading the account feeds failed; reading again")
                await asyncio.sleep(0.5)
                continue
            finally:
                self._reading = frozenset()
            self._deliver(answer or [])

    def _deliver(self, answer: Any) -> None:
        for key, entries in answer:
            name = key.decode() if isinstance(key, bytes) else key
            if name == self._kick_key:
                last = entries[-1][0]
                self._kick_seen = last.decode() if isinstance(last, bytes) else last
                continue
            watch = self._watched.get(name[len(self._prefix) + 1 : -1])
            if watch is not None:
                watch.add(_decode(entries))

    async def aclose(self) -> None:
        self._closing = True
        if self._tail is not None and not self._tail.done():
            await self._kick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._tail), 1.0)
            self._tail.cancel()
            await asyncio.gather(self._tail, return_exceptions=True)
        with contextlib.suppress(*REDIS_DOWN):
            await self._redis.delete(self._kick_key)
