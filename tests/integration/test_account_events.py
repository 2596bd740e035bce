"""Live changes of your account (docs/api.md): ``GET /api/v1/events`` over real HTTP, in-process and
through Redis (two feeds on one Redis stand for two processes), resuming with ``Last-Event-ID``, and a
write made by another process of a running cluster (``-m cluster``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.accounts_http import signed_up
from tests.cli import clean_env, run_vibe
from tests.conftest import JWT_SECRET
from tests.problems import assert_problem
from tests.projects_http import create
from vibe.adapters.file_feed import FileAccountFeed
from vibe.adapters.memory_feed import InMemoryAccountFeed
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.ports import AccountFeed
from vibe.entrypoints.http.app import create_app
from vibe.testing import FastHasher
from vibe.testing.loopback import LoopbackServer

WAIT = 20.0  # seconds: only a bound on a hang, never a timed assertion


class Listener:
    """One EventSource-like reader of ``/api/v1/events``: frames as they arrive, in a queue."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.comments = 0
        self.commented = asyncio.Event()
        self.opened = asyncio.Event()
        self.status = 0
        self._task = asyncio.create_task(self._read(client, headers))

    async def _read(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        async with client.stream("GET", "/api/v1/events", headers=headers, timeout=None) as response:
            self.status = response.status_code
            self.content_type = response.headers.get("content-type", "")
            self.opened.set()
            frame: dict[str, Any] = {}
            async for line in response.aiter_lines():
                if line.startswith(":"):
                    self.comments += 1
                    self.commented.set()
                elif line.startswith("id: "):
                    frame["id"] = int(line[4:])
                elif line.startswith("event: "):
                    frame["event"] = line[7:]
                elif line.startswith("data: "):
                    frame["data"] = json.loads(line[6:])
                elif line == "" and "id" in frame:
                    await self.frames.put(frame)
                    frame = {}

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.frames.get(), WAIT)

    async def until(self, event: str, **fields: Any) -> dict[str, Any]:
        while True:
            frame = await self.next()
            if frame["event"] == event and all(frame["data"].get(k) == v for k, v in fields.items()):
                return frame

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def listening(client: httpx.AsyncClient, headers: dict[str, str]) -> Listener:
    listener = Listener(client, headers)
    await asyncio.wait_for(listener.opened.wait(), WAIT)
    await asyncio.sleep(0.05)  # the handler has read where the feed stands once the headers are out
    return listener


