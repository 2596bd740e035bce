"""The token denylist on Redis, shared by every process."""

from __future__ import annotations

import asyncio
import functools

from redis.asyncio import Redis

from vibe.adapters.redis.errors import fail_closed
from vibe.domain.ports import Denylist, DenylistForgotten

__all__ = ["RedisDenylist"]


class RedisDenylist(Denylist):
    """Denied keys with a TTL: each entry disappears when the last token it could stop expires.

    A marker key says the denylist holds everything: a Redis that restarted without its data has no
    marker, so the first check after it raises DenylistForgotten and the app restores it.

    Every authenticated request asks; the checks asked during one turn of the event loop share one
    MGET (marker and every key), sent on the next turn. Each check is still answered by a Redis read
    made after it was asked, so a revocation that Redis holds when a request is checked always counts;
    under load this turns many round trips into one, and alone a check costs one task more.
    """

    MAX_BATCH = 256  # checks per MGET

    def __init__(self, redis: Redis, prefix: str = "vibe:deny:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._marker = prefix + "@restored"
        self._batch: list[tuple[tuple[str, ...], asyncio.Future[bool]]] = []
        self._flushes: set[asyncio.Task[None]] = set()

    @fail_closed
    async def deny(self, key: str, ttl_seconds: int) -> None:
        await self._redis.set(self._prefix + key, b"1", ex=max(1, ttl_seconds))

    @fail_closed
    async def is_denied(self, *keys: str) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        batch = self._batch
        if not batch:
            # The task's first step runs on the next turn: every check asked before then joins it.
            flush = asyncio.create_task(self._flush(batch))
            self._flushes.add(flush)
            flush.add_done_callback(functools.partial(self._flushed, batch))
        batch.append((keys, future))
        if len(batch) >= self.MAX_BATCH:
            self._batch = []
        return await future

    async def _flush(self, batch: list[tuple[tuple[str, ...], asyncio.Future[bool]]]) -> None:
        if self._batch is batch:
            self._batch = []  # checks asked from now on wait for the next MGET
        names = list(dict.fromkeys(self._prefix + key for keys, _ in batch for key in keys))
        try:
            marker, *values = await self._redis.mget(self._marker, *names)
        except Exception as error:
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        denied = {name for name, value in zip(names, values, strict=True) if value is not None}
        for keys, future in batch:
            if future.done():  # its request went away
                continue
            if marker is None:
                future.set_exception(DenylistForgotten())
            else:
                future.set_result(any(self._prefix + key in denied for key in keys))

    def _flushed(
        self, batch: list[tuple[tuple[str, ...], asyncio.Future[bool]]], flush: asyncio.Task[None]
    ) -> None:
        """A flush cancelled (even before its first step, at shutdown) must leave no check waiting
        and no batch that later checks would join without a flush to send it."""
        self._flushes.discard(flush)
        if self._batch is batch:
            self._batch = []
        for _, future in batch:
            if not future.done():
                future.cancel()

    @fail_closed
    async def mark_restored(self) -> None:
        await self._redis.set(self._marker, b"1")
