"""The database's readiness probe: one ``SELECT 1`` on a pooled connection."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from vibe.adapters.readiness import Probe
from vibe.domain.ports import ReadinessProbe

__all__ = ["database_probe"]


def database_probe(engine: AsyncEngine) -> ReadinessProbe:
    async def select_one() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return Probe("database", select_one)
