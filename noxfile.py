"""Developer sessions: ``nox`` runs lint and tests; ``nox -s bench`` runs the benchmarks.

Integration tests use the MariaDB and Redis named by VIBE_TEST_MYSQL_URL and VIBE_TEST_REDIS_URL;
without them those tests are skipped, except under CI=true where they fail.
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests"]

PASSTHROUGH = ("CI", "VIBE_TEST_MYSQL_URL", "VIBE_TEST_REDIS_URL", "VIBE_TEST_CHROMIUM", "HYPOTHESIS_PROFILE")


@nox.session
def tests(session: nox.Session) -> None:
    """Unit and integration tests (pass pytest options after --). With MariaDB and Redis configured,
    the HTTP suites marked ``cluster`` then run again against a real deployment: 2 serve workers and
    2 vibe workers."""
    session.install("-e", ".[dev]")
    session.run("pytest", *session.posargs)
    services = os.environ.get("VIBE_TEST_MYSQL_URL") and os.environ.get("VIBE_TEST_REDIS_URL")
    if services and not session.posargs:
        session.run("pytest", "-m", "cluster", env={"VIBE_TEST_CLUSTER": "1"})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, ruff format --check, mypy --strict on src and tests, and the import-layer contracts."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", "src", "tests", "noxfile.py", "bench")
    session.run("ruff", "format", "--check", "src", "tests", "noxfile.py", "bench")
    session.run("mypy", "src", "tests")
    session.run("lint-imports")


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmarks (not part of the tests): ``nox -s bench`` (about 5 minutes) or
    ``nox -s bench -- --quick``. They start their own servers on loopback, on the embedded default and
    on MariaDB + Redis (BENCH_MYSQL_URL, default root@127.0.0.1:3306; BENCH_REDIS_URL, default
    redis://127.0.0.1:6379/12), drive them with wrk (installed from Debian when absent) and write
    bench/results/. See BENCHMARKS.md."""
    import shutil

    if shutil.which("wrk") is None:
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", "wrk", external=True)
    session.install("-e", ".[bench,otel]")  # benchmark 7 traces
    session.run("python", "-m", "bench", *session.posargs)
