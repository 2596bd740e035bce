"""A server killed mid-generation (SIGKILL) leaves the session failed once it is back, and the project
as it was."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx

from tests.cli import clean_env, free_port, serve_process, wait_until_ready

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
