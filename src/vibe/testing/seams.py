"""The parts a ``Vibe`` was built on, for a test that must read or plant state behind its back.

A test that asks "what is in the database now?" or "what does the clock say?" takes the part here,
by its port, rather than reaching into ``Vibe.container``: the container stays the wiring's own
business, and every such reach is in one place a reader can find.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vibe.bootstrap import Vibe

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from vibe.domain.ports import (
        Cache,
        CancelBus,
        Clock,
        JobQueue,
        LiveEvents,
        ModelClient,
        UnitOfWorkFactory,
    )

__all__ = [
    "cache",
    "cancel_bus",
    "clock",
    "database",
    "drop_connections",
    "live_events",
    "model",
    "queue",
    "redis",
]


def database(app: Vibe) -> UnitOfWorkFactory:
    """The unit-of-work factory ``app`` stores in: ``async with database(app)() as uow: ...``."""
    return app.container.uow()


def clock(app: Vibe) -> Clock:
    """The clock ``app`` reads the time from."""
    return app.container.clock()


def model(app: Vibe) -> ModelClient:
    """The model ``app`` generates with, as wired (behind its circuit breaker when it has one)."""
    return app.container.model()


def cache(app: Vibe) -> Cache:
    """The read cache (in memory, or tiered over Redis)."""
    found: Cache = app.container.cache()
    return found


def live_events(app: Vibe) -> LiveEvents:
    """The live feed of generation events that streams read from."""
    found: LiveEvents = app.container.live_events()
    return found


def queue(app: Vibe) -> JobQueue:
    """The job queue ``app`` runs generations from (``await queue(app).aclose()``: as if the process
    died before it ran what is queued)."""
    found: JobQueue = app.container.queue()
    return found


def redis(app: Vibe) -> Redis | None:
    """The Redis client, or None on the embedded default."""
    return app.container.redis()


def cancel_bus(app: Vibe) -> CancelBus | None:
    """The bus that carries cancellations between processes (None without Redis)."""
    found: CancelBus | None = app.container.cancel_bus()
    return found


async def drop_connections(app: Vibe) -> None:
    """Close every pooled database connection (as a database restart would); the pool opens new
    ones on the next use."""
    await app.container.engine().dispose()
