"""The database's readiness probe: one ``SELECT 1`` on a pooled connection."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from vibe.domain.ports import ReadinessProbe

__all__ = ["SqlReadiness"]


class SqlReadiness(ReadinessProbe):
    name = "database"

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def ping(self) -> None:
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
