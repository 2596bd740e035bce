"""BudgetRepository: the fake and SQL agree on charges (adding to a month's row, made on the first
charge), budgets set and removed, and the admin overview under every sort, order and page."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from tests.contract.side_by_side import MISSING, SideBySide, run_machine
from vibe.domain.budgets import counted_tokens
from vibe.domain.ports import UnitOfWork
from vibe.domain.usage import Usage
from vibe.domain.users import User

MONTHS = [datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)]
counts = st.integers(0, 10**9)
usages = st.builds(
    Usage,
    input_tokens=counts,
    output_tokens=counts,
    cache_creation_input_tokens=counts,
    cache_read_input_tokens=counts,
)
budgets = st.none() | st.integers(0, 10**12) | st.sampled_from([0, 100, 1000])


class Budgets(SideBySide):
    @initialize()
    def world(self) -> None:
        self.people: list[User] = [self.new_user() for _ in range(3)]
        self.spend: dict[tuple[str, datetime], Usage] = {}
        self.own: dict[str, int] = {}

    @rule(data=st.data(), usage=usages)
    def charge(self, data: st.DataObject, usage: Usage) -> None:
        user = data.draw(st.sampled_from(self.people))
        month = data.draw(st.sampled_from(MONTHS))
        assert self.both(lambda uow: uow.budgets.charge(user.id, month, usage)).ok
        self.spend[(user.id, month)] = self.spend.get((user.id, month), Usage()) + usage

    @rule(data=st.data(), budget=budgets)
    def set_budget(self, data: st.DataObject, budget: int | None) -> None:
        user = data.draw(st.sampled_from(self.people))
        assert self.both(lambda uow: uow.budgets.set_budget(user.id, budget)).ok
        self.own.pop(user.id, None)
        if budget is not None:
            self.own[user.id] = budget

    @precondition(lambda self: len(self.people) > 1)
    @rule(data=st.data())
    def delete_user(self, data: st.DataObject) -> None:
        user = data.draw(st.sampled_from(self.people))
        assert self.both(lambda uow: uow.users.delete(user.id)).ok
        self.people.remove(user)
        self.own.pop(user.id, None)
        self.spend = {k: v for k, v in self.spend.items() if k[0] != user.id}

    @rule(
        data=st.data(),
        default=budgets,
        sort=st.sampled_from(["email", "spent", "budget", "remaining"]),
        descending=st.booleans(),
        limit=st.integers(1, 4),
        offset=st.integers(0, 3),
    )
    def overview(
        self, data: st.DataObject, default: int | None, sort: str, descending: bool, limit: int, offset: int
    ) -> None:
        month = data.draw(st.sampled_from(MONTHS))
        page = self.read(
            lambda uow: uow.budgets.overview(
                month,
                default_budget=default,
                sort=sort,  # type: ignore[arg-type]
                descending=descending,
                limit=limit,
                offset=offset,
            )
        )
        assert page.total == len(self.people)
        assert len(page.items) == max(0, min(limit, len(self.people) - offset))
        for row in page.items:
            assert row.usage == self.spend.get((row.user.id, month), Usage())
            assert row.own_budget == self.own.get(row.user.id)
        if sort == "spent":
            spent = [counted_tokens(row.usage) for row in page.items]
            assert spent == sorted(spent, reverse=descending)

    def snapshot(self) -> None:
        if not hasattr(self, "people"):
            return

        async def everything(uow: UnitOfWork) -> object:
            ids = [u.id for u in self.people] + [MISSING]
            return (
                [await uow.budgets.spent(i, m) for i in ids for m in MONTHS],
                [await uow.budgets.own_budget(i) for i in ids],
            )

        spent, own = self.read(everything)
        ids = [u.id for u in self.people] + [MISSING]
        assert spent == [self.spend.get((i, m), Usage()) for i in ids for m in MONTHS]
        assert own == [self.own.get(i) for i in ids]


def test_the_fake_and_sql_budgets_agree(database_url: str) -> None:
    run_machine(lambda: Budgets(database_url))