@pytest.fixture(params=["memory", "redis"])
async def served(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[tuple[Vibe, str]]:
    """The app on real HTTP, with the in-process feed or the Redis one."""
    redis = request.getfixturevalue("redis_test_url") if request.param == "redis" else None
    settings = Settings(
        database_url=sqlite_url, jwt_secret=JWT_SECRET, redis_url=redis, offline_pace_seconds=0
    )
    async with (
        connect(settings, migrate=True, hasher=FastHasher()) as app,
        LoopbackServer(create_app(app)) as server,
    ):
        yield app, server.url


async def test_two_listeners_both_hear_every_change_in_order(served: tuple[Vibe, str]) -> None:
    app, url = served
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        ada = await signed_up(http, "ada@example.com")
        first, second = await listening(http, ada["headers"]), await listening(http, ada["headers"])
        try:
            assert first.content_type.startswith("text/event-stream")
            project = await create(http, ada, "Shop")
            await app.projects.commit(project["id"], {"index.html": "<p>hi</p>"}, "first")
            renamed = await http.patch(
                f"/api/v1/projects/{project['id']}", json={"name": "Bakery"}, headers=ada["headers"]
            )
            assert renamed.status_code == 200
            assert (
                await http.delete(f"/api/v1/projects/{project['id']}", headers=ada["headers"])
            ).status_code == 204
            for listener in (first, second):
                frames = [await listener.next() for _ in range(4)]
                assert [(f["event"], f["data"]) for f in frames] == [
                    ("project", {"id": project["id"], "action": "created"}),
                    ("version", {"project_id": project["id"], "number": 1}),
                    ("project", {"id": project["id"], "action": "updated"}),
                    ("project", {"id": project["id"], "action": "deleted"}),
                ]
                ids = [f["id"] for f in frames]
                assert ids == sorted(set(ids))
        finally:
            await first.close()
            await second.close()


async def test_a_generation_tells_its_sessions_statuses_and_its_version(served: tuple[Vibe, str]) -> None:
    _, url = served
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        ada = await signed_up(http, "ada@example.com")
        listener = await listening(http, ada["headers"])
        try:
            started = (
                await http.post("/api/generate", json={"prompt": "A bakery"}, headers=ada["headers"])
            ).json()
            await listener.until("project", id=started["project_id"], action="created")
            await listener.until("session", id=started["session_id"], status="queued")
            await listener.until("version", project_id=started["project_id"], number=1)
            done = await listener.until("session", id=started["session_id"], status="succeeded")
            assert done["data"]["project_id"] == started["project_id"]
        finally:
            await listener.close()


async def test_another_account_hears_nothing_and_anonymous_is_401(served: tuple[Vibe, str]) -> None:
    _, url = served
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        ada = await signed_up(http, "ada@example.com")
        bob = await signed_up(http, "bob@example.com")
        assert_problem(await http.get("/api/v1/events"), 401)
        bobs = await listening(http, bob["headers"])
        try:
            await create(http, ada, "Ada's")
            mine = await create(http, bob, "Bob's")
            frame = await bobs.next()
            assert frame["data"] == {"id": mine["id"], "action": "created"}
        finally:
            await bobs.close()


async def test_resuming_with_last_event_id_gets_what_was_missed_once(served: tuple[Vibe, str]) -> None:
    app, url = served
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        ada = await signed_up(http, "ada@example.com")
        listener = await listening(http, ada["headers"])
        project = await create(http, ada, "Shop")
        seen = await listener.next()
        await listener.close()
        for number in (1, 2, 3):  # while nobody listens
            await app.projects.commit(project["id"], {"index.html": f"<p>{number}</p>"}, "more")
        resumed = await listening(http, ada["headers"] | {"Last-Event-ID": str(seen["id"])})
        try:
            frames = [await resumed.next() for _ in range(3)]
            assert [f["data"]["number"] for f in frames] == [1, 2, 3]
            assert [f["id"] for f in frames] == [seen["id"] + 1, seen["id"] + 2, seen["id"] + 3]
            await create(http, ada, "Next")
            assert (await resumed.next())["id"] == seen["id"] + 4  # then live, nothing twice
        finally:
            await resumed.close()


@pytest.fixture(params=["memory", "file", "redis"])
async def feeds(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[AccountFeed, AccountFeed]]:
    """Two feeds that stand for two processes: on one Redis, on one file beside a SQLite database,
    or (in-process) the same feed twice."""
    if request.param == "memory":
        feed = InMemoryAccountFeed()
        yield feed, feed
        return
    if request.param == "file":
        writer_, reader_ = FileAccountFeed(tmp_path / "events"), FileAccountFeed(tmp_path / "events")
        yield writer_, reader_
        await writer_.aclose()
        await reader_.aclose()
        return
    from vibe.adapters.redis.account_feed import RedisAccountFeed
    from vibe.adapters.redis.client import redis_client

    url = request.getfixturevalue("redis_test_url")
    one, two = redis_client(url), redis_client(url)
    writer, reader = RedisAccountFeed(one), RedisAccountFeed(two)
    try:
        yield writer, reader
    finally:
        await writer.aclose()
        await reader.aclose()
        await one.aclose()
        await two.aclose()


async def test_a_feed_numbers_events_and_wakes_a_waiting_reader(
    feeds: tuple[AccountFeed, AccountFeed],
) -> None:
    """Ids increase within an account (one sequence may serve every account, so they may skip)."""
    writer, reader = feeds
    start = await reader.last("u1")
    waiting = asyncio.create_task(reader.read("u1", start, timeout=WAIT))
    await asyncio.sleep(0.05)
    await writer.publish("u1", "project", b'{"id":"p","action":"created"}')
    (first,) = await waiting
    assert first.name == "project"
    assert first.seq > start
    for _ in range(3):
        await writer.publish("u1", "version", b"{}")
    await writer.publish("u2", "version", b"{}")
    more = await reader.read("u1", first.seq, timeout=WAIT)
    while len(more) < 3:  # a reader of another process may see them in more than one batch
        more += await reader.read("u1", more[-1].seq if more else first.seq, timeout=WAIT)
    ids = [e.seq for e in more]
    assert ids == sorted(set(ids))
    assert ids[0] > first.seq
    assert [e.name for e in more] == ["version"] * 3
    assert await reader.last("u1") >= ids[-1]
    assert await reader.read("u1", ids[-1], timeout=0) == []
    assert await reader.read("u1", 10**9, timeout=0) == []  # past the last: nothing yet
    assert [e.name for e in await reader.read("u2", 0, timeout=WAIT)] == ["version"]
    # Resuming from the first event gives the rest again, once each.
    assert [e.seq for e in await reader.read("u1", first.seq, timeout=0)] == ids


@pytest.mark.cluster
async def test_a_write_in_another_process_of_the_cluster_reaches_two_listeners(
    cluster: Any,
) -> None:
    cluster.wipe()
    async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as http:
        ada = await signed_up(http, "ada@example.com")
        # Two connections: with two serve workers, each may land on either.
        async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as other:
            first, second = await listening(http, ada["headers"]), await listening(other, ada["headers"])
            try:
                project = await create(http, ada, "Shop")
                # A write from this test's own process (the library on the cluster's database and Redis).
                async with connect(cluster.settings, migrate=False) as library:
                    await library.projects.commit(project["id"], {"index.html": "<p>x</p>"}, "from afar")
                # And a generation, run by a `vibe worker` process.
                started = (
                    await http.post(
                        "/api/generate",
                        json={"prompt": "A bakery", "project_id": project["id"]},
                        headers=ada["headers"],
                    )
                ).json()
                for listener in (first, second):
                    await listener.until("project", id=project["id"], action="created")
                    await listener.until("version", project_id=project["id"], number=1)
                    await listener.until("session", id=started["session_id"], status="running")
                    await listener.until("version", project_id=project["id"], number=2)
                    await listener.until("session", id=started["session_id"], status="succeeded")
            finally:
                await first.close()
                await second.close()


async def test_a_quiet_stream_sends_comment_lines(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, jwt_secret=JWT_SECRET, sse_heartbeat_seconds=0.05)
    async with (
        connect(settings, migrate=True, hasher=FastHasher()) as app,
        LoopbackServer(create_app(app)) as server,
        httpx.AsyncClient(base_url=server.url) as http,
    ):
        ada = await signed_up(http, "ada@example.com")
        listener = await listening(http, ada["headers"])
        try:
            for _ in range(3):
                await asyncio.wait_for(listener.commented.wait(), WAIT)
                listener.commented.clear()
        finally:
            await listener.close()


async def test_a_tab_hears_what_vibe_generate_makes_on_the_embedded_default(sqlite_url: str) -> None:
    """Two processes on one SQLite file and no Redis: ``vibe generate --user`` in the shell, a
    listener of the same account on ``serve``."""
    settings = Settings(database_url=sqlite_url, jwt_secret=JWT_SECRET, offline_pace_seconds=0)
    async with (
        connect(settings, migrate=True, hasher=FastHasher()) as app,
        LoopbackServer(create_app(app)) as server,
        httpx.AsyncClient(base_url=server.url, timeout=30) as http,
    ):
        ada = await signed_up(http, "ada@example.com")
        listener = await listening(http, ada["headers"])
        try:
            env = clean_env(VIBE_DATABASE_URL=sqlite_url, VIBE_OFFLINE_PACE_SECONDS="0")
            folder = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///")).parent
            done = await asyncio.to_thread(
                run_vibe, "generate", "A bakery in Lyon", "--user", "ada@example.com", cwd=folder, env=env
            )
            assert done.returncode == 0, done.stderr
            project = (await listener.until("project", action="created"))["data"]["id"]
            await listener.until("version", project_id=project, number=1)
            await listener.until("session", project_id=project, status="succeeded")
        finally:
            await listener.close()
