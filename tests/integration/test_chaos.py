"""Kill -9: 30 generations on the offline model while a random worker is SIGKILLed every few
seconds and restarted. Afterwards no session is queued or running, every succeeded one has exactly
one version and contiguous event ids, every failed one ends with an error event."""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path

import httpx

from tests.accounts_http import signed_up
from tests.cluster import running_cluster
from vibe.bootstrap import connect
from vibe.domain.events import TERMINAL_EVENTS, StoredEvent
from vibe.domain.generations import GenerationStatus
from vibe.testing import seams

GENERATIONS = 30
CHAOS_SECONDS = 12


async def test_killing_workers_never_leaves_a_session_running_or_doubles_a_version(
    tmp_path: Path, mysql_admin_url: str, redis_url: str
) -> None:
    with running_cluster(
        tmp_path,
        mysql_admin_url,
        redis_url,
        serve_workers=1,
        workers=2,
        VIBE_MAX_CONCURRENT_GENERATIONS="40",
        VIBE_OFFLINE_PACE_SECONDS="0.003",
        VIBE_GENERATION_LEASE_SECONDS="3",
    ) as cluster:
        async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as http:
            ada = await signed_up(http, "ada@example.com")
            for i in range(GENERATIONS):
                started = await http.post(
                    "/api/generate", json={"prompt": f"site {i}"}, headers=ada["headers"]
                )
                assert started.status_code == 202
            # The first kill comes as soon as a generation runs, on both workers, so that it hits one
            # however fast the machine is (the offline model may finish a site within a second).
            await wait_until_running(http, ada["headers"])
            for victim in (0, 1):
                cluster.kill_worker(victim)
            await asyncio.sleep(0.3)
            for victim in (0, 1):
                cluster.start_worker(victim)
            chaos = random.Random(7)
            deadline = time.monotonic() + CHAOS_SECONDS
            while time.monotonic() < deadline:
                await asyncio.sleep(chaos.uniform(1.0, 2.5))
                victim = chaos.randrange(2)
                cluster.kill_worker(victim)
                await asyncio.sleep(0.3)
                cluster.start_worker(victim)
            await wait_until_settled(http, ada["headers"], timeout=120)

        async with connect(cluster.settings, migrate=False) as app:
            owner = await app.accounts.owner_of(ada["user"]["id"])
            sessions = (await app.generations.list_sessions(owner, 100, 0)).items
            assert len(sessions) == GENERATIONS
            restarted = 0
            async with seams.database(app)(readonly=True) as uow:
                for session in sessions:
                    assert session.finished, session
                    events = await uow.events.after(session.id, 0, limit=100_000)
                    assert [e.seq for e in events] == list(range(1, len(events) + 1))
                    assert events[-1].name in TERMINAL_EVENTS
                    assert [e.name for e in events].count(events[-1].name) == 1
                    versions = [v for v in await uow.projects.versions(session.project_id) if v.number]
                    if session.status is GenerationStatus.SUCCEEDED:
                        assert events[-1].name == "done"
                        assert [(v.number, v.generation_id) for v in versions] == [
                            (session.version, session.id)
                        ]
                        assert session.version is not None
                        files = await uow.projects.read_all(session.project_id, session.version)
                        assert streamed_files(events) == files  # docs/api.md: after the last restart
                        restarted += any(e.name == "restart" for e in events)
                    else:
                        assert events[-1].name == "error"
                        assert versions == []
            assert sum(s.status is GenerationStatus.SUCCEEDED for s in sessions) >= GENERATIONS // 2
            assert any(s.attempt > 1 for s in sessions), "no kill ever hit a running generation"
            assert restarted, "no session that succeeded after a takeover"


def streamed_files(events: list[StoredEvent]) -> dict[str, str]:
    """What a client rebuilds from a stream: each path's deltas after the last ``restart``."""
    files: dict[str, str] = {}
    for event in events:
        data = json.loads(event.data)
        if event.name == "restart":
            files.clear()
        elif event.name == "file_start":
            files[data["path"]] = ""
        elif event.name == "file_delta":
            files[data["path"]] += data["delta"]
    return files


async def wait_until_settled(http: httpx.AsyncClient, headers: dict[str, str], timeout: float) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        listed = (await http.get("/api/sessions?limit=100", headers=headers)).json()["items"]
        if all(s["status"] not in ("queued", "running") for s in listed):
            return
        await asyncio.sleep(0.5)
    raise AssertionError("sessions still queued or running after the chaos")


async def wait_until_running(http: httpx.AsyncClient, headers: dict[str, str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = await http.get("/api/sessions", params={"status": "running"}, headers=headers)
        if page.status_code == 200 and page.json()["items"]:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no generation started running")
