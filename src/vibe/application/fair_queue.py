"""Turns at a scarce resource (the password-hashing thread), handed out fairly and never queued forever.

Waiters are served round-robin: first across groups (client addresses), then across keys (accounts)
within a group, one turn each, so a burst of sign-ins for one account, or from one address, waits
behind itself and not in front of everybody else. As in FQ-CoDel's flow queueing (RFC 8290, section
4.1), a *sparse* entry (nobody of it was waiting when its waiter arrived) goes ahead of the
*backlogged* ones that have had a turn and still wait: someone signing in while a burst is worked
through waits for the turn in progress, not also for one more of the burst's. An entry served that
still has waiters joins the end of the backlogged ones. Sparse arrivals faster than the turns could
hold the backlogged back; the bound on waiters and the sign-in throttles keep that finite.

At most ``max_waiting`` may wait; past that a turn is refused at once (UnavailableError: a 503 with
Retry-After) instead of growing a queue nobody can get through in time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from typing import Generic, TypeVar

from vibe.domain.errors import UnavailableError

__all__ = ["FairQueue"]

T = TypeVar("T")


class _Rotation(Generic[T]):
    """Named entries taking turns: the sparse ones (not yet served since they arrived) first, in
    arrival order, then the backlogged ones, in the order they were last served."""

    def __init__(self) -> None:
        self._sparse: OrderedDict[str, T] = OrderedDict()
        self._backlogged: OrderedDict[str, T] = OrderedDict()

    def __bool__(self) -> bool:
        return bool(self._sparse or self._backlogged)

    def get(self, name: str) -> T | None:
        found = self._sparse.get(name)
        return found if found is not None else self._backlogged.get(name)

    def setdefault(self, name: str, new: Callable[[], T]) -> T:
        found = self.get(name)
        if found is None:
            found = self._sparse[name] = new()
        return found

    def head(self) -> tuple[str, T]:
        """The entry whose turn is next."""
        return next(iter((self._sparse or self._backlogged).items()))

    def served(self, name: str, *, more: bool) -> None:
        """``name`` had its turn: to the end of the backlogged ones if it has ``more`` waiting."""
        entry = self._sparse.pop(name, None)
        if entry is None:
            entry = self._backlogged.pop(name)
        if more:
            self._backlogged[name] = entry

    def remove(self, name: str) -> None:
        if self._sparse.pop(name, None) is None:
            self._backlogged.pop(name, None)


Waiters = _Rotation[deque[asyncio.Future[None]]]


class FairQueue:
    def __init__(self, concurrency: int = 1, max_waiting: int = 100) -> None:
        self._free = concurrency
        self._max_waiting = max_waiting
        self._groups: _Rotation[Waiters] = _Rotation()
        self._waiting = 0

    @property
    def waiting(self) -> int:
        return self._waiting

    @contextlib.asynccontextmanager
    async def turn(self, group: str, key: str) -> AsyncIterator[None]:
        """Hold one turn for the body of the ``async with``; wait for it behind earlier turns of the
        same key, and behind at most one turn of each other key and group (a sparse key and group,
        only behind the other sparse ones)."""
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
        self._groups.setdefault(group, _Rotation).setdefault(key, deque).append(future)
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
        group, keys = self._groups.head()
        key, futures = keys.head()
        future = futures.popleft()
        self._waiting -= 1
        keys.served(key, more=bool(futures))
        self._groups.served(group, more=bool(keys))
        return future

    def _forget(self, group: str, key: str, future: asyncio.Future[None]) -> None:
        keys = self._groups.get(group)
        futures = keys.get(key) if keys is not None else None
        if keys is None or futures is None or future not in futures:
            return
        futures.remove(future)
        self._waiting -= 1
        if not futures:
            keys.remove(key)
            if not keys:
                self._groups.remove(group)
