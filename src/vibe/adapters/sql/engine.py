"""Async engines for SQLite (embedded) and MySQL/MariaDB (production), tuned for each.

SQLite: WAL, a busy timeout, foreign keys on, and SQLAlchemy (not the driver) emits BEGIN, so a write
transaction starts with BEGIN IMMEDIATE and takes the write lock up front instead of failing on upgrade.
MySQL: pre-ping and recycle below the server's wait_timeout, so idle connections never surprise us.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy.ext.asyncio
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["READONLY", "create_engine", "sqlite_file"]

READONLY = "vibe_readonly"  # execution option: a transaction that only reads (plain BEGIN on SQLite)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_recycle", 1800)
    if "poolclass" not in kwargs:  # a NullPool (migrations) takes no pool sizes
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    return _create_async_engine(url, **kwargs)


def _create_async_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # Looked up when called: with tracing on, OpenTelemetry's SQLAlchemy instrumentation replaces it
    # (after this module was imported) with a version whose engines report their statements as spans.
    return sqlalchemy.ext.asyncio.create_async_engine(url, **kwargs)


def _sqlite_engine(url: str, **kwargs: Any) -> AsyncEngine:
    database = make_url(url).database
    in_memory = not database or database == ":memory:" or database.startswith("file::memory:")
    if not in_memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
    engine = _create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        readonly = conn.get_execution_options().get(READONLY, False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database)
