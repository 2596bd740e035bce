"""The SQL unit of work: one connection, one transaction, every repository on it."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import StaticPool

from vibe.adapters.sql.budgets import SqlBudgetRepository
from vibe.adapters.sql.engine import READONLY
from vibe.adapters.sql.errors import translate
from vibe.adapters.sql.events import SqlEventStore
from vibe.adapters.sql.generations import SqlGenerationRepository
from vibe.adapters.sql.projects import SqlProjectRepository
from vibe.adapters.sql.sites import SqlSiteRepository
from vibe.adapters.sql.tokens import SqlTokenRepository
from vibe.adapters.sql.users import SqlUserRepository
from vibe.domain.ports import UnitOfWork, UnitOfWorkFactory

__all__ = ["SqlUnitOfWorkFactory"]


class SqlUnitOfWork(UnitOfWork):
    """Rolls back unless committed. Database outages surface as UnavailableError."""

    def __init__(
        self, engine: AsyncEngine, *, readonly: bool = False, turn: asyncio.Lock | None = None
    ) -> None:
        self._engine = engine
        self._readonly = readonly
        self._turn = turn
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        if self._turn is not None:
            await self._turn.acquire()
        try:
            return await self._begin()
        except BaseException:
            if self._turn is not None:
                self._turn.release()
            raise

    async def _begin(self) -> Self:
        try:
            connection = await self._engine.connect()
            if self._readonly:
                connection = await connection.execution_options(**{READONLY: True})
            await connection.begin()
        except Exception as error:
            raise translate(error) from error
        self._connection = connection
        dialect = connection.dialect.name
        self.users = SqlUserRepository(connection, dialect)
        self.tokens = SqlTokenRepository(connection)
        self.projects = SqlProjectRepository(connection)
        self.generations = SqlGenerationRepository(connection, dialect)
        self.events = SqlEventStore(connection)
        self.budgets = SqlBudgetRepository(connection, dialect)
        self.sites = SqlSiteRepository(connection)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if connection.in_transaction():
                await connection.rollback()
            await connection.close()
        except Exception:  # noqa: S110 - a broken connection; the pool discards it
            pass
        finally:
            if self._turn is not None:
                self._turn.release()
        if exc is not None:
            translated = translate(exc)
            if translated is not exc:
                raise translated from exc

    async def commit(self) -> None:
        assert self._connection is not None, "commit outside the unit of work"
        try:
            await self._connection.commit()
        except Exception as error:
            raise translate(error) from error

    async def rollback(self) -> None:
        assert self._connection is not None, "rollback outside the unit of work"
        await self._connection.rollback()


class SqlUnitOfWorkFactory(UnitOfWorkFactory):
    """Units of work on ``engine``. An in-memory SQLite database lives in one connection that every
    unit of work shares (a StaticPool), so there they take turns: one transaction at a time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._shared_connection = isinstance(engine.sync_engine.pool, StaticPool)
        self._turn: asyncio.Lock | None = None

    def __call__(self, *, readonly: bool = False) -> SqlUnitOfWork:
        if self._shared_connection and self._turn is None:
            self._turn = asyncio.Lock()
        return SqlUnitOfWork(self.engine, readonly=readonly, turn=self._turn)
