"""Budgets on fakes: the month and what counts, a run refused before anything is spent, a run that
crosses its budget stopping after its current call, the month's row equal to its sessions' usage
(cancelled runs included), and who may read and set a budget."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vibe.bootstrap import Vibe
from vibe.config import Settings
from vibe.domain.budgets import BudgetStatus, counted_tokens, month_start, next_month_start, parse_budget
from vibe.domain.conversation import Billed, ModelChunk, TextDelta
from vibe.domain.errors import InvalidInputError, NotFoundError, PermissionDeniedError, RateLimitedError
from vibe.domain.generations import GenerationStatus
from vibe.domain.usage import Usage
from vibe.domain.users import User
from vibe.testing import FAKE_JWT_SECRET, FakeClock, ScriptedModel, connect_fake, turn

NOW = datetime(2026, 5, 20, 15, 30, tzinfo=UTC)
CALL = Usage(
    input_tokens=300, cache_read_input_tokens=500, cache_creation_input_tokens=100, output_tokens=100
)
PAGE = "<!doctype html><title>A</title><p>hello</p>"


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)))
def test_a_moment_lies_in_its_month_and_the_next_month_follows(now: datetime) -> None:
    start, after = month_start(now), next_month_start(now)
    assert start <= now < after
    assert start.day == after.day == 1
    assert (start.hour, start.minute, start.second, start.microsecond) == (0, 0, 0, 0)
    assert timedelta(days=28) <= after - start <= timedelta(days=31)
    assert month_start(after - timedelta(microseconds=1)) == start


def test_every_token_counts_cache_reads_included() -> None:
    assert counted_tokens(CALL) == 1000
    status = BudgetStatus(
        user_id="u", period_start=month_start(NOW), usage=CALL, budget=1500, own_budget=True
    )
    assert (status.spent, status.remaining, status.exhausted) == (1000, 500, False)
    spent = BudgetStatus(user_id="u", period_start=month_start(NOW), usage=CALL + CALL, budget=1500)
    assert (spent.remaining, spent.exhausted) == (0, True)
    assert "1,500 tokens" in spent.describe()
    assert "01 June 2026" in spent.describe()
    assert BudgetStatus(user_id="u", period_start=NOW, usage=CALL, budget=None).remaining is None


@pytest.mark.parametrize("bad", [-1, 10**16, True, 1.5, "100"])
def test_a_budget_is_a_whole_number_of_tokens(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        parse_budget(bad)  # type: ignore[arg-type]


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
async def app(model: ScriptedModel, clock: FakeClock) -> AsyncIterator[Vibe]:
    settings = Settings(
        database_url="sqlite+aiosqlite://",
        jwt_secret=FAKE_JWT_SECRET,
        monthly_token_budget=2500,
        max_concurrent_generations=5,
    )
    async with connect_fake(model, settings=settings, clock=clock) as vibe:
        yield vibe


@pytest.fixture
async def ada(app: Vibe) -> User:
    return await app.accounts.register("ada@example.com", "correct horse battery")


@pytest.fixture
async def admin(app: Vibe) -> User:
    return await app.accounts.create_admin("root@example.com", "correct horse battery")


def site_turns() -> list[list[ModelChunk]]:
    return [
        turn("Writing.", [("write_file", {"path": "index.html", "content": PAGE})], usage=CALL),
        turn("Done.", usage=CALL),
    ]


async def finished(app: Vibe, ada: User, session_id: str) -> GenerationStatus:
    for _ in range(300):
        session = await app.generations.get(ada, session_id)
        if session.finished:
            return session.status
        await asyncio.sleep(0.01)
    raise AssertionError("the session did not finish")


async def test_a_run_within_the_budget_is_charged_what_its_calls_billed(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    model.add(*site_turns())
    events = [e async for e in app.generate(ada, "a page")]
    assert events[-1].name == "done"
    status = await app.budgets.status(ada, ada.id)
    assert status.usage == CALL + CALL
    assert (status.spent, status.budget, status.remaining) == (2000, 2500, 500)


async def test_a_run_that_crosses_the_budget_finishes_its_call_then_stops_naming_the_budget(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    model.add(*site_turns(), *site_turns())
    assert [e async for e in app.generate(ada, "a page")][-1].name == "done"  # 2000 of 2500
    events = [e async for e in app.generate(ada, "another page")]
    error = events[-1]
    assert error.name == "error"
    assert error.code == "budget_exceeded"  # type: ignore[attr-defined]
    assert "2,500 tokens" in error.message  # type: ignore[attr-defined]
    assert len(model.requests) == 3  # the call in flight when the budget ran out, and no other
    status = await app.budgets.status(ada, ada.id)
    assert status.usage == CALL + CALL + CALL
    sessions = (await app.generations.list_sessions(ada, 10, 0)).items
    assert sum((s.usage for s in sessions), Usage()) == status.usage


async def test_no_budget_left_refuses_a_run_before_anything_is_spent_until_next_month(
    app: Vibe, ada: User, model: ScriptedModel, clock: FakeClock
) -> None:
    model.add(*site_turns(), *site_turns())
    [e async for e in app.generate(ada, "a page")]
    [e async for e in app.generate(ada, "another page")]
    projects = (await app.projects.list_projects(ada, 10, 0)).total
    with pytest.raises(RateLimitedError) as refused:
        await app.generations.start(ada, "a third page")
    assert "monthly token budget of 2,500 tokens is used up" in refused.value.detail
    assert refused.value.retry_after == int((datetime(2026, 6, 1, tzinfo=UTC) - NOW).total_seconds()) + 1
    assert (await app.projects.list_projects(ada, 10, 0)).total == projects  # no project was made
    assert len(model.requests) == 3
    clock.set(datetime(2026, 6, 1, tzinfo=UTC))
    model.turns = [*site_turns()]
    assert [e async for e in app.generate(ada, "a page in June")][-1].name == "done"


async def test_a_cancelled_run_counts_what_it_was_billed(app: Vibe, ada: User, model: ScriptedModel) -> None:
    model.add([Billed(Usage(input_tokens=700)), *([TextDelta(".")] * 1000)])
    model.pace = 0.01
    session = await app.generations.start(ada, "a page")
    async for stored in await app.generations.events(ada, session.id):
        if stored is not None and stored.name == "usage":
            break
    await app.generations.cancel(ada, session.id)
    budgets = app.budgets
    for _ in range(300):
        if (await budgets.status(ada, ada.id)).spent == 700:
            break
        await asyncio.sleep(0.01)
    assert (await budgets.status(ada, ada.id)).usage == Usage(input_tokens=700)


async def test_only_an_administrator_sets_a_budget_and_null_restores_the_default(
    app: Vibe, ada: User, admin: User
) -> None:
    budgets = app.budgets
    with pytest.raises(PermissionDeniedError):
        await budgets.set_budget(ada, ada.id, 10**9)
    with pytest.raises(NotFoundError):
        await budgets.set_budget(ada, admin.id, 10**9)
    with pytest.raises(NotFoundError):
        await budgets.status(ada, admin.id)
    raised = await budgets.set_budget(admin, ada.id, 10**6)
    assert (raised.budget, raised.own_budget) == (10**6, True)
    assert (await budgets.status(ada, ada.id)).budget == 10**6
    back = await budgets.set_budget(admin, ada.id, None)
    assert (back.budget, back.own_budget) == (2500, False)
    with pytest.raises(NotFoundError):
        await budgets.set_budget(admin, "nobody", 5)


async def test_a_budget_of_zero_refuses_every_run(app: Vibe, ada: User, admin: User) -> None:
    await app.budgets.set_budget(admin, ada.id, 0)
    with pytest.raises(RateLimitedError, match="Your monthly token budget of 0 tokens"):
        await app.generations.start(ada, "a page")


async def test_the_overview_is_for_administrators_and_sorts_by_spend(
    app: Vibe, ada: User, admin: User, model: ScriptedModel
) -> None:
    model.add(*site_turns())
    [e async for e in app.generate(ada, "a page")]
    budgets = app.budgets
    with pytest.raises(PermissionDeniedError):
        await budgets.overview(ada, "spent", True, 10, 0)
    overview = await budgets.overview(admin, "spent", True, 10, 0)
    assert overview.period_start == month_start(NOW)
    assert [row.user.id for row in overview.page.items] == [ada.id, admin.id]
    assert overview.page.items[0].usage == CALL + CALL
