"""The live event log on Redis Streams: one stream per session, entry ids ``0-<seq>``.

Writers XADD after the durable write (an id not above the stream's last is refused by Redis, so a
replayed publish is harmless). Readers XRANGE what they missed, then wait: all the waiting readers of a
process share one ``XREAD BLOCK`` loop over every stream they watch, instead of one blocked
connection each, so a thousand streams cost one connection. A stream expires a while after its last
event; then, or whenever Redis does not answer, readers fall back to the durable log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from vibe.adapters.redis.errors import REDIS_DOWN
from vibe.domain.events import StoredEvent
from vibe.domain.ports import EventLog

__all__ = ["RedisEventLog"]

log = logging.getLogger("vibe.redis")
_IDLE_TTL = 24 * 3600  # a stream nobody finishes still goes away


def _decode(entries: Any) -> list[StoredEvent]:
    return [
        StoredEvent(int(entry_id.split(b"-", 1)[1]), fields[b"n"].decode(), fields[b"d"])
        for entry_id, fields in entries
    ]


class RedisEventLog(EventLog):
    def __init__(
        self, redis: Redis, *, prefix: str = "vibe:events:", retention_seconds: int = 600, block_ms: int = 200
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._retention = retention_seconds
        self._block_ms = block_ms
        self._watched: dict[str, tuple[int, asyncio.Event]] = {}  # session -> (last seq seen, wake-up)
        self._waiters: dict[str, int] = {}
        self._tail: asyncio.Task[None] | None = None

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
        key = self._key(generation_id)
        try:
            found = _decode(await self._redis.xrange(key, min=f"0-{after + 1}", max="+", count=1000))
            if found:
                return found
            last = await self._redis.xrevrange(key, max="+", min="-", count=1)
        except REDIS_DOWN:
            return None
        if not last:
            return None  # not held here (never published, or expired): the durable log has it
        if timeout <= 0 or _decode(last)[0].terminal:
            return []
        await self._wait(generation_id, after, timeout)
        try:
            return _decode(await self._redis.xrange(key, min=f"0-{after + 1}", max="+", count=1000))
        except REDIS_DOWN:
            return None

    async def _wait(self, generation_id: str, after: int, timeout: float) -> None:
        seen, wake = self._watched.get(generation_id, (after, asyncio.Event()))
        self._watched[generation_id] = (min(seen, after), wake)
        self._waiters[generation_id] = self._waiters.get(generation_id, 0) + 1
        if self._tail is None or self._tail.done():
            self._tail = asyncio.create_task(self._follow(), name="vibe-redis-tail")
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout)
        finally:
            self._waiters[generation_id] -= 1
            if not self._waiters[generation_id]:
                del self._waiters[generation_id]
                self._watched.pop(generation_id, None)

    async def _follow(self) -> None:
        """The one XREAD BLOCK loop of this process; it ends when nobody waits."""
        while self._watched:
            streams: dict[Any, Any] = {
                self._key(gid): f"0-{seen}" for gid, (seen, _) in self._watched.items()
            }
            try:
                answer: Any = await self._redis.xread(streams, block=self._block_ms, count=1000)
            except REDIS_DOWN:
                await asyncio.sleep(0.5)
                continue
            for key, entries in answer or []:
                gid = (key.decode() if isinstance(key, bytes) else key)[len(self._prefix) :]
                watched = self._watched.get(gid)
                if watched is None or not entries:
                    continue
                self._watched[gid] = (_decode(entries)[-1].seq, asyncio.Event())
                watched[1].set()

    async def aclose(self) -> None:
        if self._tail is not None:
            self._tail.cancel()
            await asyncio.gather(self._tail, return_exceptions=True)
