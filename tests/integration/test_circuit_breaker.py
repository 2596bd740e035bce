"""The circuit breaker on the model, for real: two ``vibe worker`` processes drive the stand-in
Messages API, made to fail on demand, and share the breaker's state through Redis. It opens after
failures in a row, fails the next generation fast (on the other worker, without a call), lets one
probe through after the cool-down, and closes again."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.cli import VIBE, clean_env
from tests.conftest import JWT_SECRET
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.events import Done, ErrorEvent, Event
from vibe.domain.users import User
from vibe.testing import FastHasher, seams
from vibe.testing.messages_server import MessagesServer, Reply

pytestmark = pytest.mark.redis

PAGE = "<!doctype html><title>Bees</title><h1>Bees</h1>"
COOLDOWN = 15.0  # long enough for a loaded machine to stop one worker and fail a generation


@pytest.fixture
async def api() -> AsyncIterator[MessagesServer]:
    async with MessagesServer() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, redis_test_url: str, api: MessagesServer) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        redis_url=redis_test_url,
        queue="redis",
        jwt_secret=JWT_SECRET,
        llm="claude",
        anthropic_api_key="test-key",
        anthropic_base_url=api.url,
        breaker_failures=3,
        breaker_cooldown_seconds=COOLDOWN,
    )


@pytest.fixture
async def serve(settings: Settings) -> AsyncIterator[Vibe]:
    """The serving side, in this process: it queues generations and reads the shared breaker."""
    async with connect(settings, hasher=FastHasher()) as app:
        yield app


class Workers:
    """``vibe worker`` processes on the same database, Redis and stand-in API."""

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = folder
        self.env = clean_env(
            VIBE_DATABASE_URL=settings.database_url,
            VIBE_REDIS_URL=settings.redis_url or "",
            VIBE_QUEUE="redis",
            VIBE_JWT_SECRET=JWT_SECRET,
            ANTHROPIC_API_KEY="test-key",
            ANTHROPIC_BASE_URL=settings.anthropic_base_url or "",
            VIBE_BREAKER_FAILURES=str(settings.breaker_failures),
            VIBE_BREAKER_COOLDOWN_SECONDS=str(settings.breaker_cooldown_seconds),
        )
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    async def start(self, *names: str) -> None:
        """Start the workers and wait until each is ready (slow on a loaded machine)."""
        logs = [self._spawn(name) for name in names]
        for _ in range(1200):
            if all("ready" in log.read_text() for log in logs):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"workers {names} did not start")

    def _spawn(self, name: str) -> Path:
        log = self.folder / f"{name}.log"
        with log.open("a") as out:
            self.running[name] = subprocess.Popen(
                [*VIBE, "worker", "--concurrency", "1"], cwd=self.folder, env=self.env, stdout=out, stderr=out
            )
        return log

    def saying(self, words: str) -> list[str]:
        """The workers whose log holds ``words``."""
        return [name for name in self.running if words in (self.folder / f"{name}.log").read_text()]

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        process.terminate()
        process.wait(timeout=15)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


@pytest.fixture
def workers(tmp_path: Path, settings: Settings) -> Iterator[Workers]:
    running = Workers(tmp_path, settings)
    yield running
    running.stop_all()


async def generate(app: Vibe, user: User, prompt: str) -> tuple[Event, float]:
    """The last event of a generation, and the seconds it ran for (from ``running`` to its end)."""
    started, last = 0.0, None
    async for event in app.generate(user, prompt):
        if event.name == "status" and getattr(event, "status", "") == "running":
            started = time.monotonic()
        last = event
    assert last is not None
    return last, time.monotonic() - started


async def test_the_breaker_opens_fails_fast_on_every_worker_probes_and_closes(
    serve: Vibe, workers: Workers, api: MessagesServer
) -> None:
    ada = await serve.accounts.register("ada@example.com", "correct horse battery")
    for _ in range(3):
        api.add(Reply.overloaded())

    await workers.start("a", "b")
    failed, _ = await generate(serve, ada, "A page for my bees")  # one of them meets the outage
    assert isinstance(failed, ErrorEvent)
    assert failed.code == "model_unavailable"
    assert "3 calls in a row failed" in failed.message
    assert len(api.requests) == 3  # opened at the third failure: no fourth try
    circuit = await serve.model_circuit()
    assert circuit is not None
    assert (circuit.state, circuit.trips) == ("open", 1)
    (met,) = workers.saying("model circuit opened")
    workers.stop(met)

    fast, seconds = await generate(serve, ada, "A page for my bees, again")  # the other knows, through Redis
    assert isinstance(fast, ErrorEvent)
    assert fast.code == "model_unavailable"
    assert "The model service is down" in fast.message
    assert seconds < 3.0  # its retries alone would sleep 3.5 s at the least
    retry_at = circuit.retry_at
    assert retry_at is not None
    assert seams.clock(serve).now() < retry_at, "too slow a machine: the cool-down ran out already"
    assert len(api.requests) == 3  # failed without a call
    await asyncio.sleep(max(0.0, (retry_at - seams.clock(serve).now()).total_seconds()) + 0.2)
    api.add(Reply.tool_calls([("write_file", {"path": "index.html", "content": PAGE})]))
    api.add(Reply.text("Done."))
    probed, _ = await generate(serve, ada, "A page for my bees, once more")
    assert isinstance(probed, Done), probed
    assert len(api.requests) == 5
    closed = await serve.model_circuit()
    assert closed is not None
    assert (closed.state, closed.failures, closed.trips) == ("closed", 0, 1)
