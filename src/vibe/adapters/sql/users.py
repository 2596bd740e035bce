"""Users in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from vibe.adapters.sql.errors import translate
from vibe.adapters.sql.tables import users
from vibe.domain.ports import Page, UserRepository
from vibe.domain.users import Role, User

__all__ = ["SqlUserRepository", "user_from_row"]

_CONFLICTS = {"uq_users_email_normalized": "An account with this email already exists."}


def user_from_row(row: RowMapping) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        email_normalized=row["email_normalized"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        password_hash=row["password_hash"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _values(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "email_normalized": user.email_normalized,
        "display_name": user.display_name,
        "role": user.role.value,
        "password_hash": user.password_hash,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


class SqlUserRepository(UserRepository):
    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._c = connection
        self._dialect = dialect

    async def add(self, user: User) -> None:
        try:
            await self._c.execute(insert(users).values(_values(user)))
        except IntegrityError as error:
            raise translate(error, _CONFLICTS) from error

    async def get(self, user_id: str) -> User | None:
        row = (await self._c.execute(select(users).where(users.c.id == user_id))).mappings().first()
        return user_from_row(row) if row else None

    async def get_by_email(self, email_normalized: str) -> User | None:
        query = select(users).where(users.c.email_normalized == email_normalized)
        row = (await self._c.execute(query)).mappings().first()
        return user_from_row(row) if row else None

    async def page(self, limit: int, offset: int) -> Page[User]:
        total = (await self._c.execute(select(func.count()).select_from(users))).scalar_one()
        query = select(users).order_by(users.c.created_at, users.c.id).limit(limit).offset(offset)
        rows = (await self._c.execute(query)).mappings().all()
        return Page(items=[user_from_row(r) for r in rows], total=total)

    async def change(
        self,
        user_id: str,
        now: datetime,
        *,
        display_name: str | None = None,
        role: Role | None = None,
        password_hash: str | None = None,
        if_password_hash: str | None = None,
    ) -> User | None:
        changes = {"display_name": display_name, "role": role.value if role else None}
        changes["password_hash"] = password_hash
        values: dict[str, Any] = {k: v for k, v in changes.items() if v is not None} | {"updated_at": now}
        statement = update(users).where(users.c.id == user_id)
        if if_password_hash is not None:
            statement = statement.where(users.c.password_hash == if_password_hash)
        if (await self._c.execute(statement.values(values))).rowcount == 0:
            return None
        return await self.get(user_id)

    async def delete(self, user_id: str) -> None:
        await self._c.execute(delete(users).where(users.c.id == user_id))

    async def lock(self, user_id: str) -> None:
        # SQLite's BEGIN IMMEDIATE already serialises writers; MySQL needs the row lock.
        if self._dialect != "sqlite":
            await self._c.execute(select(users.c.id).where(users.c.id == user_id).with_for_update())
