"""The in-memory twin of the SQL spend and budget tables (a part of ``InMemoryDatabase``)."""

from __future__ import annotations

from datetime import datetime

from vibe.domain.budgets import MAX_BUDGET_TOKENS, counted_tokens
from vibe.domain.ports import BudgetRepository, Page, SpendSort, UserSpend
from vibe.domain.usage import Usage
from vibe.domain.users import User

__all__ = ["InMemoryBudgets"]


class InMemoryBudgets(BudgetRepository):
    """Spend and budgets over one unit of work's tables (the dicts of its state)."""

    def __init__(
        self, users: dict[str, User], spend: dict[tuple[str, datetime], Usage], budgets: dict[str, int]
    ) -> None:
        self._users = users
        self._spend = spend
        self._budgets = budgets

    async def charge(self, user_id: str, period_start: datetime, usage: Usage) -> None:
        key = (user_id, period_start)
        self._spend[key] = self._spend.get(key, Usage()) + usage

    async def spent(self, user_id: str, period_start: datetime) -> Usage:
        return self._spend.get((user_id, period_start), Usage())

    async def own_budget(self, user_id: str) -> int | None:
        return self._budgets.get(user_id)

    async def set_budget(self, user_id: str, monthly_tokens: int | None) -> None:
        self._budgets.pop(user_id, None)
        if monthly_tokens is not None:
            self._budgets[user_id] = monthly_tokens

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
        rows = [
            UserSpend(
                user=user,
                usage=self._spend.get((user.id, period_start), Usage()),
                own_budget=self._budgets.get(user.id),
            )
            for user in self._users.values()
        ]
        unlimited = MAX_BUDGET_TOKENS + 1

        def key(row: UserSpend) -> tuple[object, str]:
            spent = counted_tokens(row.usage)
            budget = row.own_budget if row.own_budget is not None else default_budget
            effective = unlimited if budget is None else budget
            value: object = {
                "email": row.user.email_normalized,
                "spent": spent,
                "budget": effective,
                "remaining": unlimited if budget is None else max(0, effective - spent),
            }[sort]
            return value, row.user.id

        ordered = sorted(rows, key=key, reverse=descending)
        return Page(items=ordered[offset : offset + limit], total=len(ordered))
