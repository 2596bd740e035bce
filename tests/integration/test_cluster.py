"""A real deployment (2 serve workers, 2 vibe workers, MariaDB, Redis) behaves like the embedded
default: generations run on workers and stream through any serve worker, resume without loss or
repeat, cancel, respect the per-user limit, and a logout holds in every process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.accounts_http import signed_up
from tests.problems import assert_problem
from tests.sse import read_stream
from tests.traces import assert_request_to_version, from_files, one_generation
from vibe.application.tracing import RUN


@pytest.fixture
async def http(cluster: Any) -> AsyncIterator[httpx.AsyncClient]:
    cluster.wipe()
    async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as client:
        yield client


async def start(http: httpx.AsyncClient, headers: dict[str, str], prompt: str) -> dict[str, Any]:
    response = await http.post("/api/generate", json={"prompt": prompt}, headers=headers)
    assert response.status_code == 202, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_generation_runs_on_a_worker_and_streams_through_serve(http: httpx.AsyncClient) -> None:
    ada = await signed_up(http, "ada@example.com")
    started = await start(http, ada["headers"], "A dashboard for my solar farm")
    _, frames, _ = await read_stream(http, started["stream_url"], ada["headers"])
    assert [f.id for f in frames] == list(range(1, len(frames) + 1))
    assert frames[-1].event == "done"
    assert frames[-1].data["version"] == 1
    for path in frames[-1].data["files"]:
        written = "".join(
            f.data["delta"] for f in frames if f.event == "file_delta" and f.data["path"] == path
        )
        served = await http.get(
            f"/api/v1/projects/{started['project_id']}/files/{path}", headers=ada["headers"]
        )
        assert served.text == written
    session = (await http.get(f"/api/sessions/{started['session_id']}", headers=ada["headers"])).json()
    assert session["status"] == "succeeded"
    assert session["model"] == "offline"


async def test_resuming_through_other_serve_workers_loses_and_repeats_nothing(
    http: httpx.AsyncClient,
) -> None:
    ada = await signed_up(http, "ada@example.com")
    started = await start(http, ada["headers"], "A portfolio for a ceramicist")
    frames: list[Any] = []
    while not frames or frames[-1].event not in ("done", "error"):
        last = {"Last-Event-ID": str(frames[-1].id)} if frames else {}
        async with httpx.AsyncClient(base_url=str(http.base_url), timeout=30) as fresh:  # a new connection
            _, more, _ = await read_stream(fresh, started["stream_url"], ada["headers"] | last, stop_after=40)
        frames += more
    assert [f.id for f in frames] == list(range(1, len(frames) + 1))
    assert frames[-1].event == "done"


async def test_cancel_ends_the_session_on_the_worker(http: httpx.AsyncClient) -> None:
    ada = await signed_up(http, "ada@example.com")
    started = await start(http, ada["headers"], "A shop for my bakery")
    await read_stream(http, started["stream_url"], ada["headers"], stop_after=3)
    assert (
        await http.post(f"/api/sessions/{started['session_id']}/cancel", headers=ada["headers"])
    ).status_code == 202
    _, frames, _ = await read_stream(http, started["stream_url"], ada["headers"])
    assert frames[-1].event == "error"
    assert frames[-1].data["code"] == "cancelled"
    project = (await http.get(f"/api/v1/projects/{started['project_id']}", headers=ada["headers"])).json()
    assert project["current_version"] == 0


async def test_20_concurrent_starts_with_limit_2_give_exactly_two_202s(
    http: httpx.AsyncClient, cluster: Any
) -> None:
    ada = await signed_up(http, "ada@example.com")
    for index in range(len(cluster.workers)):  # nothing may finish (and free a slot) meanwhile
        cluster.kill_worker(index)
    try:
        responses = await asyncio.gather(
            *(
                http.post("/api/generate", json={"prompt": f"site {i}"}, headers=ada["headers"])
                for i in range(20)
            )
        )
    finally:
        for index in range(len(cluster.workers)):
            cluster.start_worker(index)
    assert sorted(r.status_code for r in responses) == [202, 202] + [429] * 18


async def test_a_logout_holds_in_every_process(http: httpx.AsyncClient) -> None:
    ada = await signed_up(http, "ada@example.com")
    for _ in range(6):  # warm every worker's caches
        assert (await http.get("/api/v1/users/me", headers=ada["headers"])).status_code == 200
    assert (await http.post("/api/v1/auth/logout", headers=ada["headers"])).status_code == 204
    for _ in range(10):
        async with httpx.AsyncClient(base_url=str(http.base_url)) as fresh:
            assert_problem(await fresh.get("/api/v1/users/me", headers=ada["headers"]), 401)


async def test_one_generation_is_one_trace_across_serve_and_a_worker(
    http: httpx.AsyncClient, cluster: Any
) -> None:
    """Each process exports its spans to a file of its own; joined by trace id they make one trace
    from the request in a serve worker to the version a vibe worker committed."""
    ada = await signed_up(http, "ada@example.com")
    prompt = "A homepage for Bartholomew's beekeeping cooperative"
    response = await http.post("/api/generate", json={"prompt": prompt}, headers=ada["headers"])
    assert response.status_code == 202, response.text
    _, frames, _ = await read_stream(http, response.json()["stream_url"], ada["headers"])
    assert frames[-1].event == "done"
    session = response.json()["session_id"]
    trace: list[dict[str, Any]] = []
    for _ in range(100):  # the processes export every 200 ms
        spans = from_files(cluster.span_files())
        if any(s["name"] == RUN and s["attributes"].get("vibe.session.id") == session for s in spans):
            trace = one_generation(spans, session)
            if any(s["name"] == "POST /api/generate" for s in trace):
                break
        await asyncio.sleep(0.1)
    assert_request_to_version(trace, prompt)
    request = next(s for s in trace if s["name"] == "POST /api/generate")
    run = next(s for s in trace if s["name"] == RUN)
    assert request["_file"] == "serve.spans"
    assert run["_file"].startswith("worker")
    assert request["resource"]["attributes"]["process.pid"] != run["resource"]["attributes"]["process.pid"]
    polls = [s for s in spans if s["parent_id"] is None and s["kind"] == "SpanKind.CLIENT"]
    assert polls == []  # a worker's polling of the job stream is no trace of its own
