"""VIBE_QUEUE=redis: serve only enqueues, a worker runs; cancel reaches the worker within a second;
a job whose worker died is taken over; a session that keeps dying is given up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from tests.conftest import JWT_SECRET
from vibe.adapters.redis.queue import GROUP, STREAM, RedisCancelBus, RedisWorker
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.conversation import ModelChunk, ModelRequest, TextDelta, TurnEnd
from vibe.domain.events import Done, ErrorEvent, decode
from vibe.domain.generations import GenerationStatus
from vibe.domain.usage import Usage
from vibe.domain.users import User
from vibe.testing import FastHasher, ScriptedModel, seams, turn

PAGE = "<!doctype html><title>x</title><h1>x</h1>"


def site() -> list[list[ModelChunk]]:
    return [turn("ok", [("write_file", {"path": "index.html", "content": PAGE})]), turn("done")]


@pytest.fixture
def settings(tmp_path: Path, redis_test_url: str) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        redis_url=redis_test_url,
        queue="redis",
        jwt_secret=JWT_SECRET,
    )


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


@pytest.fixture
async def serve(settings: Settings) -> AsyncIterator[Vibe]:
    """The serving side: it never runs a generation itself (its model has no script)."""
    async with connect(settings, hasher=FastHasher(), model=ScriptedModel()) as app:
        yield app


class WorkerProcess:
    """A worker in this test's loop, on its own Vibe (as a separate process would be)."""

    def __init__(self, settings: Settings, model: ScriptedModel, name: str) -> None:
        self.settings, self.model, self.name = settings, model, name
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> WorkerProcess:
        self.app = connect(self.settings, hasher=FastHasher(), model=self.model)
        await self.app.start()
        bus = seams.cancel_bus(self.app)
        assert isinstance(bus, RedisCancelBus)
        worker = RedisWorker(
            self.redis,
            self.app.generations.run,
            bus,
            consumer=self.name,
            block_ms=100,
            idle_ms=500,
            touch_seconds=0.1,
        )
        self.task = asyncio.create_task(worker.run(self.stop))
        return self

    @property
    def redis(self) -> Redis:
        client = seams.redis(self.app)
        assert client is not None
        return client

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, 10)
        await self.app.aclose()


async def user(app: Vibe) -> User:
    return await app.accounts.register("ada@example.com", "correct horse battery")


async def test_serve_enqueues_and_a_worker_runs_it(
    serve: Vibe, settings: Settings, model: ScriptedModel
) -> None:
    ada = await user(serve)
    model.add(*site())
    async with WorkerProcess(settings, model, "w1"):
        events = [e async for e in serve.generate(ada, "a page")]
    assert isinstance(events[-1], Done)
    session = (await serve.generations.list_sessions(ada, 1, 0)).items[0]
    assert session.status is GenerationStatus.SUCCEEDED
    assert session.attempt == 1


class StallingModel(ScriptedModel):
    """Says one word, then thinks for a long time (nothing streams, so nothing is fenced)."""

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        self.requests.append(request)
        yield TextDelta("Thinking")
        self.stalled.set()
        await asyncio.sleep(60)
        yield TurnEnd("end_turn", Usage())

    stalled = asyncio.Event()


async def test_cancel_reaches_the_worker_within_a_second(
    serve: Vibe, settings: Settings, redis_test_url: str
) -> None:
    ada = await user(serve)
    model = StallingModel()
    model.stalled = asyncio.Event()
    async with WorkerProcess(settings, model, "w1") as worker:
        session = await serve.generations.start(ada, "think hard")
        await asyncio.wait_for(model.stalled.wait(), 10)
        redis = worker.redis
        assert (await redis.xpending(STREAM, GROUP))["pending"] == 1
        await serve.generations.cancel(ada, session.id)
        started = time.monotonic()
        while (await redis.xpending(STREAM, GROUP))["pending"] and time.monotonic() - started < 1.0:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        assert (await redis.xpending(STREAM, GROUP))["pending"] == 0, "the worker was still running it"
    final = await serve.generations.get(ada, session.id)
    assert final.status is GenerationStatus.CANCELLED


async def test_a_dead_workers_job_is_taken_over(
    serve: Vibe, settings: Settings, model: ScriptedModel
) -> None:
    ada = await user(serve)
    model.pace = 0.01
    model.add(*site())
    session = await serve.generations.start(ada, "a page")
    async with seams.database(serve)() as uow:
        current = await uow.generations.get(session.id)
        assert current is not None
        # a worker claimed it and died at once: running, lease already expired, job never acknowledged
        stolen = current.start(current.created_at, lease_until=current.created_at)
        assert await uow.generations.save(stolen, current.attempt)
        await uow.commit()
    async with WorkerProcess(settings, model, "survivor"):
        events = [decode(e.name, e.data) async for e in await serve.generations.events(ada, session.id) if e]
    assert isinstance(events[-1], Done)
    final = await serve.generations.get(ada, session.id)
    assert final.attempt == 2


async def test_a_session_that_keeps_dying_is_given_up(
    serve: Vibe, settings: Settings, model: ScriptedModel
) -> None:
    ada = await user(serve)
    session = await serve.generations.start(ada, "cursed")
    async with seams.database(serve)() as uow:
        current = await uow.generations.get(session.id)
        assert current is not None
        for _ in range(3):
            dead = current.start(current.created_at, lease_until=current.created_at)
            assert await uow.generations.save(dead, current.attempt)
            current = dead
        await uow.commit()
    async with WorkerProcess(settings, model, "w1"):
        events = [decode(e.name, e.data) async for e in await serve.generations.events(ada, session.id) if e]
    assert isinstance(events[-1], ErrorEvent)
    assert events[-1].code == "too_many_attempts"


async def test_a_worker_survives_redis_losing_its_data(
    serve: Vibe, settings: Settings, model: ScriptedModel, redis_test_url: str
) -> None:
    ada = await user(serve)
    model.add(*site())
    async with WorkerProcess(settings, model, "w1") as worker:
        await worker.redis.flushdb()  # a restart without persistence: no stream, no group
        await asyncio.sleep(0.3)
        events = [e async for e in serve.generate(ada, "after the flush")]
    assert isinstance(events[-1], Done)
