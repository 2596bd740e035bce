"""A server killed mid-generation (SIGKILL) leaves the session failed once it is back, and the project
as it was; but a process started on the database of a live one (a local command) fails nothing of it."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import httpx

from tests.cli import clean_env, free_port, run_vibe, serve_process, wait_until_ready
from tests.conftest import JWT_SECRET
from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.domain.generations import GenerationStatus
from vibe.testing import FastHasher, ScriptedModel, seams, turn

PASSWORD = "correct horse battery"


def test_a_killed_server_leaves_the_session_failed_after_restart(tmp_path: Path) -> None:
    env = clean_env(VIBE_OFFLINE_PACE_SECONDS="0.05")
    port = free_port()
    with serve_process(tmp_path, env, port=port) as (base, process):
        wait_until_ready(f"{base}/readyz", timeout=20)
        with httpx.Client(base_url=base, timeout=10) as http:
            http.post("/api/v1/users", json={"email": "ada@example.com", "password": PASSWORD})
            token = http.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            started = http.post(
                "/api/generate", json={"prompt": "a shop for my plant nursery"}, headers=headers
            )
            session = started.json()
            with http.stream("GET", session["stream_url"], headers=headers) as stream:
                seen = 0
                for line in stream.iter_lines():
                    seen += line.startswith("event: file_delta")
                    if seen >= 3:
                        break
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    with serve_process(tmp_path, env, port=port) as (base, _):
        wait_until_ready(f"{base}/readyz", timeout=20)
        with httpx.Client(base_url=base, timeout=10) as http:
            for _ in range(100):
                state = http.get(f"/api/sessions/{session['session_id']}", headers=headers).json()
                if state["status"] != "running":
                    break
                time.sleep(0.1)
            assert state["status"] == "failed"
            assert "stopped" in state["error"]
            with http.stream("GET", session["stream_url"], headers=headers) as stream:
                lines = list(stream.iter_lines())
            events = [line for line in lines if line.startswith("event: ")]
            assert events[-1] == "event: error"
            ids = [int(line[4:]) for line in lines if line.startswith("id: ")]
            assert ids == list(range(1, len(ids) + 1))
            project = http.get(f"/api/v1/projects/{session['project_id']}", headers=headers).json()
            assert project["current_version"] == 0


# --- a local command against a live server's database (issue 15, item 3) -----------------------------


async def test_a_second_process_on_a_live_database_fails_none_of_its_sessions(tmp_path: Path) -> None:
    """``vibe generate`` or ``vibe users create-admin`` start vibe on the database of a running
    server: the server's running and queued sessions are not theirs to fail."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}", jwt_secret=JWT_SECRET)
    model = ScriptedModel(pace=0.005)
    page = "<!doctype html><p>slow</p>" * 40
    model.add(turn("Here.", [("write_file", {"path": "index.html", "content": page})]), turn("Done."))
    async with connect(settings, hasher=FastHasher(), model=model) as server:
        ada = await server.accounts.register("ada@example.com", PASSWORD)
        running = await server.generations.start(ada, "A slow page")
        events = await server.generations.events(ada, running.id)
        async for event in events:  # running, and writing
            if event is not None and event.name == "file_delta":
                break
        async with connect(settings, hasher=FastHasher()) as command:
            await command.accounts.create_admin("root@example.com", PASSWORD)
            await asyncio.sleep(0.3)  # its start-up work, recovery included, has run
        assert (await server.generations.get(ada, running.id)).status is GenerationStatus.RUNNING
        async for event in events:
            if event is not None and event.terminal:
                assert event.name == "done", event
        assert (await server.generations.get(ada, running.id)).status is GenerationStatus.SUCCEEDED


async def test_a_process_alone_on_the_database_fails_what_dead_ones_left(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}", jwt_secret=JWT_SECRET)
    async with connect(settings, hasher=FastHasher(), model=ScriptedModel()) as first:
        ada = await first.accounts.register("ada@example.com", PASSWORD)
        await seams.queue(first).aclose()  # as if the process died before it ran the job
        left = await first.generations.start(ada, "A page nobody will run")
    async with connect(settings, hasher=FastHasher()) as second:
        for _ in range(50):
            if (await second.generations.get(ada, left.id)).finished:
                break
            await asyncio.sleep(0.05)
        failed = await second.generations.get(ada, left.id)
    assert failed.status is GenerationStatus.FAILED
    assert failed.error is not None
    assert "stopped" in failed.error


def test_vibe_users_create_admin_against_a_live_server_leaves_its_generation_running(tmp_path: Path) -> None:
    env = clean_env(VIBE_OFFLINE_PACE_SECONDS="0.02")  # a generation of ~20 s
    with serve_process(tmp_path, env) as (base, _):
        wait_until_ready(f"{base}/readyz", timeout=20)
        with httpx.Client(base_url=base, timeout=10) as http:
            http.post("/api/v1/users", json={"email": "ada@example.com", "password": PASSWORD})
            token = http.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            session = http.post("/api/generate", json={"prompt": "a shop for plants"}, headers=headers).json()
            with http.stream("GET", session["stream_url"], headers=headers) as stream:
                for line in stream.iter_lines():
                    if line.startswith("event: file_delta"):
                        break
            made = run_vibe(
                "users",
                "create-admin",
                "root@example.com",
                cwd=tmp_path,
                env=env | {"VIBE_ADMIN_PASSWORD": PASSWORD},
            )
            assert made.returncode == 0, made.stderr
            state = http.get(f"/api/sessions/{session['session_id']}", headers=headers).json()
            assert state["status"] == "running", state
            for _ in range(600):
                state = http.get(f"/api/sessions/{session['session_id']}", headers=headers).json()
                if state["status"] != "running":
                    break
                time.sleep(0.1)
            assert state["status"] == "succeeded", state
