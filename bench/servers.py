"""The deployments the benchmarks drive: processes started on loopback, their CPU time and memory.

A ``Deployment`` is one setup's backing stores (a SQLite file; or a fresh MariaDB database and a Redis
database, dropped and flushed after) and the environment every process of it gets. Servers are real
subprocesses: ``vibe serve`` through the CLI, or ``bench.serve`` (uvicorn with ``vibe serve``'s
options) for the bare app and the bench factories, and ``bench.apps worker`` as ``vibe worker``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from vibe.testing.mysql import fresh_mysql_database

__all__ = [
    "BENCH_JWT_SECRET",
    "SETUPS",
    "Deployment",
    "Process",
    "Setup",
    "cpu_seconds",
    "deployment",
    "free_port",
    "ready",
    "rss_bytes",
    "service_urls",
]

BENCH_JWT_SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"
ROOT = Path(__file__).resolve().parent.parent
VIBE = [sys.executable, "-m", "vibe.entrypoints.cli"]
_CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Setup:
    """``embedded``: SQLite, no Redis, one serve worker (vibe refuses more without Redis).
    ``mariadb-redis``: MariaDB and Redis, two serve workers, generations queued to workers."""

    name: str
    serve_workers: int
    services: bool


SETUPS = {s.name: s for s in (Setup("embedded", 1, False), Setup("mariadb-redis", 2, True))}


@dataclass
class Process:
    """A started subprocess and where its output goes."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def tree(self) -> list[int]:
        """This process and all its descendants (uvicorn's worker processes)."""
        return _descendants(self.popen.pid)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.alive():
            self.popen.terminate()
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)


@dataclass
class Deployment:
    setup: Setup
    folder: Path
    env: dict[str, str]
    processes: list[Process] = field(default_factory=list)

    def start(self, name: str, argv: list[str], extra: Mapping[str, str] | None = None) -> Process:
        log = self.folder / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(
                argv, cwd=self.folder, env=self.env | dict(extra or {}), stdout=out, stderr=out
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def vibe_serve(self, workers: int, extra: Mapping[str, str] | None = None) -> Process:
        """``vibe serve --workers N`` through the real CLI."""
        port = free_port()
        process = self.start(
            f"vibe-serve-{port}", [*VIBE, "serve", "--port", str(port), "--workers", str(workers)], extra
        )
        return ready(process, f"http://127.0.0.1:{port}", "/readyz")

    def uvicorn(
        self, target: str, workers: int, *, factory: bool = False, extra: Mapping[str, str] | None = None
    ) -> Process:
        """``target`` under uvicorn with ``vibe serve``'s options (``bench.serve``)."""
        port = free_port()
        argv = [sys.executable, "-m", "bench.serve", target, "--port", str(port), "--workers", str(workers)]
        process = self.start(f"{target.replace(':', '-')}-{port}", argv + ["--factory"] * factory, extra)
        return ready(process, f"http://127.0.0.1:{port}", "/readyz" if factory else "/ping")

    def bench_worker(self, concurrency: int, extra: Mapping[str, str] | None = None) -> Process:
        """``vibe worker`` with a bench model (``python -m bench.apps worker``)."""
        argv = [sys.executable, "-m", "bench.apps", "worker", str(concurrency)]
        return self.start(f"bench-worker-{len(self.processes)}", argv, extra)

    @contextlib.contextmanager
    def running(self, *processes: Process) -> Iterator[None]:
        """Stop ``processes`` when the block ends."""
        try:
            yield
        finally:
            for process in processes:
                process.stop()

    def reset_redis(self) -> None:
        """Empty the Redis database (a fresh job stream and event logs for the next server)."""
        url = self.env.get("VIBE_REDIS_URL")
        if url:
            from redis import Redis

            with Redis.from_url(url) as redis:
                redis.flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ready(process: Process, url: str, path: str, timeout: float = 60.0) -> Process:
    process.url = url
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(url + path, timeout=2) as response,
        ):
            if response.status == 200:
                return process
        time.sleep(0.1)
    process.stop()
    raise RuntimeError(f"{process.name} was not ready within {timeout:.0f}s:\n{process.tail()}")


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` (those still alive), from /proc."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / _CLK_TCK


def rss_bytes(pid: int, field_name: str = "VmRSS") -> int:
    """Resident memory of ``pid`` (``VmHWM`` for its peak), from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _clean_env() -> dict[str, str]:
    ours = ("VIBE_", "ANTHROPIC_", "BENCH_", "OTEL_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _migrate(folder: Path, env: Mapping[str, str]) -> None:
    done = subprocess.run(
        [*VIBE, "db", "upgrade"], cwd=folder, env=dict(env), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"vibe db upgrade failed:\n{done.stderr}")


def service_urls() -> tuple[str, str]:
    """The MariaDB server (an admin URL: each setup makes a database of its own) and the Redis
    database the ``mariadb-redis`` setup uses: ``BENCH_MYSQL_URL``, ``BENCH_REDIS_URL``."""
    return (
        os.environ.get("BENCH_MYSQL_URL", "mysql+aiomysql://root@127.0.0.1:3306/"),
        os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
    )


@contextlib.contextmanager
def deployment(setup: Setup, folder: Path) -> Iterator[Deployment]:
    """The stores of ``setup`` (migrated) and the environment of its processes; torn down after."""
    folder.mkdir(parents=True, exist_ok=True)
    env = _clean_env() | {"VIBE_JWT_SECRET": BENCH_JWT_SECRET, "VIBE_MAX_CONCURRENT_GENERATIONS": "1000"}
    if not setup.services:
        env["VIBE_DATABASE_URL"] = f"sqlite+aiosqlite:///{folder / 'vibe.db'}"
        _migrate(folder, env)
        embedded = Deployment(setup, folder, env)
        try:
            yield embedded
        finally:
            for process in embedded.processes:
                process.stop()
        return
    admin, redis = service_urls()
    with fresh_mysql_database(admin, prefix="vibe_bench") as database_url:
        env |= {"VIBE_DATABASE_URL": database_url, "VIBE_REDIS_URL": redis, "VIBE_QUEUE": "redis"}
        _migrate(folder, env)
        deployed = Deployment(setup, folder, env)
        deployed.reset_redis()
        try:
            yield deployed
        finally:
            for process in deployed.processes:
                process.stop()
            deployed.reset_redis()
