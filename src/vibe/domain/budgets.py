"""Monthly token budgets: what counts against a budget, the month it counts in, and what is left.

What counts (README "Configuration": "input of every kind plus output") is every token a model call
was billed for: input at the full rate, input written to and read from the prompt cache, and output.
Cache reads count in full, on purpose: a budget is a number of tokens, the same on every provider and model,
while the discount for a cache hit is a price that differs by provider (a tenth of the input rate on
Claude, a half or a quarter elsewhere, nothing on a local server). Counting every token also keeps
the budget predictable for the person who spends it: the estimate shown before a run ("≈ 12k tokens
in") is what the run's first call takes from the budget, whether or not the cache serves it.

The month is the calendar month in UTC: a call's tokens count in the month in which they are
recorded. A month's spend is one row per user and month, added to in the same transaction that
records a call's usage on its session, so it is exact across processes and never summed at read time.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from vibe.domain.errors import InvalidInputError
from vibe.domain.usage import Usage

__all__ = [
    "MAX_BUDGET_TOKENS",
    "BudgetStatus",
    "counted_tokens",
    "month_start",
    "next_month_start",
    "parse_budget",
]

MAX_BUDGET_TOKENS = 10**15


def counted_tokens(usage: Usage) -> int:
    """The tokens ``usage`` takes from a budget: all of its input, whatever the cache did, and its output."""
    return usage.total_input + usage.output_tokens


def month_start(now: datetime) -> datetime:
    """The first instant (UTC) of the calendar month that holds ``now``."""
    utc = now.astimezone(UTC)
    return datetime(utc.year, utc.month, 1, tzinfo=UTC)


def next_month_start(now: datetime) -> datetime:
    """The first instant (UTC) of the calendar month after the one that holds ``now``."""
    start = month_start(now)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def parse_budget(raw: int | None) -> int | None:
    """A budget as an admin sets it: a whole number of tokens (0 stops all spending), or None."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_BUDGET_TOKENS:
        raise InvalidInputError(
            f"monthly_tokens must be a whole number from 0 to {MAX_BUDGET_TOKENS}, or null.",
            field="monthly_tokens",
        )
    return raw


class BudgetStatus(msgspec.Struct, frozen=True, kw_only=True):
    """One user's month: what was spent since ``period_start`` and the budget that applies to them
    (their own, else the default; None: unlimited)."""

    user_id: str
    period_start: datetime
    usage: Usage
    budget: int | None
    own_budget: bool = False  # set for this user, rather than the default

    @property
    def spent(self) -> int:
        return counted_tokens(self.usage)

    @property
    def remaining(self) -> int | None:
        return None if self.budget is None else max(0, self.budget - self.spent)

    @property
    def exhausted(self) -> bool:
        return self.budget is not None and self.spent >= self.budget

    @property
    def resets_at(self) -> datetime:
        return next_month_start(self.period_start)

    def describe(self) -> str:
        """A sentence that names the budget, for errors and the UI."""
        whose = "Your monthly token budget" if self.own_budget else "The monthly token budget"
        return (
            f"{whose} of {self.budget or 0:,} tokens is used up ({self.spent:,} tokens spent since "
            f"{self.period_start:%d %B %Y}); it renews on {self.resets_at:%d %B %Y} (UTC)."
        )
