"""Turns at a scarce resource (the password-hashing thread), handed out fairly and never queued forever.

Waiters are served round-robin: first across groups (client addresses), then across keys (accounts)
within a group, one turn each, so a burst of sign-ins for one account, or from one address, waits
behind itself and not in front of everybody else. At most ``max_waiting`` may wait; past that a turn
is refused at once (UnavailableError: a 503 with Retry-After) instead of growing a queue nobody can
get through in time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque
from collections.abc import AsyncIterator

from vibe.domain.errors import UnavailableError

__all__ = ["FairQueue"]

Waiters = OrderedDict[str, deque[asyncio.Future[None]]]


class FairQueue:
    def __init__(self, concurrency: int = 1, max_waiting: int = 100) -> None:
        self._free = concurrency
        self._max_waiting = max_waiting
        self._groups: OrderedDict[str, Waiters] = OrderedDict()
        self._waiting = 0

    @property
    def waiting(self) -> int:
        return self._waiting

    @contextlib.asynccontextmanager
    async def turn(self, group: str, key: str) -> AsyncIterator[None]:
        """Hold one turn for the body of the ``async with``; wait for it behind earlier turns of the
        same key, and behind at most one turn of each other key and group."""
        await self.acquire(group, key)
        try:
            yield
        finally:
            self.release()

    async def acquire(self, group: str, key: str) -> None:
        """Wait for a turn (see ``turn``); each one acquired must be given back with ``release``."""
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        if self._waiting >= self._max_waiting:
            raise UnavailableError("Too many sign-ins are waiting; try again in a few seconds.")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._groups.setdefault(group, OrderedDict()).setdefault(key, deque()).append(future)
        self._waiting += 1
        try:
            await future
        except asyncio.CancelledError:
            if future.cancelled():
                self._forget(group, key, future)
            else:  # the turn was handed over just as this waiter was cancelled: pass it on
                self.release()
            raise

    def release(self) -> None:
        while self._groups:
            future = self._next()
            if not future.done():  # a waiter cancelled a moment ago is skipped (and forgets itself)
                future.set_result(None)
                return
        self._free += 1

    def _next(self) -> asyncio.Future[None]:
        group, keys = next(iter(self._groups.items()))
        key, futures = next(iter(keys.items()))
        future = futures.popleft()
        self._waiting -= 1
        if futures:
            keys.move_to_end(key)
        else:
            del keys[key]
        if keys:
            self._groups.move_to_end(group)
        else:
            del self._groups[group]
        return future

    def _forget(self, group: str, key: str, future: asyncio.Future[None]) -> None:
        keys = self._groups.get(group)
        futures = keys.get(key) if keys is not None else None
        if keys is None or futures is None or future not in futures:
            return
        futures.remove(future)
        self._waiting -= 1
        if not futures:
            del keys[key]
            if not keys:
                del self._groups[group]
