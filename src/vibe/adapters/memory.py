"""In-process twins of the shared-state ports: rate limiter, token denylist, cache, live event log and
the inline job queue. Correct for one process (the embedded default); Redis replaces them for several.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence

from vibe.domain.circuit import Circuit
from vibe.domain.events import StoredEvent
from vibe.domain.ports import (
    Cache,
    CancelBus,
    CircuitStore,
    Clock,
    Denylist,
    DenylistForgotten,
    JobHandler,
    JobQueue,
    LiveEvents,
    Quota,
    RateLimiter,
    TraceCarrier,
    WindowCount,
)

__all__ = [
    "InMemoryCache",
    "InMemoryCircuitStore",
    "InMemoryDenylist",
    "InMemoryLiveEvents",
    "InMemoryRateLimiter",
    "InlineJobQueue",
]

_SWEEP_EVERY = 1024


class _Window:
    __slots__ = ("count", "ends", "members")

    def __init__(self, ends: float) -> None:
        self.count = 0
        self.ends = ends
        self.members: set[str] = set()


class InMemoryRateLimiter(RateLimiter):
    """Fixed windows per key, on the injected clock. Each ``take`` runs without awaiting, so it is
    atomic in this process, as the Redis script is across processes."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._takes = 0

    def _window(self, quota: Quota, now: float) -> _Window:
        window = self._windows.get(quota.key)
        if window is None or now >= window.ends:
            window = self._windows[quota.key] = _Window(now + quota.window_seconds)
        return window

    async def take(self, quotas: Sequence[Quota]) -> WindowCount | None:
        now = self._clock.now().timestamp()
        self._sweep(now)
        taken: list[Quota] = []
        for quota in quotas:
            window = self._window(quota, now)
            count = len(window.members) if quota.member is not None else window.count
            if quota.member is not None and quota.member in window.members:
                continue  # counted already
            if count >= quota.limit:
                await self.give_back(taken)
                return WindowCount(count, max(1, math.ceil(window.ends - now)))
            if not quota.count:
                continue
            if quota.member is not None:
                window.members.add(quota.member)
            else:
                window.count += 1
            taken.append(quota)
        return None

    async def give_back(self, quotas: Sequence[Quota]) -> None:
        for quota in quotas:
            window = self._windows.get(quota.key)
            if window is None:
                continue
            if quota.member is not None:
                window.members.discard(quota.member)
            else:
                window.count = max(0, window.count - 1)

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    def _sweep(self, now: float) -> None:
        self._takes += 1
        if self._takes % _SWEEP_EVERY == 0:
            self._windows = {k: w for k, w in self._windows.items() if w.ends > now}


class InMemoryDenylist(Denylist):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._until: dict[str, float] = {}
        self._writes = 0
        self._restored = False  # a new process remembers nothing of the revocations before it

    async def deny(self, key: str, ttl_seconds: int) -> None:
        now = self._clock.now().timestamp()
        self._until[key] = max(self._until.get(key, 0.0), now + ttl_seconds)
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            self._until = {k: t for k, t in self._until.items() if t > now}

    async def is_denied(self, *keys: str) -> bool:
        if not self._restored:
            raise DenylistForgotten
        now = self._clock.now().timestamp()
        return any(self._until.get(key, 0.0) > now for key in keys)

    async def mark_restored(self) -> None:
        self._restored = True


class InMemoryCache(Cache):
    """A bounded LRU with per-entry TTL (monotonic time)."""

    def __init__(self, max_entries: int = 10_000, now: Callable[[], float] = time.monotonic) -> None:
        self._max = max_entries
        self._now = now
        self._entries: OrderedDict[str, tuple[bytes, float]] = OrderedDict()

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= self._now():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[0]

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        self._entries[key] = (value, self._now() + ttl_seconds)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)


class _LiveSession:
    __slots__ = ("events", "signal")

    def __init__(self) -> None:
        self.events: list[StoredEvent] = []
        self.signal = asyncio.Event()


