"""The durable event log of every session in SQL: numbered and fenced in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from vibe.adapters.sql.tables import generation_events, generations
from vibe.domain.events import Event, StoredEvent, encode
from vibe.domain.generations import UNFINISHED
from vibe.domain.ports import EventStore

__all__ = ["SqlEventStore"]

_UNFINISHED = [s.value for s in UNFINISHED]


class SqlEventStore(EventStore):
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def append(
        self, generation_id: str, attempt: int, events: Sequence[Event]
    ) -> list[StoredEvent] | None:
        owned = (
            generations.c.id == generation_id,
            generations.c.attempt == attempt,
            generations.c.status.in_(_UNFINISHED),
        )
        if not events:  # nothing to number, but the fence still answers
            held = await self._c.execute(select(generations.c.id).where(*owned))
            return [] if held.first() is not None else None
        # One conditional UPDATE both fences the writer and reserves the numbers; its row lock
        # (MySQL) or the write lock (SQLite) serialises concurrent appends to one session.
        reserved = await self._c.execute(
            update(generations).where(*owned).values(last_seq=generations.c.last_seq + len(events))
        )
        if reserved.rowcount != 1:
            return None
        query = select(generations.c.last_seq).where(generations.c.id == generation_id)
        last = (await self._c.execute(query)).scalar_one()
        first = last - len(events) + 1
        stored = [StoredEvent(first + i, *encode(event)) for i, event in enumerate(events)]
        await self._c.execute(
            insert(generation_events),
            [{"generation_id": generation_id, "seq": e.seq, "name": e.name, "data": e.data} for e in stored],
        )
        return stored

    async def after(self, generation_id: str, after: int, limit: int = 1000) -> list[StoredEvent]:
        query = (
            select(generation_events.c.seq, generation_events.c.name, generation_events.c.data)
            .where(generation_events.c.generation_id == generation_id, generation_events.c.seq > after)
            .order_by(generation_events.c.seq)
            .limit(limit)
        )
        return [StoredEvent(r.seq, r.name, bytes(r.data)) for r in await self._c.execute(query)]
