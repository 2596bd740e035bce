"""The ``vibe`` command: serve, worker, db upgrade, users create-admin, generate and doctor."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click
from dotenv import dotenv_values

from vibe.config import Settings, SettingsError

__all__ = ["main"]

T = TypeVar("T")


def load_settings() -> Settings:
    """Read ``.env`` (below the real environment, which wins), export it for child processes, check it."""
    for key, value in dotenv_values(".env").items():
        if value is not None:
            os.environ.setdefault(key, value)
    try:
        return Settings.from_env(os.environ)
    except SettingsError as error:
        raise click.ClickException(f"configuration error: {error}") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vibe")
def main() -> None:
    """vibe: describe a web page, get a small multi-file site written by Claude."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the HTTP API, the SSE streams, the web UI and the preview."""
    # Before anything imports prometheus-client: every worker counts into files in this fresh folder,
    # and /metrics in any worker adds them up.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="vibe-metrics-")
    import uvicorn

    from vibe.bootstrap import jwt_secret_for

    settings = load_settings()
    if workers > 1 and settings.redis_url is None:
        raise click.ClickException(
            "--workers > 1 needs VIBE_REDIS_URL: token revocation, rate limits and live streams must be "
            "shared between the processes. Set VIBE_REDIS_URL, or run one worker."
        )
    jwt_secret_for(settings)  # create the embedded secret once, before any worker starts
    if settings.is_sqlite:
        _run_migrations(settings)
    uvicorn.run(
        "vibe.entrypoints.http.asgi:app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http="vibe.entrypoints.http.protocol:VibeHttpToolsProtocol",  # a problem+json 400, with an id
        access_log=False,  # vibe logs each request itself, with its request id
        proxy_headers=False,  # client addresses behind proxies: VIBE_TRUSTED_PROXIES
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=10,
    )


def _run_migrations(settings: Settings) -> None:
    from vibe.bootstrap import migrate_database

    try:
        migrate_database(settings)
    except Exception as error:
        raise click.ClickException(f"database migration failed: {error}") from None


@main.command()
@click.option(
    "--concurrency", default=2, show_default=True, type=click.IntRange(1, 256), help="Generations at once."
)
def worker(concurrency: int) -> None:
    """Run queued generations (needed only with VIBE_QUEUE=redis)."""
    from vibe.entrypoints.logs import configure_logging

    settings = load_settings()
    if settings.queue != "redis":
        raise click.ClickException(
            "vibe worker needs VIBE_QUEUE=redis (and VIBE_REDIS_URL); with the inline queue, "
            "vibe serve runs generations itself."
        )
    configure_logging(settings.log_level, tracing=settings.tracing)
    from vibe.entrypoints.worker import run_worker

    run_async(lambda: run_worker(settings, concurrency))


@main.group()
def db() -> None:
    """Database administration."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (``serve`` does this itself on the embedded SQLite default)."""
    settings = load_settings()
    _run_migrations(settings)
    click.echo("database is up to date")


def run_async(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run one coroutine for a command; a VibeError becomes a clean message and a non-zero exit."""
    from vibe.domain.errors import VibeError

    try:
        return asyncio.run(work())
    except VibeError as error:
        raise click.ClickException(error.detail) from None


@main.group()
def users() -> None:
    """Manage user accounts."""


@users.command("create-admin")
@click.argument("email")
def create_admin(email: str) -> None:
    """Create an administrator. The password comes from VIBE_ADMIN_PASSWORD, else from stdin (asked
    twice, hidden, on a terminal)."""
    from vibe.bootstrap import connect

    settings = load_settings()
    password = os.environ.get("VIBE_ADMIN_PASSWORD")
    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")

    async def create() -> str:
        async with connect(settings) as vibe:
            user = await vibe.accounts.create_admin(email, password)
        return f"created administrator {user.email} ({user.id})"

    click.echo(run_async(create))


@main.command()
@click.argument("prompt")
@click.option(
    "-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path), help="Folder for the files."
)
@click.option(
    "--project", "project_id", help="Edit this project (a follow-up) instead of starting a new one."
)
@click.option(
    "--user",
    "email",
    envvar="VIBE_USER",
    help="The account the project belongs to (shown in its web UI); default: the only account there is.",
)
def generate(prompt: str, output: Path | None, project_id: str | None, email: str | None) -> None:
    """One generation from the shell: progress shown live, the files written to a folder."""
    from vibe.entrypoints.generate_command import run_generate

    settings = load_settings()
    click.echo(run_async(lambda: run_generate(settings, prompt, output, project_id, email)))


@main.command()
@click.argument("project_id")
@click.option(
    "--slug", help="The site's name under VIBE_SITES_DOMAIN (default: kept, or read from the name)."
)
@click.option("--version", "version", type=click.IntRange(1), help="The version to serve (default: current).")
@click.option("--unpublish", is_flag=True, help="Take the site down instead.")
def publish(project_id: str, slug: str | None, version: int | None, unpublish: bool) -> None:
    """Publish a project's version at <slug>.<VIBE_SITES_DOMAIN>; again, to move it."""
    from vibe.entrypoints.publish_command import run_publish

    settings = load_settings()
    click.echo(run_async(lambda: run_publish(settings, project_id, slug, version, unpublish)))


@main.command()
def doctor() -> None:
    """Check the Claude API with the configured key and model: one small real generation (a few
    hundred tokens) and a report of what came back. Makes no call without ANTHROPIC_API_KEY."""
    from vibe.entrypoints.doctor import run_doctor

    settings = load_settings()
    report = run_async(lambda: run_doctor(settings))
    click.echo(report.text)
    if not report.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
