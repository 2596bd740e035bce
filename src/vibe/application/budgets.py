"""Budgets: each user's spend this month against their monthly token budget, and the checks that
keep a run within it.

A generation is refused before anything is spent when its owner has no budget left (``refuse``,
called in the transaction that queues it). A run checks again before each model call (``check``):
one that crossed the budget while it ran has finished its current call and stops there. Both read
the month's row, which every process updates in the transaction that records a call's usage, so
the count is exact across processes; 20 concurrent runs of one user overspend by at most the one
call each had in flight when the budget ran out.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from vibe.domain.budgets import BudgetStatus, month_start, parse_budget
from vibe.domain.errors import NotFoundError, PermissionDeniedError, RateLimitedError, UpstreamError
from vibe.domain.ports import Clock, Page, SpendSort, UnitOfWork, UnitOfWorkFactory, UserSpend
from vibe.domain.usage import Usage
from vibe.domain.users import User

__all__ = ["Budgets"]

BUDGET_EXCEEDED = "budget_exceeded"


class Overview(msgspec.Struct, frozen=True, kw_only=True):
    """Every user's month, for administrators."""

    period_start: datetime
    default_budget: int | None
    page: Page[UserSpend]


class Budgets:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, default_budget: int | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._default = default_budget

    @property
    def default_budget(self) -> int | None:
        return self._default

    async def status(self, actor: User, user_id: str) -> BudgetStatus:
        """The user's month: the user themself or an administrator; anyone else learns nothing."""
        if not actor.can_manage(user_id):
            raise NotFoundError("No such user.")
        async with self._uow(readonly=True) as uow:
            if await uow.users.get(user_id) is None:
                raise NotFoundError("No such user.")
            return await self.status_in(uow, user_id)

    async def set_budget(self, actor: User, user_id: str, monthly_tokens: int | None) -> BudgetStatus:
        """Set one user's budget (None: the default again); administrators only."""
        if not actor.is_admin:
            if actor.id == user_id:
                raise PermissionDeniedError("Only administrators may set budgets.")
            raise NotFoundError("No such user.")
        budget = parse_budget(monthly_tokens)
        async with self._uow() as uow:
            if await uow.users.get(user_id) is None:
                raise NotFoundError("No such user.")
            await uow.budgets.set_budget(user_id, budget)
            status = await self.status_in(uow, user_id)
            await uow.commit()
        return status

    async def overview(
        self, actor: User, sort: SpendSort, descending: bool, limit: int, offset: int
    ) -> Overview:
        if not actor.is_admin:
            raise PermissionDeniedError("Only administrators may see everyone's spend.")
        month = month_start(self._clock.now())
        async with self._uow(readonly=True) as uow:
            page = await uow.budgets.overview(
                month,
                default_budget=self._default,
                sort=sort,
                descending=descending,
                limit=limit,
                offset=offset,
            )
        return Overview(period_start=month, default_budget=self._default, page=page)

    async def status_in(self, uow: UnitOfWork, user_id: str) -> BudgetStatus:
        month = month_start(self._clock.now())
        own = await uow.budgets.own_budget(user_id)
        return BudgetStatus(
            user_id=user_id,
            period_start=month,
            usage=await uow.budgets.spent(user_id, month),
            budget=own if own is not None else self._default,
            own_budget=own is not None,
        )

    async def refuse(self, uow: UnitOfWork, user_id: str) -> None:
        """In the transaction that queues a generation: RateLimitedError, until the next month, when
        the user has no budget left. It also makes the month's row, so the run's charges update it."""
        status = await self.status_in(uow, user_id)
        if status.exhausted:
            wait = (status.resets_at - self._clock.now()).total_seconds()
            raise RateLimitedError(status.describe(), retry_after=max(1, int(wait) + 1))
        await uow.budgets.charge(user_id, status.period_start, Usage())

    async def check(self, user_id: str) -> None:
        """Before a model call of a run: UpstreamError ``budget_exceeded`` when no budget is left."""
        async with self._uow(readonly=True) as uow:
            status = await self.status_in(uow, user_id)
        if status.exhausted:
            raise UpstreamError(f"Stopped: {status.describe()}", code=BUDGET_EXCEEDED)
