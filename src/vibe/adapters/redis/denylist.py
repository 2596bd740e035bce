"""The token denylist on Redis, shared by every process."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError

from vibe.adapters.redis.errors import REDIS_DOWN, fail_closed, unavailable
from vibe.domain.ports import Denylist, DenylistForgotten

__all__ = ["RedisDenylist"]


class RedisDenylist(Denylist):
    """Denied keys with a TTL: each entry disappears when the last token it could stop expires.

    A marker key says the denylist holds everything: a Redis that restarted without its data has no
    marker, so the first check after it raises DenylistForgotten and the app restores it.

    Every authenticated request asks, so the checks share MGETs (marker and every key), one at a time
    per process, like a database's group commit: the first check starts a sender, whose first MGET
    goes on the next turn of the event loop with every check asked until then; the checks asked while
    an MGET is out wait for it to come back and go together in the next one. Each check is still
    answered by a Redis read sent after it was asked, so a revocation that Redis holds when a request
    is checked always counts. A check alone costs one task more; under load, one round trip answers
    every check asked during the last one (an MGET a turn made some batches of one or two, BENCHMARKS.md).
    """

    MAX_BATCH = 256  # checks per MGET

    def __init__(self, redis: Redis, prefix: str = "vibe:deny:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._marker = prefix + "@restored"
        self._waiting: list[tuple[tuple[str, ...], asyncio.Future[bool]]] = []
        self._sender: asyncio.Task[None] | None = None
        self._connection: AbstractConnection | None = None  # the sender's own

    @fail_closed
    async def deny(self, key: str, ttl_seconds: int) -> None:
        await self._redis.set(self._prefix + key, b"1", ex=max(1, ttl_seconds))

    async def is_denied(self, *keys: str) -> bool:
        # Not @fail_closed: Redis is only read by the sender, which maps its failures (a coroutine
        # less on every signed-in request).
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((keys, future))
        if self._sender is None:
            self._sender = asyncio.create_task(self._send())
            self._sender.add_done_callback(self._ended)
        return await future

    async def _send(self) -> None:
        """Send the waiting checks, MAX_BATCH at a time, until none wait; then end (the next check
        starts a new sender). Cancelled (a loop shutting down), it leaves no check waiting."""
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self.MAX_BATCH], self._waiting[self.MAX_BATCH :]
                await self._answer(batch)
        finally:
            self._stop()

    def _ended(self, sender: asyncio.Task[None]) -> None:
        """A sender cancelled before its first step never ran its ``finally``."""
        if self._sender is sender:
            self._stop()

    def _stop(self) -> None:
        self._sender = None
        waiting, self._waiting = self._waiting, []
        for _, future in waiting:
            future.cancel()

    async def _answer(self, batch: list[tuple[tuple[str, ...], asyncio.Future[bool]]]) -> None:
        names = list(dict.fromkeys(self._prefix + key for keys, _ in batch for key in keys))
        try:
            marker, *values = await self._mget(self._marker, *names)
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as error:
            down = isinstance(error, REDIS_DOWN)
            for _, future in batch:  # (an error each: each waiter raises its own)
                if not future.done():
                    future.set_exception(unavailable(error) if down else error)
            return
        denied = {name for name, value in zip(names, values, strict=True) if value is not None}
        for keys, future in batch:
            if future.done():  # its request went away
                continue
            if marker is None:
                future.set_exception(DenylistForgotten())
            else:
                future.set_result(any(self._prefix + key in denied for key in keys))

    async def _mget(self, *names: str) -> list[Any]:
        """MGET on the sender's own connection. The sender sends one at a time, so it takes no
        connection from the pool for each: that checkout (with its check that the socket holds no
        stray data) and the client's wrappers cost ~40 of the ~100 µs of CPU an MGET took here.
        A connection found broken (Redis restarted) is replaced and the MGET sent once more, as the
        client's retry would."""
        try:
            return await self._mget_once(*names)
        except RedisConnectionError:
            return await self._mget_once(*names)

    async def _mget_once(self, *names: str) -> list[Any]:
        if self._connection is None:
            self._connection = self._redis.connection_pool.make_connection()  # type: ignore[no-untyped-call]
        connection = self._connection
        try:
            await connection.send_command("MGET", *names)
            values: list[Any] = await connection.read_response()
        except BaseException:  # failed or cancelled midway: never read its reply as the next one's
            self._connection = None
            await connection.disconnect(nowait=True)
            raise
        return values

    async def aclose(self) -> None:
        """Close the sender's connection (at shutdown)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.disconnect()

    @fail_closed
    async def mark_restored(self) -> None:
        await self._redis.set(self._marker, b"1")
