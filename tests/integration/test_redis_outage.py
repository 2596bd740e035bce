"""Redis stopped and restarted mid-run: 503s (never a 500, never a revoked token accepted), then
recovery by itself, with the revocations restored although the new Redis started empty."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.accounts_http import sign_in, signed_up
from tests.cli import free_port
from tests.conftest import JWT_SECRET, http_client
from tests.problems import assert_problem
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.entrypoints.http.app import create_app
from vibe.testing import FastHasher

REDIS_SERVER = shutil.which("redis-server")


@contextmanager
def private_redis(port: int) -> Iterator[None]:
    """A redis-server of this test's own, which keeps nothing on disk (like the machine's)."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        with Redis(port=port) as client:
            for _ in range(200):
                try:
                    if client.ping():
                        break
                except OSError:
                    pass
                time.sleep(0.02)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def port(redis_url: str) -> int:  # requires the Redis service to be configured, like the other Redis tests
    return free_port()


@pytest.fixture
async def vibe(tmp_path: Path, port: int) -> AsyncIterator[Vibe]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        redis_url=f"redis://127.0.0.1:{port}/0",
        jwt_secret=JWT_SECRET,
    )
    with private_redis(port):
        async with connect(settings, hasher=FastHasher()) as app:
            yield app


async def test_an_outage_fails_closed_and_recovers_by_itself(vibe: Vibe, port: int) -> None:
    async with http_client(create_app(vibe)) as client:
        live = await signed_up(client, "ada@example.com")
        revoked = await sign_in(client, "ada@example.com")
        assert (await client.post("/api/v1/auth/logout", headers=revoked["headers"])).status_code == 204
        assert (await client.get("/readyz")).status_code == 200

        async with AsyncRedis(port=port, retry=Retry(NoBackoff(), 0)) as admin:
            with contextlib.suppress(RedisConnectionError):
                await admin.shutdown(nosave=True)
        await asyncio.sleep(0.2)
        assert_problem(await client.get("/readyz"), 503)
        for headers in (live["headers"], revoked["headers"]):
            assert_problem(await client.get("/api/v1/users/me", headers=headers), 503)
        login = {"email": "ada@example.com", "password": "correct horse battery"}
        assert_problem(await client.post("/api/v1/auth/login", json=login), 503)
        assert (await client.get("/healthz")).status_code == 200

        with private_redis(port):  # back, and empty
            await wait_ready(client)
            assert (await client.get("/api/v1/users/me", headers=live["headers"])).status_code == 200
            assert_problem(await client.get("/api/v1/users/me", headers=revoked["headers"]), 401)
            assert (await client.post("/api/v1/auth/login", json=login)).status_code == 200


async def wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(100):
        if (await client.get("/readyz")).status_code == 200:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("never ready again")
