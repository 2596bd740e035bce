"""Writing a session's events (durable first, then live) and following them (replay, then live).

Writer: events are batched for a few milliseconds, stored in the durable log in one fenced
transaction, and only then published to the live log; so a stream never shows an event that a
restart could lose, and a writer whose session was taken over or cancelled stops at its next flush.

Follower: one cursor over both logs. It reads the live log when that holds the session and the
durable log otherwise, and the durable log also whenever the live one skips an id, so a client
resuming after ``Last-Event-ID: N`` gets every later event once, in order, whichever process wrote
them, even one that died between its two writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from vibe.domain.budgets import month_start
from vibe.domain.events import Event, StoredEvent, UsageEvent
from vibe.domain.ports import Clock, LiveEvents, UnitOfWork, UnitOfWorkFactory
from vibe.domain.usage import Usage

__all__ = ["Fenced", "SessionWriter", "follow"]

FLUSH_SECONDS = 0.03
FLUSH_EVENTS = 128


class Fenced(Exception):
    """This writer no longer owns the session (cancelled, finished or claimed by another attempt)."""


class SessionWriter:
    """Batches one attempt's events into the durable log, then the live log.

    Use as ``async with``; call ``stop`` before the final write, which the caller makes in its own unit
    of work with ``take`` (so the last events, the version and the session's end commit together).
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        live: LiveEvents,
        generation_id: str,
        attempt: int,
        *,
        owner: str,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._live = live
        self.generation_id = generation_id
        self.attempt = attempt
        self._owner = owner  # whose budget the session's usage counts against
        self._clock = clock
        self._pending: list[Event] = []
        self._flusher: asyncio.Task[None] | None = None
        self._closing = False
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> SessionWriter:
        self._flusher = asyncio.create_task(self._flush_periodically(), name=f"flush-{self.generation_id}")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        with contextlib.suppress(Fenced):
            await self.stop()

    async def emit(self, event: Event) -> None:
        """Queue one event; raises Fenced once the session is no longer this writer's."""
        if self._flusher is not None and self._flusher.done() and not self._flusher.cancelled():
            self._flusher.result()  # re-raises the flusher's Fenced
        self._pending.append(event)
        if len(self._pending) >= FLUSH_EVENTS:
            await self.flush()

    async def flush(self) -> None:
        """Store what is pending in a transaction of its own, then publish it. The usage the batch
        carries is recorded even when the session is no longer this writer's (then Fenced)."""
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return
            async with self._uow() as uow:
                stored = await self._store(uow, batch)
                await uow.commit()
            if stored is None:
                raise Fenced(self.generation_id)
            await self._live.publish(self.generation_id, stored)

    async def stop(self) -> None:
        """End the periodic flushes after the one in progress (never in the middle of one, which
        could store a batch without publishing it), then flush what is left. Raises Fenced if the
        session is no longer this writer's."""
        self._closing = True
        if self._flusher is not None:
            await asyncio.shield(self._flusher)
        await self.flush()

    async def take(self, uow: UnitOfWork, events: Sequence[Event]) -> list[StoredEvent]:
        """After ``stop``: store the last ``events`` in the caller's unit of work. The caller
        commits, then calls ``publish`` with the result."""
        stored = await self._store(uow, events)
        if stored is None:
            raise Fenced(self.generation_id)
        return stored

    async def _store(self, uow: UnitOfWork, events: Sequence[Event]) -> list[StoredEvent] | None:
        month = month_start(self._clock.now())
        return await store_events(uow, self.generation_id, self.attempt, events, self._owner, month)

    async def publish(self, stored: list[StoredEvent]) -> None:
        await self._live.publish(self.generation_id, stored)

    async def _flush_periodically(self) -> None:
        while not self._closing:
            await asyncio.sleep(FLUSH_SECONDS)
            if self._pending and not self._closing:
                await self.flush()


async def store_events(
    uow: UnitOfWork, generation_id: str, attempt: int, events: Sequence[Event], owner: str, month: datetime
) -> list[StoredEvent] | None:
    """Append ``events`` to the durable log, fenced on ``attempt`` (None when fenced out), and add the
    usage they carry to the session's and to its ``owner``'s spend of ``month``, unfenced: what a
    call billed is a fact whatever became of the run. All in the caller's transaction, so the
    month's total is exactly the sum of its sessions' usage, whichever process wrote them."""
    billed = sum((_usage(e) for e in events if isinstance(e, UsageEvent)), Usage())
    if not billed.empty:
        await uow.generations.add_usage(generation_id, billed)
        await uow.budgets.charge(owner, month, billed)
    return await uow.events.append(generation_id, attempt, events)


def _usage(event: UsageEvent) -> Usage:
    return Usage(
        input_tokens=event.input_tokens,
        output_tokens=event.output_tokens,
        cache_creation_input_tokens=event.cache_creation_input_tokens,
        cache_read_input_tokens=event.cache_read_input_tokens,
    )


async def follow(
    uow: UnitOfWorkFactory, live: LiveEvents, generation_id: str, after: int, heartbeat: float
) -> AsyncIterator[StoredEvent | None]:
    """Every event after ``after``, then the live ones as they come, until the last; ``None`` marks a
    quiet ``heartbeat`` (the caller sends a comment line)."""
    cursor = after
    quiet_since = time.monotonic()
    while True:
        started = time.monotonic()
        batch = _contiguous(await live.read(generation_id, cursor, timeout=heartbeat), cursor)
        if not batch:
            batch, finished = await _durable(uow, generation_id, cursor)
            if not batch and finished:
                return
            if not batch and time.monotonic() - started < heartbeat / 2:
                await asyncio.sleep(min(heartbeat, 0.25))  # not live here: poll the durable log gently
        for event in batch:
            yield event
            cursor = event.seq
            if event.terminal:
                return
        if batch:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= heartbeat:
            quiet_since = time.monotonic()
            yield None


def _contiguous(batch: list[StoredEvent] | None, cursor: int) -> list[StoredEvent]:
    """The events of a live batch that follow ``cursor`` without a gap. The live log can miss events
    for good (a writer killed between its durable write and its publish, a publish lost to a Redis
    outage) while later ones reach it; then this is empty, and the durable log fills the gap."""
    events: list[StoredEvent] = []
    for event in batch or ():
        if event.seq != cursor + len(events) + 1:
            break
        events.append(event)
    return events


async def _durable(uow: UnitOfWorkFactory, generation_id: str, cursor: int) -> tuple[list[StoredEvent], bool]:
    async with uow(readonly=True) as work:
        events = await work.events.after(generation_id, cursor)
        if events:
            return events, False
        generation = await work.generations.get(generation_id)
    return [], generation is None or generation.finished
