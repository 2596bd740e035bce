"""Throwaway databases on a real MariaDB or MySQL server, for integration tests and benchmarks."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

import pymysql  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

__all__ = ["fresh_mysql_database"]


@contextlib.contextmanager
def fresh_mysql_database(admin_url: str, prefix: str = "vibe_test") -> Iterator[str]:
    """Create an empty database on the server of ``admin_url``, yield its async URL, drop it after."""
    url = make_url(admin_url)
    name = f"{prefix}_{secrets.token_hex(6)}"
    connection = pymysql.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        yield url.set(drivername="mysql+aiomysql", database=name).render_as_string(hide_password=False)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        connection.close()
