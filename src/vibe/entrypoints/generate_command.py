"""``vibe generate``: one generation from the shell, in-process through the library, with live progress."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.events import (
    Done,
    ErrorEvent,
    Event,
    FileDelta,
    FileEdit,
    FileEnd,
    FileStart,
    Restart,
    Status,
    Text,
    UsageEvent,
)
from vibe.domain.users import User

__all__ = ["run_generate"]

CLI_EMAIL = "cli@vibe.local"


class _Progress:
    """What the progress line shows: the file being written, bytes, tokens, and the model's words."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bytes = 0
        self.tokens = 0
        self.current = "waiting for the model"
        self.prose = ""

    def apply(self, event: Event) -> None:
        if isinstance(event, FileStart):
            self.current = f"writing {event.path}"
        elif isinstance(event, FileDelta):
            self.bytes += len(event.delta.encode())
        elif isinstance(event, FileEnd):
            self.console.print(f"  [green]✓[/] {event.path} [dim]({event.size:,} bytes)[/]")
            self.current = "thinking"
        elif isinstance(event, FileEdit):
            self.console.print(f"  [cyan]✎[/] edited {event.path}")
        elif isinstance(event, UsageEvent):
            self.tokens += (
                event.input_tokens
                + event.cache_read_input_tokens
                + event.cache_creation_input_tokens
                + event.output_tokens
            )
            self.prose += "\n"
        elif isinstance(event, Restart):
            # the run started over in another worker: what the dead attempt wrote is dropped
            self.console.print(f"  [yellow]↻[/] the run started over (attempt {event.attempt})")
            self.bytes, self.prose, self.current = 0, "", "starting over"
        elif isinstance(event, Text):
            self.prose += event.delta
        elif isinstance(event, Status):
            self.current = event.status

    def line(self) -> str:
        return f"{self.current} · {self.bytes:,} bytes · {self.tokens:,} tokens"


async def _actor(app: Vibe, project_id: str | None, email: str | None) -> tuple[User, str]:
    """Who the generation is for, and a line saying so: the account of ``--user``, else the owner of
    ``--project``, else the only account there is; the hidden local user only while none exists."""
    if email is None and project_id is not None:
        snapshot = await app.projects.owner_snapshot(project_id)
        owner = await app.accounts.owner_of(snapshot.project.owner_id)
        return owner, f"for {owner.email}"
    user, local = await app.accounts.shell_user(email, CLI_EMAIL, "vibe CLI")
    if local:
        return user, (
            f"for the local user {CLI_EMAIL}: no account exists yet; sign up in the web UI and pass "
            "--user EMAIL to see your sites there"
        )
    return user, f"for {user.email}"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "site"


def _write(files: Mapping[str, str | bytes], folder: Path) -> None:
    root = folder.resolve()
    for path, content in files.items():
        target = (root / path).resolve()
        if os.path.commonpath([root, target]) != str(root):  # a symlink in DIR must not lead out of it
            raise click.ClickException(f"refusing to write {path} outside {root}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):  # an uploaded image or font
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


async def run_generate(
    settings: Settings, prompt: str, output: Path | None, project_id: str | None, email: str | None = None
) -> str:
    console = Console(stderr=True)
    started = time.monotonic()
    async with connect(settings) as app:
        actor, whom = await _actor(app, project_id, email)
        progress = _Progress(console)
        last: Event | None = None
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(progress.line())
            async for event in app.generate(actor, prompt, project_id):
                progress.apply(event)
                bar.update(task, description=progress.line())
                last = event
        if isinstance(last, ErrorEvent) or not isinstance(last, Done):
            message = last.message if isinstance(last, ErrorEvent) else "the stream ended early"
            raise click.ClickException(f"generation failed: {message}")
        snapshot = await app.projects.owner_snapshot(last.project_id, last.version)
        assets = await app.project_files.assets(actor, last.project_id, last.version)
    folder = output or Path(_slug(snapshot.project.name))
    _write({**snapshot.files, **{entry.path: data for entry, data in assets}}, folder)
    if progress.prose.strip():
        console.print(f"[dim]{progress.prose.strip()[-600:]}[/]")
    return (
        f"version {last.version} of project {last.project_id} {whom} ({settings.llm} model): "
        f"{len(snapshot.files)} files written to {folder} in {time.monotonic() - started:.1f}s, "
        f"{progress.tokens:,} tokens"
    )
