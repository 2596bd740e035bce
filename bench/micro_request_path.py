"""CPU of one request through the ASGI app, in-process, no server (a micro-benchmark, not in the plan).

    python -m bench.micro_request_path [--rounds 5] [--requests 4000] [--setup mariadb-redis]

Drives ``create_app(vibe)`` on the embedded default (a throwaway SQLite file; with ``--setup
mariadb-redis``, a fresh MariaDB database and Redis database 12, as benchmark 1 uses) and the bare
Litestar app of benchmark 1 with synthetic ASGI messages on uvloop, and prints the process CPU
(``process_time``, every thread) per request of ``GET /ping``, ``GET /api/v1/users/me`` and
``GET /api/v1/projects`` (20 items), the median of the rounds, which run interleaved. Logging is set
up as ``vibe serve`` sets it (the access log on, at ``INFO``), writing to ``/dev/null``. There is no
socket, no HTTP parsing and no load generator in it, so it shows what the app itself costs and stays
meaningful on a busy machine where wrk's figures do not; the real server adds uvicorn's parsing and
the socket writes (about 20-30 µs here). Requests come one at a time, so on Redis each token check is
an MGET of its own (under load, checks asked together share one). Run it with ``PYTHONPATH`` pointing
at another checkout's ``src`` to compare two versions of vibe.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import msgspec
import uvloop
from redis import Redis

from bench.bare_litestar import app as bare_litestar
from bench.seed import PASSWORD
from bench.servers import BENCH_JWT_SECRET, service_urls
from vibe.bootstrap import connect, migrate_database
from vibe.config import Settings
from vibe.entrypoints.http.app import create_app
from vibe.entrypoints.http.asgi import freeze_startup_objects
from vibe.entrypoints.logs import configure_logging
from vibe.testing.mysql import fresh_mysql_database

__all__ = ["main"]

App = Callable[[dict[str, Any], Any, Any], Coroutine[Any, Any, None]]


async def call(
    app: App, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> Any:
    """One request through ``app``; the response status and body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def cpu_per_request(app: App, path: str, headers: list[tuple[bytes, bytes]], count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        await call(app, "GET", path, headers)
    return (time.process_time() - started) / count * 1e6


async def seed(app: App) -> list[tuple[bytes, bytes]]:
    """A user with 20 projects; the headers that authenticate as them."""
    json = [(b"content-type", b"application/json")]
    user = msgspec.json.encode({"email": "bench@example.com", "password": PASSWORD})
    await call(app, "POST", "/api/v1/users", json, user)
    _, login = await call(app, "POST", "/api/v1/auth/login", json, user)
    auth = [(b"authorization", b"Bearer " + msgspec.json.decode(login)["access_token"].encode())]
    for index in range(20):
        project = msgspec.json.encode({"name": f"Project {index}"})
        await call(app, "POST", "/api/v1/projects", json + auth, project)
    return auth


@contextlib.contextmanager
def stores(setup: str) -> Iterator[Settings]:
    """The settings of a throwaway ``setup``: a SQLite file, or a MariaDB database and Redis database
    (migrated, flushed; dropped after)."""
    if setup == "embedded":
        with tempfile.TemporaryDirectory() as folder:
            yield Settings(
                database_url=f"sqlite+aiosqlite:///{Path(folder) / 'vibe.db'}", jwt_secret=BENCH_JWT_SECRET
            )
        return
    admin, redis_url = service_urls()
    with fresh_mysql_database(admin, prefix="vibe_bench") as database_url:
        settings = Settings(database_url=database_url, redis_url=redis_url, jwt_secret=BENCH_JWT_SECRET)
        migrate_database(settings)
        redis = Redis.from_url(redis_url)
        redis.flushdb()
        try:
            yield settings
        finally:
            redis.flushdb()
            redis.close()


async def run(rounds: int, count: int, settings: Settings) -> None:
    vibe = connect(settings)
    await vibe.start()
    try:
        app = create_app(vibe)
        auth = await seed(app)
        freeze_startup_objects()  # as each `vibe serve` worker does
        cases = {
            "bare Litestar /ping": (bare_litestar, "/ping", []),
            "vibe /ping": (app, "/ping", []),
            "vibe /api/v1/users/me": (app, "/api/v1/users/me", auth),
            "vibe /api/v1/projects": (app, "/api/v1/projects", auth),
        }
        for target, path, headers in cases.values():  # warm up
            await cpu_per_request(target, path, headers, count // 4)
        figures: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(rounds):
            for name, (target, path, headers) in cases.items():
                figures[name].append(await cpu_per_request(target, path, headers, count))
    finally:
        await vibe.aclose()
    medians = {name: statistics.median(values) for name, values in figures.items()}
    for name, value in medians.items():
        spread = f"{min(figures[name]):.1f}-{max(figures[name]):.1f}"
        print(f"{name:28} {value:7.1f} µs/request  (rounds {spread})")
    ping = medians["vibe /ping"]
    print(f"vibe / Litestar /ping (CPU per request, inverted) {medians['bare Litestar /ping'] / ping:.2f}")
    print(f"users/me / ping {ping / medians['vibe /api/v1/users/me']:.2f}")
    print(f"projects / ping {ping / medians['vibe /api/v1/projects']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--setup", choices=("embedded", "mariadb-redis"), default="embedded")
    args = parser.parse_args()
    with (
        stores(args.setup) as settings,
        open(os.devnull, "w") as devnull,
        contextlib.redirect_stderr(devnull),
    ):
        configure_logging("INFO")  # as `vibe serve` does: the access log on, written to /dev/null
        uvloop.run(run(args.rounds, args.requests, settings))


if __name__ == "__main__":
    main()
