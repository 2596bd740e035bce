"""Developer sessions: ``nox`` runs lint and tests; ``nox -s bench`` runs the benchmarks.

Integration tests use the MariaDB and Redis named by VIBE_TEST_MYSQL_URL and VIBE_TEST_REDIS_URL;
without them those tests are skipped, except under CI=true where they fail.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests"]

PASSTHROUGH = ("CI", "VIBE_TEST_MYSQL_URL", "VIBE_TEST_REDIS_URL", "VIBE_TEST_CHROMIUM", "HYPOTHESIS_PROFILE")


@nox.session
def tests(session: nox.Session) -> None:
    """Unit and integration tests (pass pytest options after --)."""
    session.install("-e", ".[dev]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, ruff format --check, mypy --strict on src, and the import-layer contracts."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", "src", "tests", "noxfile.py", "bench")
    session.run("ruff", "format", "--check", "src", "tests", "noxfile.py", "bench")
    session.run("mypy", "src")
    session.run("lint-imports")
