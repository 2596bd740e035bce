"""The Generations service on fakes: the life of a session, limits, cancel, failure, recovery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from vibe.bootstrap import Vibe
from vibe.domain.conversation import ModelChunk, TextBlock, ToolResultBlock
from vibe.domain.errors import (
    InvalidStateError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
    UpstreamError,
)
from vibe.domain.events import (
    Done,
    ErrorEvent,
    Event,
    FileDelta,
    FileEnd,
    Status,
    UsageEvent,
    decode,
)
from vibe.domain.generations import Generation, GenerationStatus
from vibe.domain.users import User
from vibe.testing import FakeClock, InMemoryUnitOfWorkFactory, ScriptedModel, connect_fake, turn

PAGE = "<!doctype html><html><head><link rel=stylesheet href=style.css></head><body><h1>Hi</h1></body></html>"


SITE_FILE = {"path": "index.html", "content": "<h1>Lavender</h1>"}


def site_turns(page: str = PAGE) -> list[list[ModelChunk]]:
    return [
        turn("Building.", [("write_file", {"path": "index.html", "content": page}),
                           ("write_file", {"path": "style.css", "content": "h1{color:red}"})]),
        turn("A page with a red heading."),
    ]  # fmt: skip


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


@pytest.fixture
async def app(model: ScriptedModel) -> AsyncIterator[Vibe]:
    async with connect_fake(model) as vibe:
        yield vibe


@pytest.fixture
async def ada(app: Vibe) -> User:
    return await app.accounts.register("ada@example.com", "correct horse battery")


async def events_of(app: Vibe, actor: User, session_id: str, after: int = 0) -> list[Event]:
    return [decode(e.name, e.data) async for e in await app.generations.events(actor, session_id, after) if e]


async def test_a_generation_runs_in_the_background_and_adds_one_version(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    model.add(*site_turns())
    events = [event async for event in app.generate(ada, "  A page for my bakery in Paris ")]
    names = [event.name for event in events]
    assert names[:2] == ["status", "status"]
    assert [e.status for e in events if isinstance(e, Status)] == ["queued", "running", "succeeded"]
    assert names[-1] == "done"
    done = events[-1]
    assert isinstance(done, Done)
    assert done.version == 1
    assert done.files == ["index.html", "style.css"]
    assert any(isinstance(e, FileDelta) for e in events)
    assert [e.path for e in events if isinstance(e, FileEnd)] == ["index.html", "style.css"]
    session = (await app.generations.list_sessions(ada, 10, 0)).items[0]
    assert session.status is GenerationStatus.SUCCEEDED
    assert session.version == 1
    assert session.prompt == "A page for my bakery in Paris"
    assert session.usage.output_tokens > 0
    assert session.model == "scripted"
    project, files = await app.projects.get(ada, done.project_id)
    assert project.name == "Bakery in Paris"  # a short title read from the prompt
    assert [f.path for f in files] == ["index.html", "style.css"]
    versions = await app.projects.versions(ada, project.id)
    assert versions[0].summary == "A page with a red heading."
    assert versions[0].generation_id == session.id


async def test_a_follow_up_edits_the_current_version_with_the_files_in_context(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    model.add(*site_turns())
    first = [e async for e in app.generate(ada, "a page")][-1]
    assert isinstance(first, Done)
    model.add(
        turn("", [("edit_file", {"path": "style.css", "old_string": "red", "new_string": "blue"})]),
        turn("Made it blue."),
    )
    second = [e async for e in app.generate(ada, "make it blue", first.project_id)][-1]
    assert isinstance(second, Done)
    assert second.version == 2
    snapshot = await app.projects.snapshot(ada, first.project_id)
    assert snapshot.files["style.css"] == "h1{color:blue}"
    context = model.requests[-2].messages[0].content[0]
    assert isinstance(context, TextBlock)
    assert context.cache
    assert "h1{color:red}" in context.text


async def test_no_more_unfinished_generations_than_the_limit(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    model.pace = 0.05
    model.add(*site_turns(), *site_turns())
    await app.generations.start(ada, "one")
    await app.generations.start(ada, "two")
    with pytest.raises(RateLimitedError) as caught:
        await app.generations.start(ada, "three")
    assert caught.value.retry_after > 0
    assert (await app.projects.list_projects(ada, 10, 0)).total == 2  # the refused one made no project


async def test_cancel_ends_the_session_without_a_version_and_stops_the_model(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    model.pace = 0.01
    model.add(*site_turns(PAGE * 40))
    session = await app.generations.start(ada, "a long page")
    seen: list[Event] = []
    async for stored in await app.generations.events(ada, session.id):
        if stored is None:
            continue
        seen.append(decode(stored.name, stored.data))
        if isinstance(seen[-1], FileDelta) and len(seen) == 7:
            cancelled = await app.generations.cancel(ada, session.id)
            assert cancelled.status is GenerationStatus.CANCELLED
    assert isinstance(seen[-1], ErrorEvent)
    assert seen[-1].code == "cancelled"
    assert [e.status for e in seen if isinstance(e, Status)][-1] == "cancelled"
    ended = await app.generations.get(ada, session.id)
    assert ended.status is GenerationStatus.CANCELLED
    assert ended.version is None
    project, _ = await app.projects.get(ada, session.project_id)
    assert project.current_version == 0
    await asyncio.sleep(0.05)
    assert len(model.turns) == 1  # the first turn was cut short; the second never ran
    with pytest.raises(InvalidStateError):
        await app.generations.cancel(ada, session.id)


async def test_a_model_failure_fails_the_session_and_keeps_the_project(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    model.add(*site_turns())
    done = [e async for e in app.generate(ada, "v1")][-1]
    assert isinstance(done, Done)
    model.add(UpstreamError("The model service is overloaded. It failed 4 times.", code="model_unavailable"))
    events = [e async for e in app.generate(ada, "v2", done.project_id)]
    error = events[-1]
    assert isinstance(error, ErrorEvent)
    assert error.code == "model_unavailable"
    session = (await app.generations.list_sessions(ada, 1, 0)).items[0]
    assert session.status is GenerationStatus.FAILED
    assert session.error is not None
    assert "overloaded" in session.error
    project, _ = await app.projects.get(ada, done.project_id)
    assert project.current_version == 1


async def test_a_model_that_writes_nothing_fails(app: Vibe, ada: User, model: ScriptedModel) -> None:
    model.add(turn("I cannot help with that."))
    events = [e async for e in app.generate(ada, "something odd")]
    assert isinstance(events[-1], ErrorEvent)
    assert events[-1].code == "no_output"


async def test_replay_after_any_event_gives_exactly_the_rest(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    model.add(*site_turns())
    session = await app.generations.start(ada, "a page")
    everything = await events_of(app, ada, session.id)
    for after in range(len(everything) + 1):
        assert await events_of(app, ada, session.id, after) == everything[after:]


async def test_sessions_of_others_do_not_exist(app: Vibe, ada: User, model: ScriptedModel) -> None:
    model.add(*site_turns())
    session = await app.generations.start(ada, "mine")
    bob = await app.accounts.register("bob@example.com", "correct horse battery")
    for attempt in (app.generations.get(bob, session.id), app.generations.cancel(bob, session.id),
                    app.generations.events(bob, session.id)):  # fmt: skip
        with pytest.raises(NotFoundError):
            await attempt
    with pytest.raises(NotFoundError):
        await app.generations.start(bob, "edit theirs", session.project_id)
    assert (await app.generations.list_sessions(bob, 10, 0)).total == 0


async def test_two_runners_cannot_both_run_one_session(ada: User, model: ScriptedModel, app: Vibe) -> None:
    model.add(*site_turns())
    session = await app.generations.start(ada, "once")
    await asyncio.gather(app.generations.run(session.id), app.generations.run(session.id))
    events = await events_of(app, ada, session.id)
    assert [e.status for e in events if isinstance(e, Status)] == ["queued", "running", "succeeded"]
    assert len([e for e in events if isinstance(e, Done)]) == 1
    assert len([e for e in events if isinstance(e, UsageEvent)]) == 2


async def test_start_refuses_bad_prompts(app: Vibe, ada: User) -> None:
    from vibe.domain.errors import InvalidInputError

    for prompt in ("", "   ", "x" * 20_001):
        with pytest.raises(InvalidInputError):
            await app.generations.start(ada, prompt)


async def test_recovery_fails_what_a_dead_process_left() -> None:
    database, clock = InMemoryUnitOfWorkFactory(), FakeClock()
    async with connect_fake(ScriptedModel(), uow=database, clock=clock) as first:
        user = await first.accounts.register("cy@example.com", "correct horse battery")
        project = await first.projects.create(user, "Site")
    left = [
        Generation(id=f"gen-{state.value}", user_id=user.id, project_id=project.id, prompt="p", status=state,
                   model="offline", created_at=clock.now(), attempt=attempt)
        for state, attempt in ((GenerationStatus.QUEUED, 0), (GenerationStatus.RUNNING, 1))
    ]  # fmt: skip
    async with database() as uow:
        for generation in left:
            assert await uow.generations.add_within_limit(generation, 5)
        await uow.commit()
    clock.advance(60)
    async with connect_fake(ScriptedModel(), uow=database, clock=clock) as second:
        for _ in range(100):
            sessions = [await second.generations.get(user, g.id) for g in left]
            if all(s.finished for s in sessions):
                break
            await asyncio.sleep(0.01)
        for session in sessions:
            assert session.status is GenerationStatus.FAILED
            assert session.error is not None
            assert "stopped" in session.error
            last = (await events_of(second, user, session.id))[-1]
            assert isinstance(last, ErrorEvent)
            assert last.code == "interrupted"


class FlakyDatabase(InMemoryUnitOfWorkFactory):
    """Refuses the next ``failures`` writing units of work, as a database that went away would."""

    failures = 0

    def __call__(self, *, readonly: bool = False):  # type: ignore[no-untyped-def]
        if not readonly and self.failures:
            self.failures -= 1
            raise UnavailableError("The database is unavailable; try again shortly.")
        return super().__call__(readonly=readonly)


async def test_a_claim_the_database_refused_is_tried_again(model: ScriptedModel) -> None:
    database = FlakyDatabase()
    model.add(*site_turns())
    async with connect_fake(model, uow=database) as app:
        ada = await app.accounts.register("ada@example.com", "correct horse battery")
        session = await app.generations.start(ada, "a page")
        database.failures = 2  # the runner's first two claims fail
        for _ in range(100):
            if (await app.generations.get(ada, session.id)).finished:
                break
            await asyncio.sleep(0.05)
        assert (await app.generations.get(ada, session.id)).status is GenerationStatus.SUCCEEDED


class _SlowRecovery:
    """Generations whose recovery pass is one database call that takes as long as the test says."""

    def __init__(self) -> None:
        self.entered, self.release = asyncio.Event(), asyncio.Event()
        self.outcome = "not run"

    async def recover(self, created_before: object) -> int:
        self.entered.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.outcome = "cancelled"
            raise
        self.outcome = "finished"
        return 0

    async def run(self, generation_id: str, trace: object = None) -> bool:
        return True

    async def stale(self) -> list[str]:
        return []


async def test_closing_lets_the_recovery_pass_finish_its_database_call() -> None:
    # A command that ends while the recovery pass is mid-query (``vibe publish --slug www`` fails at
    # once) used to cancel that query: SQLAlchemy then printed a traceback resetting its connection.
    slow = _SlowRecovery()
    app = connect_fake(generations=slow)
    await app.start()
    await slow.entered.wait()
    closing = asyncio.create_task(app.aclose())
    await asyncio.sleep(0.05)
    assert not closing.done()
    slow.release.set()
    await closing
    assert slow.outcome == "finished"


async def test_closing_cancels_work_that_outlives_the_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vibe.bootstrap.CLOSE_GRACE_SECONDS", 0.05)
    slow = _SlowRecovery()
    app = connect_fake(generations=slow)
    await app.start()
    await slow.entered.wait()
    await asyncio.wait_for(app.aclose(), 5)
    assert slow.outcome == "cancelled"


async def _named(
    app: Vibe,
    ada: User,
    model: ScriptedModel,
    titles: list[object],
    prompt: str,
    project_id: str | None = None,
) -> str:
    """The project's name after a generation whose model calls set_title with each of ``titles``."""
    calls = [("set_title", {"title": title}) for title in titles]
    model.add(turn("", [*calls, ("write_file", SITE_FILE)]), turn("Done."))
    done = [e async for e in app.generate(ada, prompt, project_id)][-1]
    assert isinstance(done, Done)
    return (await app.projects.get(ada, done.project_id))[0].name


async def test_the_model_names_a_new_site_in_the_same_call(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    prompt = "A landing page for my lavender farm in Provence"
    assert await _named(app, ada, model, ["  Lavender\nDistillery  "], prompt) == "Lavender Distillery"
    assert any(tool.name == "set_title" for tool in model.requests[0].tools)
    # A follow-up keeps the name: only a project's first version takes the model's title.
    project = (await app.projects.list_projects(ada, 1, 0)).items[0]
    assert await _named(app, ada, model, ["Another"], "make it purple", project.id) == "Lavender Distillery"


async def test_a_name_the_user_chose_is_not_replaced_by_the_models(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    project = await app.projects.create(ada, "My own name")
    assert await _named(app, ada, model, ["Lavender"], "A lavender farm", project.id) == "My own name"


async def test_a_title_that_is_not_text_is_refused_to_the_model(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    name = await _named(app, ada, model, [7, "   "], "A landing page for my lavender farm")
    assert name == "Lavender Farm"  # from its prompt
    results = [b for b in model.requests[1].messages[-1].content if isinstance(b, ToolResultBlock)]
    assert [r.is_error for r in results] == [True, True, False]
