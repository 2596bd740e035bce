"""Request and response bodies of budgets, spend and estimates (docs/api.md, "Budgets")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from vibe.domain.budgets import MAX_BUDGET_TOKENS, BudgetStatus, counted_tokens
from vibe.domain.ports import UserSpend
from vibe.entrypoints.http.schemas import UserOut, user_out

__all__ = ["BudgetIn", "EstimateIn", "EstimateOut", "SpendPage", "UsageOut", "usage_out", "user_usage_out"]


class BudgetIn(msgspec.Struct):
    """``monthly_tokens``: input plus output tokens a month, 0 to 10^15 (0 stops all spending); null:
    back to the default. The range is the domain's rule (``parse_budget``), checked with a 422 that
    names the field."""

    monthly_tokens: Annotated[
        int | None, Meta(description=f"Tokens a month, 0 to {MAX_BUDGET_TOKENS}; null: the default.")
    ]


class UsageOut(msgspec.Struct):
    """A user's spend since ``period_start`` (the month, UTC). ``input_tokens`` is the input billed at
    the full rate; with the cache fields it is all the input. ``spent`` is what counts against the
    budget: all input and output. ``budget`` and ``remaining`` are null when unlimited."""

    period_start: datetime
    input_tokens: int
    output_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int
    spent: int
    budget: int | None
    remaining: int | None
    own_budget: bool
    resets_at: datetime


class UserUsageOut(msgspec.Struct):
    user: UserOut
    input_tokens: int
    output_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int
    spent: int
    budget: int | None
    remaining: int | None
    own_budget: bool


class SpendPage(msgspec.Struct):
    period_start: datetime
    default_budget: int | None
    items: list[UserUsageOut]
    total: int


class EstimateIn(msgspec.Struct):
    prompt: Annotated[str, Meta(max_length=100_000)]
    project_id: Annotated[str, Meta(max_length=64)] | None = None


class EstimateOut(msgspec.Struct):
    """What the first model call would send, before anything is spent. ``counted_by``: ``provider``
    when the provider counted it (exact), ``estimate`` for vibe's documented estimate."""

    input_tokens: int
    max_output_tokens: int
    counted_by: Literal["provider", "estimate"]


def usage_out(status: BudgetStatus) -> UsageOut:
    usage = status.usage
    return UsageOut(
        period_start=status.period_start,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_input_tokens=usage.cache_read_input_tokens,
        cache_creation_input_tokens=usage.cache_creation_input_tokens,
        spent=status.spent,
        budget=status.budget,
        remaining=status.remaining,
        own_budget=status.own_budget,
        resets_at=status.resets_at,
    )


def user_usage_out(row: UserSpend, default_budget: int | None) -> UserUsageOut:
    usage = row.usage
    budget = row.own_budget if row.own_budget is not None else default_budget
    spent = counted_tokens(usage)
    return UserUsageOut(
        user=user_out(row.user),
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_input_tokens=usage.cache_read_input_tokens,
        cache_creation_input_tokens=usage.cache_creation_input_tokens,
        spent=spent,
        budget=budget,
        remaining=None if budget is None else max(0, budget - spent),
        own_budget=row.own_budget is not None,
    )
