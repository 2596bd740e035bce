"""The live event log on Redis Streams: one stream per session, entry ids ``0-<seq>``.

Writers XADD after the durable write (an id not above the stream's last is refused by Redis, so a
replayed publish is harmless). Readers XRANGE what they missed, then wait: all the waiting readers of a
process share one ``XREAD BLOCK`` loop over every stream they watch, instead of one blocked
connection each, so a thousand streams cost one connection. That loop also keeps the last entries it
read of each watched session in a small window in memory, and a reader that is caught up takes the
next events from there: a thousand streams of one session cost one Redis read per batch of events,
not a thousand (nor the XRANGE and XREVRANGE a cold read makes). A session nobody read for a few
seconds is no longer watched. A stream expires a while after its last event; then, or whenever Redis
does not answer, readers fall back to the durable log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from vibe.adapters.redis.errors import REDIS_DOWN
from vibe.adapters.redis.stream_tail import StreamTail, decode_entries
from vibe.domain.events import StoredEvent
from vibe.domain.ports import LiveEvents

__all__ = ["RedisLiveEvents"]

log = logging.getLogger("vibe.redis")
_IDLE_TTL = 24 * 3600  # a stream nobody finishes still goes away
_WINDOW = 256  # entries of a watched session kept in memory for its readers
_UNWATCH_AFTER = 5.0  # seconds without a reader before a session is no longer tailed


class _Watch:
    """A session this process tails: the XREAD cursor, the last entries read (contiguous, ending at
    the cursor), and a wake-up for its readers replaced at each new batch."""

    __slots__ = ("events", "last_read", "seen", "waiters", "wake")

    def __init__(self, seen: int) -> None:
        self.seen = seen
        self.events: list[StoredEvent] = []
        self.wake = asyncio.Event()
        self.waiters = 0
        self.last_read = time.monotonic()

    def since(self, after: int) -> list[StoredEvent] | None:
        """The events after ``after``, or None when this window cannot say (it does not reach back to
        ``after + 1``, or ``after`` is past what was read)."""
        self.last_read = time.monotonic()
        if after == self.seen:
            return []
        if not self.events or not self.events[0].seq <= after + 1 <= self.seen:
            return None
        return self.events[after + 1 - self.events[0].seq :]

    @property
    def ended(self) -> bool:
        return bool(self.events) and self.events[-1].terminal

    def add(self, fresh: list[StoredEvent]) -> None:
        if self.events and fresh[0].seq != self.seen + 1:
            self.events = []  # not contiguous (a gap in the stream): start the window again
        self.events = (self.events + fresh)[-_WINDOW:]
        self.seen = fresh[-1].seq
        wake, self.wake = self.wake, asyncio.Event()
        wake.set()


class RedisLiveEvents(StreamTail[_Watch], LiveEvents):
    def __init__(
        self, redis: Redis, *, prefix: str = "vibe:events:", retention_seconds: int = 600, block_ms: int = 200
    ) -> None:
        super().__init__(redis, prefix=prefix, block_ms=block_ms, what="live event")
        self._retention = retention_seconds

    def _key(self, generation_id: str) -> str:
        return self._prefix + generation_id

    async def publish(self, generation_id: str, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        key = self._key(generation_id)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for event in events:
                    pipe.xadd(key, {"n": event.name, "d": event.data}, id=f"0-{event.seq}")
                pipe.expire(key, self._retention if events[-1].terminal else _IDLE_TTL)
                results = await pipe.execute(raise_on_error=False)
        except REDIS_DOWN as error:
            log.warning(
                "live events of %s not published (Redis: %r); streams fall back to SQL", generation_id, error
            )
            return
        for result in results:
            if isinstance(result, ResponseError) and "equal or smaller" not in str(result):
                log.warning("live event of %s refused by Redis: %s", generation_id, result)

    async def read(self, generation_id: str, after: int, timeout: float = 0) -> list[StoredEvent] | None:
        watch = self._watched.get(generation_id)
        if watch is not None and timeout > 0:
            # A follower of a session tailed here: no Redis round trip while the window answers (it
            # may hold less than Redis already does; the follower reads on from what it got). A read
            # that will not wait asks Redis, so it sees everything published so far.
            found = watch.since(after)
            if found:
                return found
            if found is not None:
                if watch.ended:
                    return []
                await self._wait(generation_id, watch, after, timeout)
                found = watch.since(after)
                if found is not None:
                    return found
        return await self._read_cold(generation_id, after, timeout)

    async def _read_cold(self, generation_id: str, after: int, timeout: float) -> list[StoredEvent] | None:
        key = self._key(generation_id)
        try:
            found = decode_entries(await self._redis.xrange(key, min=f"0-{after + 1}", max="+", count=1000))
            if found:
                return found
            last = await self._redis.xrevrange(key, max="+", min="-", count=1)
        except REDIS_DOWN:
            return None
        if not last:
            return None  # not held here (never published, or expired): the durable log has it
        if timeout <= 0 or decode_entries(last)[0].terminal:
            return []
        watch = self._watched.get(generation_id)
        if watch is None:
            watch = self._watched[generation_id] = _Watch(after)
        if watch.seen <= after:
            await self._wait(generation_id, watch, after, timeout)
        window = watch.since(after)
        if window is not None:
            return window
        try:
            return decode_entries(await self._redis.xrange(key, min=f"0-{after + 1}", max="+", count=1000))
        except REDIS_DOWN:
            return None

    async def _wait(self, generation_id: str, watch: _Watch, after: int, timeout: float) -> None:
        """Wait until the loop has read past ``after``, or ``timeout``. Nothing may be missed: the
        reader counts as waiting (so the loop keeps the watch) and holds the wake-up before its first
        await, and checks how far the loop got after every wake-up; so a batch read meanwhile (while
        this reader kicks the loop, say) wakes it, and one it already has does not."""
        self._watched.setdefault(generation_id, watch)
        watch.waiters += 1
        wake = watch.wake
        try:
            await self._read_now(generation_id)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    while watch.seen <= after:
                        await wake.wait()
                        wake = watch.wake
        finally:
            watch.waiters -= 1
            watch.last_read = time.monotonic()

    def _unwatch_idle(self) -> None:
        idle_since = time.monotonic() - _UNWATCH_AFTER
        for gid, watch in list(self._watched.items()):
            if not watch.waiters and (watch.ended or watch.last_read < idle_since):
                del self._watched[gid]

    def _deliver(self, watch: _Watch, entries: Any) -> None:
        fresh = [event for event in decode_entries(entries) if event.seq > watch.seen]
        if fresh:
            watch.add(fresh)
