"""The SQL databases the contract machines run against: SQLite always, MariaDB when configured (and
always under CI=true), each migrated once per test; the machines empty them for every example."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from vibe.adapters.sql.engine import create_engine
from vibe.adapters.sql.migrate import upgrade_engine


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_engine(engine)
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "mariadb"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = (
        str(request.getfixturevalue("mysql_url"))
        if request.param == "mariadb"
        else f"sqlite+aiosqlite:///{tmp_path / 'contract.db'}"
    )
    asyncio.run(_migrate(url))
    return url