class InMemoryLiveEvents(LiveEvents):
    """Every event of the sessions published in this process, kept a while after they finish.

    Readers wait on one asyncio.Event per session, replaced on every publish, so a thousand streams on
    one session cost one wake-up each and no polling.
    """

    def __init__(self, retention_seconds: float = 600.0, now: Callable[[], float] = time.monotonic) -> None:
        self._sessions: dict[str, _LiveSession] = {}
        self._expiry: deque[tuple[float, str]] = deque()
        self._retention = retention_seconds
        self._now = now

    async def publish(self, generation_id: str, events: Sequence[StoredEvent]) -> None:
        self._expire()
        session = self._sessions.get(generation_id)
        if session is None:
            session = self._sessions[generation_id] = _LiveSession()
        last = session.events[-1].seq if session.events else 0
        fresh = [e for e in events if e.seq > last]
        if not fresh:
            return
        session.events.extend(fresh)
        signal, session.signal = session.signal, asyncio.Event()
        signal.set()
        if fresh[-1].terminal:
            self._expiry.append((self._now() + self._retention, generation_id))

    async def read(self, generation_id: str, after: int, timeout: float = 0) -> list[StoredEvent] | None:
        session = self._sessions.get(generation_id)
        if session is None:
            return None
        if session.events and session.events[0].seq > after + 1:
            return None  # this log does not hold the start of what was asked
        if timeout <= 0:
            return self._after(session, after)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                # Woken by every publish; waits on while they hold nothing past ``after`` (a reader
                # that read ahead in the durable log), so it never returns empty-handed early.
                while not self._after(session, after) and not self._ended(session):
                    await session.signal.wait()
        return self._after(session, after)

    @staticmethod
    def _ended(session: _LiveSession) -> bool:
        return bool(session.events) and session.events[-1].terminal

    @staticmethod
    def _after(session: _LiveSession, after: int) -> list[StoredEvent]:
        if not session.events:
            return []
        start = max(0, after - session.events[0].seq + 1)
        return session.events[start:]

    def _expire(self) -> None:
        now = self._now()
        while self._expiry and self._expiry[0][0] <= now:
            self._sessions.pop(self._expiry.popleft()[1], None)


RETRY_PAUSES = (0.5, 1.0, 2.0, 5.0, 10.0)
log = logging.getLogger("vibe.queue")


class InlineJobQueue(JobQueue):
    """Runs each generation as a background task of this process, owned here and never by a request.

    With several processes (Redis configured), cancel requests travel on ``bus`` to whichever
    process runs the session.
    """

    def __init__(self, bus: CancelBus | None = None) -> None:
        self._handler: JobHandler | None = None
        self._tasks: dict[str, asyncio.Task[object]] = {}
        self._bus = bus

    async def start(self, handler: JobHandler) -> None:
        self._handler = handler
        if self._bus is not None:
            self._bus.listen(self._cancel_local)

    async def enqueue(self, generation_id: str, trace: TraceCarrier | None = None) -> None:
        if self._handler is None:
            raise RuntimeError("the job queue is not started")
        if generation_id in self._tasks:
            return  # already running here
        run = self._run(generation_id, dict(trace or {}))
        task = asyncio.get_running_loop().create_task(run, name=f"gen-{generation_id}")
        self._tasks[generation_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(generation_id, None))

    async def _run(self, generation_id: str, trace: TraceCarrier) -> None:
        """Run the job; when the handler says it is not settled (False: say the database did not
        answer), try again a few times with a growing pause before leaving it to the stale requeue."""
        assert self._handler is not None
        for pause in RETRY_PAUSES:
            try:
                if await self._handler(generation_id, trace) is not False:
                    return
            except Exception:
                log.exception("generation %s failed to run", generation_id)
            await asyncio.sleep(pause)

    async def cancel(self, generation_id: str) -> None:
        self._cancel_local(generation_id)
        if self._bus is not None:
            await self._bus.publish(generation_id)

    def _cancel_local(self, generation_id: str) -> None:
        task = self._tasks.get(generation_id)
        if task is not None:
            task.cancel()

    async def depth(self) -> int:
        return len(self._tasks)

    async def aclose(self) -> None:
        if self._bus is not None:
            await self._bus.aclose()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class InMemoryCircuitStore(CircuitStore):
    """The model's circuit breaker state for this process alone (without Redis)."""

    def __init__(self) -> None:
        self._circuit = Circuit()

    async def read(self) -> Circuit:
        return self._circuit

    async def update(self, change: Callable[[Circuit], Circuit]) -> tuple[Circuit, Circuit]:
        before = self._circuit
        self._circuit = change(before)
        return before, self._circuit
