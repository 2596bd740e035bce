"""A real deployment for tests: ``vibe serve --workers N`` and ``vibe worker`` processes on a fresh
MariaDB database and a Redis database of their own.

Every process traces (``OTEL_TRACES_EXPORTER=console``): its standard output, where the spans go one
JSON object per line, is a file of its own (``serve.spans`` for the serve workers, ``worker<i>.spans``),
and its log goes to ``*.log``."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pymysql  # type: ignore[import-untyped]
from redis import Redis
from sqlalchemy.engine import make_url

from tests.cli import VIBE, clean_env, free_port, run_vibe, wait_until_ready
from vibe.adapters.sql.tables import metadata
from vibe.config import Settings
from vibe.testing.mysql import fresh_mysql_database

CLUSTER_JWT_SECRET = "cluster-secret-that-is-long-enough-for-hs256-0123456789"
# Each cluster has a Redis database of its own: the job stream and its consumer group are shared by
# every worker on one database, so a cluster a test starts for itself while the session's cluster
# (``conftest.cluster``) is up would have its jobs taken by the session's workers (which find no such
# generation in their own MariaDB database), and flushing the database breaks the other's streams.
SHARED_REDIS_DB = 14  # the session's cluster
OWN_REDIS_DB = 13  # a cluster one test starts and stops (tests run one at a time)


@dataclass
class Cluster:
    url: str
    settings: Settings
    env: dict[str, str]
    folder: Path
    serve: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes] | None] = field(default_factory=list)
    worker_concurrency: int = 2

    def start_worker(self, index: int) -> None:
        log = (self.folder / f"worker{index}.log").open("a")
        spans = (self.folder / f"worker{index}.spans").open("a")
        self.workers[index] = subprocess.Popen(
            [*VIBE, "worker", "--concurrency", str(self.worker_concurrency)],
            cwd=self.folder,
            env=self.env,
            stdout=spans,
            stderr=log,
        )

    def span_files(self) -> list[Path]:
        return sorted(self.folder.glob("*.spans"))

    def kill_worker(self, index: int) -> None:
        process = self.workers[index]
        if process is not None:
            process.kill()
            process.wait(timeout=10)

    def wipe(self) -> None:
        """Empty every table and the Redis database (between tests: the processes keep running)."""
        url = make_url(self.settings.database_url)
        connection = pymysql.connect(
            host=url.host, port=url.port or 3306, user=url.username, database=url.database
        )
        with connection, connection.cursor() as cursor:
            cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
            for table in reversed(metadata.sorted_tables):
                cursor.execute(f"DELETE FROM `{table.name}`")
            cursor.execute("SET FOREIGN_KEY_CHECKS = 1")
            connection.commit()
        with Redis.from_url(self.settings.redis_url or "") as redis:
            redis.flushdb()

    def stop(self) -> None:
        for process in [self.serve, *self.workers]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [self.serve, *self.workers]:
            if process is not None:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


@contextlib.contextmanager
def running_cluster(
    folder: Path,
    mysql_admin_url: str,
    redis_url: str,
    *,
    serve_workers: int = 2,
    workers: int = 2,
    worker_concurrency: int = 2,
    redis_db: int = OWN_REDIS_DB,
    **env: str,
) -> Iterator[Cluster]:
    with fresh_mysql_database(mysql_admin_url) as database_url:
        redis = redis_url.rsplit("/", 1)[0] + f"/{redis_db}"
        with Redis.from_url(redis) as client:
            client.flushdb()
        defaults = {
            "VIBE_OFFLINE_PACE_SECONDS": "0.002",
            "OTEL_TRACES_EXPORTER": "console",
            "OTEL_BSP_SCHEDULE_DELAY": "200",  # spans reach the files within a fraction of a second
            "VIBE_SITES_DOMAIN": "sites.example.com",  # published sites answer by Host (test_sites_*)
        }
        cluster_env = clean_env(
            VIBE_DATABASE_URL=database_url,
            VIBE_REDIS_URL=redis,
            VIBE_QUEUE="redis",
            VIBE_JWT_SECRET=CLUSTER_JWT_SECRET,
            **(defaults | env),
        )
        upgraded = run_vibe("db", "upgrade", cwd=folder, env=cluster_env)
        assert upgraded.returncode == 0, upgraded.stderr
        port = free_port()
        settings = Settings(
            database_url=database_url, redis_url=redis, queue="redis", jwt_secret=CLUSTER_JWT_SECRET
        )
        cluster = Cluster(
            f"http://127.0.0.1:{port}",
            settings,
            cluster_env,
            folder,
            workers=[None] * workers,
            worker_concurrency=worker_concurrency,
        )
        try:
            log = (folder / "serve.log").open("a")
            cluster.serve = subprocess.Popen(
                [*VIBE, "serve", "--port", str(port), "--workers", str(serve_workers)],
                cwd=folder,
                env=cluster_env,
                stdout=(folder / "serve.spans").open("a"),
                stderr=log,
            )
            for index in range(workers):
                cluster.start_worker(index)
            wait_until_ready(f"{cluster.url}/readyz", timeout=90)  # a loaded machine starts slowly
            yield cluster
        finally:
            cluster.stop()
