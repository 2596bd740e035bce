"""Spend per user and month, and budgets set for one user, in SQL.

A charge adds to the month's row with one ``UPDATE ... SET n = n + :n`` (atomic, and serialised on
the row by the database); only when there is no row yet is it made, by an insert that adds instead
when a concurrent one made the row first (MySQL ``ON DUPLICATE KEY UPDATE``, SQLite ``ON CONFLICT``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, case, delete, func, literal, select, update
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from vibe.adapters.sql.tables import budgets, spend, users
from vibe.adapters.sql.users import user_from_row
from vibe.domain.budgets import MAX_BUDGET_TOKENS
from vibe.domain.ports import BudgetRepository, Page, SpendSort, UserSpend
from vibe.domain.usage import Usage

__all__ = ["SqlBudgetRepository"]

_FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
_UNLIMITED = MAX_BUDGET_TOKENS + 1  # sorts an unlimited budget after every real one


def _usage(row: RowMapping | None, prefix: str = "") -> Usage:
    if row is None:
        return Usage()
    return Usage(**{name: int(row[prefix + name] or 0) for name in _FIELDS})


class SqlBudgetRepository(BudgetRepository):
    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._c = connection
        self._dialect = dialect

    async def charge(self, user_id: str, period_start: datetime, usage: Usage) -> None:
        where = (spend.c.user_id == user_id, spend.c.period_start == period_start)
        added = {name: spend.c[name] + getattr(usage, name) for name in _FIELDS}
        result = await self._c.execute(update(spend).where(*where).values(added))
        if result.rowcount:
            return
        values = {"user_id": user_id, "period_start": period_start} | {n: getattr(usage, n) for n in _FIELDS}
        if self._dialect == "mysql":
            insert = mysql.insert(spend).values(values)
            fresh = {n: spend.c[n] + insert.inserted[n] for n in _FIELDS}
            await self._c.execute(insert.on_duplicate_key_update(fresh))
        else:
            upsert = sqlite.insert(spend).values(values)
            fresh = {n: spend.c[n] + upsert.excluded[n] for n in _FIELDS}
            conflict = upsert.on_conflict_do_update(index_elements=["user_id", "period_start"], set_=fresh)
            await self._c.execute(conflict)

    async def spent(self, user_id: str, period_start: datetime) -> Usage:
        query = select(spend).where(spend.c.user_id == user_id, spend.c.period_start == period_start)
        return _usage((await self._c.execute(query)).mappings().first())

    async def own_budget(self, user_id: str) -> int | None:
        query = select(budgets.c.monthly_tokens).where(budgets.c.user_id == user_id)
        value = (await self._c.execute(query)).scalar_one_or_none()
        return None if value is None else int(value)

    async def set_budget(self, user_id: str, monthly_tokens: int | None) -> None:
        await self._c.execute(delete(budgets).where(budgets.c.user_id == user_id))
        if monthly_tokens is not None:
            await self._c.execute(budgets.insert().values(user_id=user_id, monthly_tokens=monthly_tokens))

    async def overview(
        self,
        period_start: datetime,
        *,
        default_budget: int | None,
        sort: SpendSort,
        descending: bool,
        limit: int,
        offset: int,
    ) -> Page[UserSpend]:
        month = select(spend).where(spend.c.period_start == period_start).subquery("month")
        spent = sum((func.coalesce(month.c[n], 0) for n in _FIELDS), literal(0))
        effective = func.coalesce(budgets.c.monthly_tokens, literal(default_budget, BigInteger()), _UNLIMITED)
        left = case((effective - spent < 0, 0), else_=effective - spent)
        keys: dict[str, ColumnElement[Any]] = {
            "email": users.c.email_normalized,
            "spent": spent,
            "budget": effective,
            "remaining": case((effective >= _UNLIMITED, _UNLIMITED), else_=left),
        }
        key = keys[sort]
        joined = users.outerjoin(month, month.c.user_id == users.c.id).outerjoin(
            budgets, budgets.c.user_id == users.c.id
        )
        query = (
            select(users, budgets.c.monthly_tokens, *(month.c[n].label(f"m_{n}") for n in _FIELDS))
            .select_from(joined)
            .order_by(
                key.desc() if descending else key.asc(), users.c.id.desc() if descending else users.c.id
            )
            .limit(limit)
            .offset(offset)
        )
        total = (await self._c.execute(select(func.count()).select_from(users))).scalar_one()
        rows = (await self._c.execute(query)).mappings().all()
        items = [
            UserSpend(
                user=user_from_row(row),
                usage=_usage(row, "m_"),
                own_budget=None if row["monthly_tokens"] is None else int(row["monthly_tokens"]),
            )
            for row in rows
        ]
        return Page(items=items, total=total)
