"""Shared fixtures: settings on a throwaway SQLite file, the app and an HTTP client, and the real
MariaDB and Redis named by VIBE_TEST_MYSQL_URL / VIBE_TEST_REDIS_URL.

A test that needs a service which is absent is skipped, except under CI=true, where it fails: CI
must never pass by skipping the work.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import hypothesis
import pytest
from litestar import Litestar

from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.entrypoints.http.app import create_app
from vibe.testing.fakes import FastHasher

JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
# VIBE_TEST_CLUSTER=1: the HTTP suites marked `cluster` run against a real deployment instead
# (2 serve workers and 2 vibe workers on MariaDB and Redis), started once for the session.
CLUSTER = os.environ.get("VIBE_TEST_CLUSTER") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not CLUSTER:
        return
    keep = [item for item in items if item.get_closest_marker("cluster") and "[mariadb]" not in item.nodeid]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


def require_service(variable: str) -> str:
    url = os.environ.get(variable)
    if not url:
        message = f"{variable} is not set"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}, and CI=true: integration tests must run against the real service")
        pytest.skip(message)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}"


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return Settings(database_url=sqlite_url, jwt_secret=JWT_SECRET, offline_pace_seconds=0)


@pytest.fixture
async def vibe(settings: Settings, request: pytest.FixtureRequest) -> AsyncIterator[Vibe]:
    """The app on ``settings`` with a fast password hasher (argon2 has tests of its own); in cluster
    mode, the library side of the running deployment."""
    if CLUSTER:
        cluster = request.getfixturevalue("cluster")
        async with connect(cluster.settings, migrate=False) as app:
            yield app
        return
    async with connect(settings, migrate=True, hasher=FastHasher()) as app:
        yield app


@pytest.fixture
def app(vibe: Vibe) -> Litestar:
    return create_app(vibe)


@pytest.fixture
async def client(app: Litestar, request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP into the app in this test's own event loop (Litestar's AsyncTestClient runs the app in a
    thread with a loop of its own, which pooled database connections made here cannot cross); in
    cluster mode, HTTP to the running deployment."""
    if CLUSTER:
        cluster = request.getfixturevalue("cluster")
        async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as remote:
            yield remote
        return
    async with http_client(app) as test_client:
        yield test_client


def http_client(app: Litestar) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=cast("Any", app), client=("203.0.113.7", 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local")


@pytest.fixture(scope="session")
def mysql_admin_url() -> str:
    return require_service("VIBE_TEST_MYSQL_URL")


@pytest.fixture(scope="session")
def redis_url() -> str:
    return require_service("VIBE_TEST_REDIS_URL")


@pytest.fixture
def mysql_url(mysql_admin_url: str) -> Iterator[str]:
    from vibe.testing.mysql import fresh_mysql_database

    with fresh_mysql_database(mysql_admin_url) as url:
        yield url


@pytest.fixture(params=["sqlite", "mariadb"])
def any_database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """Run the test once on SQLite and once on the real MariaDB."""
    if request.param == "mariadb":
        return str(request.getfixturevalue("mysql_url"))
    return sqlite_url


@pytest.fixture
def redis_test_url(redis_url: str) -> Iterator[str]:
    """The test Redis, on database 15, emptied before and after each test that uses it."""
    from redis import Redis

    url = redis_url.rsplit("/", 1)[0] + "/15" if redis_url.count("/") > 2 else redis_url + "/15"
    with Redis.from_url(url) as client:
        client.flushdb()
        yield url
        client.flushdb()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory, mysql_admin_url: str, redis_url: str) -> Iterator[Any]:
    from tests.cluster import SHARED_REDIS_DB, running_cluster

    folder = tmp_path_factory.mktemp("cluster")
    with running_cluster(folder, mysql_admin_url, redis_url, redis_db=SHARED_REDIS_DB) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_cluster(request: pytest.FixtureRequest) -> None:
    """In cluster mode every test starts from empty tables and an empty Redis."""
    if CLUSTER:
        request.getfixturevalue("cluster").wipe()


# Hypothesis profiles (README, "Test profiles"). `ci`, the default, fits CI's time budget and draws the
# same examples on every run; `full` (HYPOTHESIS_PROFILE=full) explores ten times as far, at random.
# The heavy suites (tests/contract, the generation machine, Schemathesis, hostile input) size
# themselves from the loaded profile.
hypothesis.settings.register_profile(
    "ci", max_examples=100, stateful_step_count=25, deadline=None, derandomize=True, print_blob=True
)
hypothesis.settings.register_profile(
    "full", max_examples=1000, stateful_step_count=50, deadline=None, print_blob=True
)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
