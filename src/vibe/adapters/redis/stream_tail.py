"""One ``XREAD BLOCK`` loop per process over every Redis stream its listeners watch.

The live events of generations (``events.py``) and the account feeds (``account_feed.py``) both keep
what their listeners wait for in Redis Streams, one stream per session or account, with entry ids
``0-<n>``. Rather than one blocked connection per listener, each process reads every watched stream
in one loop, and hands what it read to the watch of that stream, which wakes its listeners. A stream
of this process only (the kick stream) is read with the others: an entry added to it ends the XREAD
in flight at once (a stream to add to it, or closing), where cancelling the blocked command would
cost the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from abc import ABC, abstractmethod
from typing import Any, Generic, Protocol, TypeVar

from redis.asyncio import Redis

from vibe.adapters.redis.errors import REDIS_DOWN
from vibe.domain.events import StoredEvent

__all__ = ["StreamTail", "decode_entries"]

log = logging.getLogger("vibe.redis")


def decode_entries(entries: Any) -> list[StoredEvent]:
    """Stream entries ``0-<n> {n: name, d: data}`` as the events they hold."""
    return [
        StoredEvent(int(entry_id.split(b"-", 1)[1]), fields[b"n"].decode(), fields[b"d"])
        for entry_id, fields in entries
    ]


class _Watch(Protocol):
    seen: int  # the last entry read: the loop reads on after it


W = TypeVar("W", bound=_Watch)


class StreamTail(ABC, Generic[W]):
    """The loop, the kick, and closing; a subclass says which stream a watched id reads, when a
    watch is no longer needed, and what reading entries does to it."""

    def __init__(self, redis: Redis, *, prefix: str, block_ms: int, what: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self._block_ms = block_ms
        self._what = what  # what the streams are, for the log
        self._watched: dict[str, W] = {}
        self._tail: asyncio.Task[None] | None = None
        self._reading: frozenset[str] = frozenset()  # the ids of the XREAD in flight
        self._kick_key = f"{prefix}kick:{secrets.token_hex(8)}"
        self._kick_seen = "0-0"
        self._closing = False
        self._names: dict[str, str] = {}  # stream key -> watched id

    @abstractmethod
    def _key(self, watched_id: str) -> str:
        """The stream of ``watched_id``."""

    @abstractmethod
    def _unwatch_idle(self) -> None:
        """Forget the watches nobody needs any more."""

    @abstractmethod
    def _deliver(self, watch: W, entries: Any) -> None:
        """Hand ``entries`` just read from its stream to ``watch``."""

    def _ensure_tail(self) -> None:
        if self._tail is None or self._tail.done():
            self._tail = asyncio.create_task(self._follow(), name=f"vibe-redis-{self._what}")

    async def _read_now(self, watched_id: str) -> None:
        """Make sure the loop runs and reads ``watched_id`` soon: if it is blocked on other streams,
        kick it so that it reads again at once, this one included."""
        if self._tail is None or self._tail.done():
            self._ensure_tail()
        elif self._reading and watched_id not in self._reading:
            await self._kick()

    async def _kick(self) -> None:
        with contextlib.suppress(*REDIS_DOWN):
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.xadd(self._kick_key, {"k": "1"}, maxlen=8, approximate=True)
                pipe.expire(self._kick_key, 3600)
                await pipe.execute()

    async def _follow(self) -> None:
        """The one XREAD BLOCK loop of this process; it ends when nothing is watched any more."""
        while not self._closing:
            self._unwatch_idle()
            if not self._watched:
                return
            self._names = {self._key(wid): wid for wid in self._watched}
            streams: dict[Any, Any] = {
                key: f"0-{self._watched[wid].seen}" for key, wid in self._names.items()
            }
            streams[self._kick_key] = self._kick_seen
            self._reading = frozenset(self._watched)
            try:
                answer: Any = await self._redis.xread(streams, block=self._block_ms, count=1000)
            except REDIS_DOWN:
                await asyncio.sleep(0.5)
                continue
            except Exception:  # the loop must outlive anything one read throws, or every listener stalls
                log.exception("reading the %s streams failed; reading again", self._what)
                await asyncio.sleep(0.5)
                continue
            finally:
                self._reading = frozenset()
            for key, entries in answer or []:
                name = key.decode() if isinstance(key, bytes) else key
                if name == self._kick_key:
                    last = entries[-1][0]
                    self._kick_seen = last.decode() if isinstance(last, bytes) else last
                    continue
                watch = self._watched.get(self._names.get(name, ""))
                if watch is not None:
                    self._deliver(watch, entries)

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
