"""Throwaway databases on the real MariaDB for integration tests."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

import pymysql
from sqlalchemy.engine import make_url


@contextlib.contextmanager
def fresh_mysql_database(admin_url: str) -> Iterator[str]:
    """Create an empty database on the server of ``admin_url``, yield its async URL, drop it after."""
    url = make_url(admin_url)
    name = f"vibe_test_{secrets.token_hex(6)}"
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
