"""How a run meets the real world, on fakes: what a cancelled run was billed stays on the session, a
run that starts over opens with ``restart``, and follow-ups show the model a listing it has already
seen (the prompt cache's copy) plus the changes since."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from vibe.adapters.offline.conversation import read_request
from vibe.application.prompting import first_message
from vibe.bootstrap import Vibe
from vibe.domain.conversation import Billed, ModelChunk, ModelRequest, TextBlock, TextDelta, TurnEnd
from vibe.domain.events import Done, Event, FileDelta, FileStart, Restart, Status, UsageEvent, decode
from vibe.domain.generations import Generation, GenerationStatus
from vibe.domain.project_context import parse_project_context
from vibe.domain.usage import Usage
from vibe.domain.users import User
from vibe.testing import FakeClock, InMemoryUnitOfWorkFactory, ScriptedModel, connect_fake, turn

PAGE = "<!doctype html><title>A</title>\n" + "".join(f"<p>paragraph {i}</p>\n" for i in range(200))


def writes(page: str) -> list[list[ModelChunk]]:
    return [turn("Writing.", [("write_file", {"path": "index.html", "content": page})]), turn("Done.")]


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


async def wait_until(condition, timeout: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.01)):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


async def test_a_cancelled_session_keeps_what_its_calls_were_billed(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    billed = Usage(input_tokens=700, cache_read_input_tokens=3000, output_tokens=1)
    model.add([Billed(billed), TextDelta("Thinking about it"), *([TextDelta(".")] * 1000)])
    model.pace = 0.01
    session = await app.generations.start(ada, "a page")
    stream = await app.generations.events(ada, session.id)
    async for stored in stream:
        if stored is not None and stored.name == "usage":
            break
    await app.generations.cancel(ada, session.id)

    async def recorded() -> bool:
        return (await app.generations.get(ada, session.id)).usage == billed

    await wait_until(recorded)
    assert (await app.generations.get(ada, session.id)).status is GenerationStatus.CANCELLED


async def test_the_session_usage_is_the_sum_of_its_usage_events(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    model.add(
        [Billed(Usage(input_tokens=10, cache_creation_input_tokens=900)), TextDelta("Hi"),
         TurnEnd("end_turn", Usage(input_tokens=10, cache_creation_input_tokens=900, output_tokens=30))],
    )  # fmt: skip
    events = [e async for e in app.generate(ada, "```html\n<p>x</p>\n```")]
    session_id = (await app.generations.list_sessions(ada, 1, 0)).items[0].id
    usage = Usage()
    for e in events:
        if isinstance(e, UsageEvent):
            usage += Usage(
                input_tokens=e.input_tokens,
                output_tokens=e.output_tokens,
                cache_creation_input_tokens=e.cache_creation_input_tokens,
                cache_read_input_tokens=e.cache_read_input_tokens,
            )
    assert usage == Usage(input_tokens=10, cache_creation_input_tokens=900, output_tokens=30)
    assert (await app.generations.get(ada, session_id)).usage == usage


async def test_a_run_that_starts_over_opens_with_restart() -> None:
    """A worker died mid-file; after its lease another run takes the session over: the stream says
    ``restart`` first, and the deltas after it alone rebuild the file (docs/api.md)."""
    database, clock = InMemoryUnitOfWorkFactory(), FakeClock()
    async with connect_fake(ScriptedModel(writes(PAGE)), uow=database, clock=clock) as app:
        ada = await app.accounts.register("ada@example.com", "correct horse battery")
        project = await app.projects.create(ada, "Site")
        dead = Generation(
            id="gen-dead", user_id=ada.id, project_id=project.id, prompt="a page",
            status=GenerationStatus.RUNNING, model="scripted", created_at=clock.now(),
            started_at=clock.now(), attempt=1, lease_until=clock.now() - timedelta(seconds=1),
        )  # fmt: skip
        async with database() as uow:
            assert await uow.generations.add_within_limit(dead, 5)
            half = [
                Status(status="running"),
                FileStart(path="index.html"),
                FileDelta(path="index.html", delta="<!do"),
            ]
            assert await uow.events.append(dead.id, 1, half)
            await uow.commit()
        assert await app.generations.run(dead.id)
        events = [decode(e.name, e.data) async for e in await app.generations.events(ada, dead.id) if e]
    restarts = [i for i, e in enumerate(events) if isinstance(e, Restart)]
    assert restarts == [3]
    assert events[3] == Restart(attempt=2)
    after = events[restarts[0] + 1 :]
    assert after[0] == Status(status="running")
    rebuilt: dict[str, str] = {}
    for event in after:
        if isinstance(event, FileStart):
            rebuilt[event.path] = ""
        elif isinstance(event, FileDelta):
            rebuilt[event.path] += event.delta
    assert rebuilt == {"index.html": PAGE}
    assert isinstance(events[-1], Done)


def _listing_of(request: ModelRequest) -> tuple[str, ...]:
    return tuple(b.text for b in request.messages[0].content if isinstance(b, TextBlock))


async def test_follow_ups_list_the_base_the_cache_holds_and_the_changes_since(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    model.add(*writes(PAGE))
    first = [e async for e in app.generate(ada, "a page")][-1]
    assert isinstance(first, Done)
    edit = {"path": "index.html", "old_string": "paragraph 7<", "new_string": "paragraph seven<"}
    for _ in range(3):
        model.add(turn("Editing.", [("edit_file", edit)]), turn("Edited."))
        done = [e async for e in app.generate(ada, "rename a paragraph", first.project_id)][-1]
        assert isinstance(done, Done), done
        edit = {
            "path": "index.html",
            "old_string": edit["new_string"],
            "new_string": edit["new_string"] + "!",
        }
    openings = [r for r in model.requests if r.messages[0].content and len(r.messages) == 1]
    follow_ups = [_listing_of(r) for r in openings[1:]]
    assert len(follow_ups) == 3
    base = follow_ups[0][0]
    assert all(f[0] == base for f in follow_ups)  # the same listing, byte for byte: a cache hit
    assert "<project_changes>" not in follow_ups[0][1]
    assert all("<project_changes>" in f[1] for f in follow_ups[1:])
    opening = openings[2].messages[0].content
    assert all(isinstance(b, TextBlock) for b in opening)
    assert [b.cache for b in opening if isinstance(b, TextBlock)] == [True, False, False]
    # the listing plus the changes describe exactly the current files
    files = parse_project_context("\n".join(follow_ups[2][:2]))
    snapshot = await app.projects.snapshot(ada, first.project_id, 3)
    assert files == snapshot.files


async def test_a_base_too_old_for_the_cache_is_listed_again() -> None:
    clock = FakeClock()
    model = ScriptedModel(writes(PAGE))
    async with connect_fake(model, clock=clock) as app:
        ada = await app.accounts.register("ada@example.com", "correct horse battery")
        done = [e async for e in app.generate(ada, "a page")][-1]
        assert isinstance(done, Done)
        edit = {"path": "index.html", "old_string": "paragraph 7<", "new_string": "paragraph 8<"}
        for step in range(2):
            model.add(turn("Editing.", [("edit_file", edit)]), turn("Edited."))
            [e async for e in app.generate(ada, "edit", done.project_id)]
            edit = {"path": "index.html", "old_string": "paragraph 8<", "new_string": "paragraph 7<"}
            clock.advance(3600 if step == 0 else 0)
        openings = [r for r in model.requests if len(r.messages) == 1][1:]
        assert len(_listing_of(openings[1])) == 2  # an hour later: a fresh listing, no changes block
        assert (
            parse_project_context(_listing_of(openings[1])[0])
            == (await app.projects.snapshot(ada, done.project_id, 2)).files
        )


async def test_events_of_a_run_never_mention_drafts_as_files(
    app: Vibe, ada: User, model: ScriptedModel
) -> None:
    events: list[Event] = []
    model.add(turn("Hi", stop_reason="refusal"))
    events = [e async for e in app.generate(ada, "something refused")]
    assert events[-1].name == "error"
    assert getattr(events[-1], "code", None) == "refusal"


def test_the_offline_model_reads_the_changes_since_the_listing() -> None:
    """A follow-up shown a listing plus changes: the offline model works on the current files, and
    the changes are not taken for part of the prompt."""
    base = {"index.html": "<h1>Old</h1>\n" + "<p>x</p>\n" * 50, "old.css": "p{}"}
    current = {"index.html": "<h1>New</h1>\n" + "<p>x</p>\n" * 50, "app.js": "go()"}
    message = first_message("add a FAQ", current, base)
    assert len(message.content) == 3
    request = ModelRequest(system=(), messages=(message,), tools=())
    reading = read_request(request)
    assert reading.files == current
    assert reading.prompt == "add a FAQ"
