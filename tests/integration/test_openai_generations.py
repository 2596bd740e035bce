"""Whole generations on ``VIBE_LLM=openai`` against the stand-in Chat Completions server, through
``vibe.connect`` as a deployment runs them: write, edit (a follow-up), cancel, retry, truncation and
the fenced-block fallback; and the estimate within 10 % of what the first call is then billed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from vibe.adapters.backoff import Backoff
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.events import Done, ErrorEvent, Event, FileDelta, FileStart, Restart
from vibe.domain.generations import GenerationStatus
from vibe.domain.users import User
from vibe.testing import ChatCompletionsServer, Completion, FastHasher, seams

PAGE = "<!doctype html>\n<title>Bakery</title>\n" + "".join(f"<p>Bread number {i}</p>\n" for i in range(60))
CSS = "body { font-family: serif }\n" * 30


@pytest.fixture
async def server() -> AsyncIterator[ChatCompletionsServer]:
    async with ChatCompletionsServer(api_key="sk-test") as running:
        yield running


def settings_for(tmp_path: Path, server: ChatCompletionsServer, **extra: Any) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        jwt_secret="a-test-secret-that-is-long-enough-for-hs256",
        llm="openai",
        model="gpt-4.1",
        openai_api_key="sk-test",
        openai_base_url=server.url,
        **extra,
    )


@pytest.fixture
async def app(tmp_path: Path, server: ChatCompletionsServer) -> AsyncIterator[Vibe]:
    async with connect(settings_for(tmp_path, server), hasher=FastHasher()) as vibe:
        model: Any = seams.model(vibe)
        model._backoff = Backoff(sleep=_no_sleep)  # retries without waiting
        yield vibe


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def ada(app: Vibe) -> User:
    return await app.accounts.register("ada@example.com", "correct horse battery")


def written(events: list[Event]) -> dict[str, str]:
    """What the stream says was written, honouring ``restart``."""
    files: dict[str, str] = {}
    for event in events:
        if isinstance(event, Restart):
            files = {}
        elif isinstance(event, FileStart):
            files[event.path] = ""
        elif isinstance(event, FileDelta):
            files[event.path] += event.delta
    return files


def site() -> list[Completion]:
    calls = [
        ("write_file", {"path": "index.html", "content": PAGE}),
        ("write_file", {"path": "style.css", "content": CSS}),
    ]
    return [Completion.tool_calls(calls, text="Writing the bakery."), Completion.say("A bakery page.")]


async def test_write_then_edit_in_a_follow_up(app: Vibe, ada: User, server: ChatCompletionsServer) -> None:
    server.add(*site())
    events = [e async for e in app.generate(ada, "a bakery page")]
    done = events[-1]
    assert isinstance(done, Done)
    assert written(events) == {"index.html": PAGE, "style.css": CSS}
    edit = {"path": "index.html", "old_string": "Bread number 7<", "new_string": "Rye bread<"}
    server.add(Completion.tool_calls([("edit_file", edit)], text="Renaming."), Completion.say("Renamed."))
    follow_up = [e async for e in app.generate(ada, "call bread 7 rye", done.project_id)]
    assert isinstance(follow_up[-1], Done)
    snapshot = await app.projects.snapshot(ada, done.project_id)
    assert snapshot.files["index.html"] == PAGE.replace("Bread number 7<", "Rye bread<")
    listing = server.requests[2].body["messages"][1]["content"]
    assert "Bread number 59" in listing  # the follow-up showed the model its files
    session = (await app.generations.list_sessions(ada, 1, 0)).items[0]
    assert session.model == "gpt-4.1"
    assert session.usage.total_input == sum(u["prompt_tokens"] for u in server.billed[2:])


async def test_a_failed_call_is_retried_and_the_stream_holds_each_file_once(
    app: Vibe, ada: User, server: ChatCompletionsServer
) -> None:
    first, last = site()
    server.add(Completion.rate_limited(retry_after=1), first.dropped(after_chunks=40), first, last)
    events = [e async for e in app.generate(ada, "a bakery page")]
    assert isinstance(events[-1], Done)
    assert written(events) == {"index.html": PAGE, "style.css": CSS}
    assert len(server.requests) == 4


async def test_a_file_cut_by_the_output_limit_is_finished_with_append_file(
    tmp_path: Path, server: ChatCompletionsServer
) -> None:
    async with connect(settings_for(tmp_path, server, max_output_tokens=1024), hasher=FastHasher()) as app:
        ada = await app.accounts.register("ada@example.com", "correct horse battery")
        long_page = PAGE * 2  # 1,238 tokens of arguments: cut at 1,024, the rest fits one append
        cut = Completion.tool_calls([("write_file", {"path": "index.html", "content": long_page})])

        def finish(body: dict[str, Any]) -> Completion:
            note = body["messages"][-1]["content"]
            held = int(note.split("holds its first ")[1].split(" characters")[0])
            return Completion.tool_calls(
                [("append_file", {"path": "index.html", "content": long_page[held:]})]
            )

        server.add(cut, finish, Completion.say("Finished the page."))
        events = [e async for e in app.generate(ada, "a long page")]
        assert isinstance(events[-1], Done), events[-1]
        assert server.requests[0].body["max_tokens"] == 1024  # not OpenAI itself: max_tokens
        snapshot = await app.projects.snapshot(ada, events[-1].project_id)
        assert snapshot.files["index.html"] == long_page
        assert written(events)["index.html"] == long_page


async def test_a_file_still_cut_when_the_model_stops_fails_the_session(
    tmp_path: Path, server: ChatCompletionsServer
) -> None:
    async with connect(settings_for(tmp_path, server, max_output_tokens=1024), hasher=FastHasher()) as app:
        ada = await app.accounts.register("ada@example.com", "correct horse battery")
        server.add(Completion.tool_calls([("write_file", {"path": "index.html", "content": PAGE * 4})]),
                   Completion.say("I give up."))  # fmt: skip
        events = [e async for e in app.generate(ada, "a long page")]
        assert isinstance(events[-1], ErrorEvent)
        assert events[-1].code == "output_truncated"


async def test_a_model_answering_in_fenced_blocks_writes_the_site(
    app: Vibe, ada: User, server: ChatCompletionsServer
) -> None:
    server.add(Completion.say(f"Here you go.\n\n```html\n{PAGE}```\n\n**style.css**\n```css\n{CSS}```\n"))
    events = [e async for e in app.generate(ada, "a bakery page")]
    assert isinstance(events[-1], Done)
    assert events[-1].files == ["index.html", "style.css"]
    assert written(events) == {"index.html": PAGE, "style.css": CSS}


async def test_cancel_stops_the_call_and_keeps_what_it_billed(
    app: Vibe, ada: User, server: ChatCompletionsServer
) -> None:
    first, _ = site()
    server.add(Completion(text="Thinking " * 400, chunk_size=3, delay=0.01))
    server.add(first)
    session = await app.generations.start(ada, "a bakery page")
    async for stored in await app.generations.events(ada, session.id):
        if stored is not None and stored.name == "text":
            break
    await app.generations.cancel(ada, session.id)
    await _until(lambda: server.disconnects == 1)
    ended = await app.generations.get(ada, session.id)
    assert ended.status is GenerationStatus.CANCELLED
    assert ended.version is None


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


PROMPTS = [
    "A landing page for my bakery in Paris",
    "A portfolio for a wedding photographer, with a gallery and a contact form",
    "做一个巴黎面包店的落地页，要有菜单和地址",
    "pricing page for a SaaS with three tiers, a FAQ and a comparison table" * 3,
]


@pytest.mark.parametrize("prompt", PROMPTS)
async def test_the_estimate_is_within_ten_percent_of_what_the_first_call_is_billed(
    app: Vibe, ada: User, server: ChatCompletionsServer, prompt: str
) -> None:
    from vibe.adapters.offline.model import OfflineModel

    offline = OfflineModel(pace_seconds=0)
    estimate, _ = await app.generations.estimate(ada, prompt)
    server.add(Completion.say("```html\n<p>hi</p>\n```"))
    [e async for e in app.generate(ada, prompt)]
    billed = server.billed[-1]["prompt_tokens"]
    assert abs(estimate.input_tokens - billed) <= 0.1 * billed, (estimate.input_tokens, billed)
    assert estimate.exact is False
    # and on a project holding a whole site (the offline model's, for this prompt)
    async with connect(
        Settings(database_url="sqlite+aiosqlite://", jwt_secret="x" * 40), model=offline
    ) as local:
        owner = await local.accounts.register("o@example.com", "correct horse battery")
        done = [e async for e in local.generate(owner, prompt)][-1]
        assert isinstance(done, Done)
        files = (await local.projects.snapshot(owner, done.project_id)).files
    project = await app.projects.create(ada, "Site")
    await app.projects.commit(project.id, files, "imported", None)
    follow = await app.generations.estimate(ada, "make it dark", project.id)
    server.add(Completion.say("Done."))
    [e async for e in app.generate(ada, "make it dark", project.id)]
    billed = server.billed[-1]["prompt_tokens"]
    assert abs(follow[0].input_tokens - billed) <= 0.1 * billed, (follow[0].input_tokens, billed)
