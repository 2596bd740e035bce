"""docs/api.md "Generations" over real HTTP: start, the SSE stream and its resumption, sessions, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from tests.accounts_http import signed_up
from tests.conftest import JWT_SECRET
from tests.problems import assert_problem
from tests.sse import read_stream
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.conversation import ModelChunk
from vibe.domain.errors import UpstreamError
from vibe.testing import FastHasher, ScriptedModel, turn
from vibe.testing.loopback import LoopbackServer

PAGE = "<!doctype html><html><head><link rel=stylesheet href=style.css></head><body><h1>Hi</h1></body></html>"


def site(page: str = PAGE) -> list[list[ModelChunk]]:
    return [
        turn("Building it.", [("write_file", {"path": "index.html", "content": page}),
                              ("write_file", {"path": "style.css", "content": "h1 { color: red }"})]),
        turn("A page with a red heading."),
    ]  # fmt: skip


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        jwt_secret=JWT_SECRET,
        sse_heartbeat_seconds=0.2,
    )


@pytest.fixture
async def vibe(settings: Settings, model: ScriptedModel) -> AsyncIterator[Vibe]:
    async with connect(settings, hasher=FastHasher(), model=model) as app:
        yield app


@pytest.fixture
async def server(app: Litestar) -> AsyncIterator[str]:
    async with LoopbackServer(app) as running:
        yield running.url


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        yield client


async def start(
    http: httpx.AsyncClient, headers: dict[str, str], prompt: str = "a page", **extra: str
) -> dict:  # type: ignore[type-arg]
    response = await http.post("/api/generate", json={"prompt": prompt, **extra}, headers=headers)
    assert response.status_code == 202, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_generate_then_stream_to_done(http: httpx.AsyncClient, model: ScriptedModel) -> None:
    ada = await signed_up(http, "ada@example.com")
    model.add(*site())
    started = await start(http, ada["headers"], "A landing page for my bakery")
    assert set(started) == {"session_id", "project_id", "status", "stream_url"}
    assert started["status"] == "queued"
    assert started["stream_url"] == f"/api/stream/{started['session_id']}"
    response, frames, _ = await read_stream(
        http, started["stream_url"], ada["headers"] | {"Accept-Encoding": "gzip"}
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-accel-buffering"] == "no"
    assert "content-encoding" not in response.headers  # never gzipped
    assert [f.id for f in frames] == list(range(1, len(frames) + 1))
    assert frames[0].event == "status"
    assert frames[0].data == {"status": "queued"}
    assert frames[-1].event == "done"
    assert frames[-1].data == {
        "project_id": started["project_id"],
        "version": 1,
        "files": ["index.html", "style.css"],
    }
    page = "".join(
        f.data["delta"] for f in frames if f.event == "file_delta" and f.data["path"] == "index.html"
    )
    assert page == PAGE
    session = (await http.get(f"/api/sessions/{started['session_id']}", headers=ada["headers"])).json()
    assert session["status"] == "succeeded"
    assert session["version"] == 1
    assert set(session) >= {"id", "project_id", "prompt", "status", "created_at", "started_at", "finished_at",
                            "version", "error", "usage"}  # fmt: skip
    assert set(session["usage"]) == {
        "input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_input_tokens",
    }
    project = (await http.get(f"/api/v1/projects/{started['project_id']}", headers=ada["headers"])).json()
    assert project["name"] == "Bakery"  # a short title read from the prompt
    assert project["current_version"] == 1


async def test_resuming_at_every_event_gives_exactly_the_rest(
    http: httpx.AsyncClient, model: ScriptedModel
) -> None:
    ada = await signed_up(http, "ada@example.com")
    model.add(*site())
    started = await start(http, ada["headers"])
    _, everything, _ = await read_stream(http, started["stream_url"], ada["headers"])
    for last in range(len(everything) + 1):
        _, rest, _ = await read_stream(
            http, started["stream_url"], ada["headers"] | {"Last-Event-ID": str(last)}
        )
        assert [(f.id, f.event, f.data) for f in rest] == [(f.id, f.event, f.data) for f in everything[last:]]


@pytest.mark.parametrize("bad", ["abc", "-5", "1.5", "1 2", "٣"])
async def test_a_malformed_last_event_id_replays_everything(
    http: httpx.AsyncClient, model: ScriptedModel, bad: str
) -> None:
    ada = await signed_up(http, "ada@example.com")
    model.add(*site())
    started = await start(http, ada["headers"])
    _, everything, _ = await read_stream(http, started["stream_url"], ada["headers"])
    response, again, _ = await read_stream(
        http,
        started["stream_url"],
        {**ada["headers"], "Last-Event-ID": bad.encode()},  # type: ignore[dict-item]
    )
    assert response.status_code == 200
    assert [f.id for f in again] == [f.id for f in everything]


@pytest.mark.parametrize("where", ["header", "query"])
@pytest.mark.parametrize("digits", [17, 23, 4300, 5000, 60_000])
async def test_a_last_event_id_no_event_can_have_is_400(
    http: httpx.AsyncClient, model: ScriptedModel, where: str, digits: int
) -> None:
    ada = await signed_up(http, "ada@example.com")
    url = "/api/stream/01aaaaaaaaaaaaaaaaaaaaaaaa"  # refused before the session is even looked up
    huge = "9" * digits
    if where == "header":
        response = await http.get(url, headers=ada["headers"] | {"Last-Event-ID": huge})
    else:
        response = await http.get(f"{url}?last_event_id={huge}", headers=ada["headers"])
    assert_problem(response, 400)
    assert "Last-Event-ID" in response.json()["detail"]


async def test_a_dropped_stream_resumes_live_without_loss_or_repeat(
    http: httpx.AsyncClient, model: ScriptedModel
) -> None:
    ada = await signed_up(http, "ada@example.com")
    model.pace = 0.005
    model.add(*site(PAGE * 20))
    started = await start(http, ada["headers"])
    _, head, _ = await read_stream(http, started["stream_url"], ada["headers"], stop_after=10)
    _, tail, _ = await read_stream(
        http, started["stream_url"], ada["headers"] | {"Last-Event-ID": str(head[-1].id)}
    )
    frames = head + tail
    assert [f.id for f in frames] == list(range(1, len(frames) + 1))
    assert frames[-1].event == "done"
    page = "".join(
        f.data["delta"] for f in frames if f.event == "file_delta" and f.data["path"] == "index.html"
    )
    assert page == PAGE * 20


async def test_idle_streams_get_heartbeat_comments(http: httpx.AsyncClient, model: ScriptedModel) -> None:
    ada = await signed_up(http, "ada@example.com")
    model.pace = 0.3  # each chunk takes longer than the 0.2 s heartbeat
    model.add(
        turn("a", [("write_file", {"path": "index.html", "content": "<p>x</p>"})], sizes=[100]), turn("ok")
    )
    started = await start(http, ada["headers"])
    _, frames, comments = await read_stream(http, started["stream_url"], ada["headers"])
    assert frames[-1].event == "done"
    assert comments


async def test_a_client_leaving_changes_nothing(http: httpx.AsyncClient, model: ScriptedModel) -> None:
    ada = await signed_up(http, "ada@example.com")
    model.pace = 0.005
    model.add(*site())
    started = await start(http, ada["headers"])
    await read_stream(http, started["stream_url"], ada["headers"], stop_after=3)
    for _ in range(200):
        session = (await http.get(f"/api/sessions/{started['session_id']}", headers=ada["headers"])).json()
        if session["status"] == "succeeded":
            break
        await asyncio.sleep(0.02)
    assert session["status"] == "succeeded"


async def test_strangers_get_404_before_any_stream(http: httpx.AsyncClient, model: ScriptedModel) -> None:
    ada = await signed_up(http, "ada@example.com")
    bob = await signed_up(http, "bob@example.com")
    model.add(*site())
    started = await start(http, ada["headers"])
    response, frames, _ = await read_stream(http, started["stream_url"], bob["headers"])
    assert_problem(response, 404)
    assert frames == []
    assert_problem(await http.get(f"/api/sessions/{started['session_id']}", headers=bob["headers"]), 404)
    assert_problem(
        await http.post(f"/api/sessions/{started['session_id']}/cancel", headers=bob["headers"]), 404
    )
    other = await http.post("/api/generate", json={"prompt": "x", "project_id": started["project_id"]},
                            headers=bob["headers"])  # fmt: skip
    assert_problem(other, 404)
    assert_problem(await http.get(started["stream_url"]), 401)
    assert_problem(await http.get("/api/stream/no-such-session", headers=ada["headers"]), 404)


@pytest.mark.parametrize(
    "body", [{"prompt": ""}, {"prompt": "   "}, {"prompt": "x" * 20_001}, {}, {"prompt": 3}]
)
async def test_bad_prompts_are_422(http: httpx.AsyncClient, body: dict[str, object]) -> None:
    ada = await signed_up(http, "ada@example.com")
    assert_problem(await http.post("/api/generate", json=body, headers=ada["headers"]), 422)


async def test_20_concurrent_starts_with_limit_2_give_exactly_two_202s(
    http: httpx.AsyncClient, model: ScriptedModel
) -> None:
    ada = await signed_up(http, "ada@example.com")
    model.gate = asyncio.Event()  # nothing may finish (and free a slot) before every request is answered
    model.add(*site(), *site())
    responses = await asyncio.gather(
        *(http.post("/api/generate", json={"prompt": f"site {i}"}, headers=ada["headers"]) for i in range(20))
    )
    model.gate.set()
    codes = sorted(r.status_code for r in responses)
    assert codes == [202, 202] + [429] * 18
    refused = next(r for r in responses if r.status_code == 429)
    assert_problem(refused, 429)
    assert int(refused.headers["retry-after"]) > 0


async def test_cancel_is_202_then_the_session_ends_cancelled(
    http: httpx.AsyncClient, model: ScriptedModel
) -> None:
    ada = await signed_up(http, "ada@example.com")
    model.pace = 0.01
    model.add(*site(PAGE * 50))
    started = await start(http, ada["headers"])
    url = f"/api/sessions/{started['session_id']}/cancel"
    cancelled = await http.post(url, headers=ada["headers"])
    assert cancelled.status_code == 202
    _, frames, _ = await read_stream(http, started["stream_url"], ada["headers"])
    assert frames[-1].event == "error"
    assert frames[-1].data["code"] == "cancelled"
    session = (await http.get(f"/api/sessions/{started['session_id']}", headers=ada["headers"])).json()
    assert session["status"] == "cancelled"
    assert session["version"] is None
    assert_problem(await http.post(url, headers=ada["headers"]), 409)
    project = (await http.get(f"/api/v1/projects/{started['project_id']}", headers=ada["headers"])).json()
    assert project["current_version"] == 0


async def test_sessions_are_listed_with_filters(http: httpx.AsyncClient, model: ScriptedModel) -> None:
    ada = await signed_up(http, "ada@example.com")
    model.add(*site())
    first = await start(http, ada["headers"], "one")
    await read_stream(http, first["stream_url"], ada["headers"])
    model.add(UpstreamError("The model service is overloaded.", code="model_unavailable"))
    second = await start(http, ada["headers"], "two", project_id=first["project_id"])
    await read_stream(http, second["stream_url"], ada["headers"])
    listed = (await http.get("/api/sessions", headers=ada["headers"])).json()
    assert listed["total"] == 2
    assert [s["prompt"] for s in listed["items"]] == ["two", "one"]
    failed = (await http.get("/api/sessions?status=failed", headers=ada["headers"])).json()
    assert [s["id"] for s in failed["items"]] == [second["session_id"]]
    mine = (
        await http.get(f"/api/sessions?project_id={first['project_id']}&limit=1", headers=ada["headers"])
    ).json()
    assert mine["total"] == 2
    assert len(mine["items"]) == 1
    for bad in ("status=nope", "limit=0", "limit=101", "offset=-1"):
        assert_problem(await http.get(f"/api/sessions?{bad}", headers=ada["headers"]), 422)
