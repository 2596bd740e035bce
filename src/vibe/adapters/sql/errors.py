"""Translate database failures into the domain's error tree.

A unique violation becomes ConflictError by the name of the constraint it broke. MySQL names the key
in its error; SQLite names only the columns, so those are mapped back to the constraint through the
schema. A lost or refused connection becomes UnavailableError (HTTP 503), never a 500.
"""

from __future__ import annotations

import re

from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from vibe.adapters.sql.tables import metadata
from vibe.domain.errors import ConflictError, UnavailableError

__all__ = ["translate"]

_MYSQL_KEY = re.compile(r"for key '(?:[^'.]+\.)?([^']+)'")
_SQLITE_COLUMNS = re.compile(r"UNIQUE constraint failed: (.+)$")
_SQLITE_UNIQUES = {
    ", ".join(f"{table.name}.{col.name}" for col in constraint.columns): str(constraint.name)
    for table in metadata.tables.values()
    for constraint in table.constraints
    if isinstance(constraint, UniqueConstraint)
} | {
    ", ".join(f"{table.name}.{col.name}" for col in table.primary_key.columns): str(table.primary_key.name)
    for table in metadata.tables.values()
}

# MySQL/MariaDB errors meaning the server is gone, refuses us, or gave up on a lock (a deadlock or a
# lock wait timeout: the statement was fine, retrying it later will do) - never a bad statement.
_MYSQL_UNAVAILABLE = {1040, 1045, 1049, 1053, 1205, 1213, 2002, 2003, 2006, 2013, 2055}


def constraint_name(error: IntegrityError) -> str | None:
    message = str(error.orig)
    if match := _MYSQL_KEY.search(message):
        return match.group(1)
    if match := _SQLITE_COLUMNS.search(message):
        return _SQLITE_UNIQUES.get(match.group(1).strip())
    return None


def translate(error: BaseException, conflicts: dict[str, str] | None = None) -> BaseException:
    """The domain error for ``error``, or ``error`` itself when it is a genuine bug."""
    if isinstance(error, IntegrityError) and conflicts:
        name = constraint_name(error)
        if name in conflicts:
            return ConflictError(conflicts[name])
    if isinstance(error, InterfaceError) or (isinstance(error, DBAPIError) and error.connection_invalidated):
        return UnavailableError("The database is unavailable; try again shortly.")
    if isinstance(error, OperationalError):
        code = error.orig.args[0] if error.orig is not None and error.orig.args else None
        if code in _MYSQL_UNAVAILABLE or "unable to open" in str(error.orig) or "locked" in str(error.orig):
            return UnavailableError("The database is unavailable; try again shortly.")
    if isinstance(error, (ConnectionError, OSError, TimeoutError)):
        return UnavailableError("The database is unavailable; try again shortly.")
    return error
