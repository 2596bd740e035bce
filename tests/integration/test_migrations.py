"""Alembic migrations build exactly the schema the code declares, on SQLite and on MariaDB."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from vibe.adapters.sql.engine import create_engine
from vibe.adapters.sql.migrate import upgrade, upgrade_engine
from vibe.adapters.sql.tables import metadata


def _drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _assert_migrated(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) >= set(metadata.tables) | {"alembic_version"}
            assert await connection.run_sync(_drift) == []
        await upgrade_engine(engine)  # a second run is a no-op
    finally:
        await engine.dispose()


async def test_migrations_on_sqlite(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    await upgrade_engine(engine)
    await engine.dispose()
    await _assert_migrated(sqlite_url)


def test_the_blocking_upgrade_used_by_the_cli_on_sqlite(sqlite_url: str) -> None:
    upgrade(sqlite_url)


async def test_migrations_on_mariadb(mysql_url: str) -> None:
    engine = create_engine(mysql_url)
    await upgrade_engine(engine)
    await engine.dispose()
    await _assert_migrated(mysql_url)


def test_the_blocking_upgrade_used_by_the_cli_on_mariadb(mysql_url: str) -> None:
    upgrade(mysql_url)
    upgrade(mysql_url)  # and again: nothing to do
