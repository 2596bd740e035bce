"""A stream never skips an event the live log missed (issue 15, item 4).

A worker writes a batch of events to the database and is killed before it publishes them to the live
log; the run goes on (taken over) and later events reach the live log. Every reader of the session,
live or resuming, must still get every id once and in order: the follower sees the gap in the ids
and fills it from the database. Here the worker's writes are made by hand, so the gap is exact.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.accounts_http import signed_up
from tests.cluster import running_cluster
from tests.conftest import JWT_SECRET
from tests.sse import read_stream
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.events import ErrorEvent, Event, Status, StoredEvent, Text
from vibe.domain.generations import Generation, GenerationStatus
from vibe.domain.users import User
from vibe.testing import FastHasher, ScriptedModel, seams


@pytest.fixture(params=["memory", "redis"])
async def app(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[tuple[Vibe, ScriptedModel]]:
    redis = str(request.getfixturevalue("redis_test_url")) if request.param == "redis" else None
    settings = Settings(database_url=sqlite_url, redis_url=redis, jwt_secret=JWT_SECRET)
    model = ScriptedModel()
    model.gate = asyncio.Event()  # the run is claimed, then waits here: the test writes its events
    async with connect(settings, hasher=FastHasher(), model=model) as vibe:
        yield vibe, model
        model.gate.set()


async def running(vibe: Vibe) -> tuple[User, Generation]:
    ada = await vibe.accounts.register("ada@example.com", "correct horse battery")
    started = await vibe.generations.start(ada, "A page")
    for _ in range(200):
        generation = await vibe.generations.get(ada, started.id)
        if generation.status is GenerationStatus.RUNNING:
            return ada, generation
        await asyncio.sleep(0.01)
    raise AssertionError("the generation was never claimed")


async def write(vibe: Vibe, generation: Generation, events: list[Event], *, publish: bool) -> None:
    """What the worker does: the durable write, then (unless it dies first) the publish."""
    async with seams.database(vibe)() as uow:
        stored = await uow.events.append(generation.id, generation.attempt, events)
        await uow.commit()
    assert stored is not None
    if publish:
        await seams.live_events(vibe).publish(generation.id, stored)


async def read_all(vibe: Vibe, user: User, generation_id: str, after: int) -> list[StoredEvent]:
    seen: list[StoredEvent] = []
    async for event in await vibe.generations.events(user, generation_id, after):
        if event is not None:
            seen.append(event)
    return seen


async def test_events_written_but_never_published_still_reach_every_reader(
    app: tuple[Vibe, ScriptedModel],
) -> None:
    vibe, _ = app
    ada, generation = await running(vibe)  # events 1 (queued) and 2 (running), published
    live_reader = asyncio.create_task(read_all(vibe, ada, generation.id, 2))
    await asyncio.sleep(0.1)  # the live reader is waiting for event 3
    await write(vibe, generation, [Text(delta="a"), Text(delta="b")], publish=True)  # 3, 4
    await write(vibe, generation, [Text(delta="c"), Text(delta="d")], publish=False)  # 5, 6: the gap
    ended = [Text(delta="e"), Status(status="failed"), ErrorEvent(code="x", message="stopped")]
    await write(vibe, generation, ended, publish=True)  # 7, 8, 9
    live = await asyncio.wait_for(live_reader, 10)
    assert [e.seq for e in live] == list(range(3, 10))
    assert "".join(e.data.decode() for e in live if e.name == "text").count('"delta"') == 5
    for after in (0, 2, 4, 5):
        resumed = await asyncio.wait_for(read_all(vibe, ada, generation.id, after), 10)
        assert [e.seq for e in resumed] == list(range(after + 1, 10)), after


async def test_a_worker_killed_between_its_database_write_and_its_publish_leaves_no_gap(
    tmp_path: Path, mysql_admin_url: str, redis_url: str
) -> None:
    """The real deployment: the worker running the session is killed with SIGKILL; what it had
    stored but not yet published is then written as it would have been (its attempt, into the
    database only); another worker takes the session over and publishes what follows to Redis. A
    reader from the start, and one resuming before the gap, get every id once, in order."""
    with running_cluster(
        tmp_path,
        mysql_admin_url,
        redis_url,
        serve_workers=1,
        workers=1,
        VIBE_GENERATION_LEASE_SECONDS="2",
        VIBE_OFFLINE_PACE_SECONDS="0.01",
    ) as cluster:
        async with httpx.AsyncClient(base_url=cluster.url, timeout=60) as http:
            ada = await signed_up(http, "ada@example.com")
            started = await http.post("/api/generate", json={"prompt": "a bakery"}, headers=ada["headers"])
            session_id = started.json()["session_id"]
            _, before, _ = await read_stream(http, started.json()["stream_url"], ada["headers"], stop_after=8)
            cluster.kill_worker(0)
            async with connect(cluster.settings, migrate=False) as vibe:
                owner = await vibe.accounts.owner_of(ada["user"]["id"])
                generation = await vibe.generations.get(owner, session_id)
                lost: list[Event] = [
                    Text(delta="stored, never published 1"),
                    Text(delta="stored, never published 2"),
                ]
                await write(vibe, generation, lost, publish=False)
            cluster.start_worker(0)
            _, frames, _ = await read_stream(http, started.json()["stream_url"], ada["headers"])
            resume = {"Last-Event-ID": str(before[-1].id)}
            _, resumed, _ = await read_stream(http, started.json()["stream_url"], ada["headers"] | resume)
    assert [f.id for f in frames] == list(range(1, len(frames) + 1))
    assert [f.id for f in resumed] == [f.id for f in frames[len(before) :]]
    deltas = [f.data.get("delta") for f in frames if f.event == "text"]
    assert "stored, never published 1" in deltas
    assert "stored, never published 2" in deltas
    assert frames[-1].event in ("done", "error")
