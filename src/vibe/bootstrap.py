"""``connect(settings) -> Vibe``: build a fresh container and hand back the facade that owns its life.

``Vibe`` is what every entrypoint holds: the use cases (``accounts``, ...), a readiness check, and the
start/stop of what runs in the background. It is an async context manager::

    async with vibe.connect(Settings()) as app:
        user = await app.accounts.register(...)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from dependency_injector import providers
from sqlalchemy import text
from sqlalchemy.engine import make_url

from vibe.adapters.breaker import CircuitBreakerModel
from vibe.adapters.runner_lock import RunnerLock
from vibe.adapters.sql.migrate import upgrade_engine
from vibe.application.account_news import AccountNews
from vibe.application.accounts import Accounts
from vibe.application.budgets import Budgets
from vibe.application.generations import Generations
from vibe.application.history import History
from vibe.application.projects import Projects
from vibe.config import Settings
from vibe.container import Container
from vibe.domain.circuit import Circuit
from vibe.domain.errors import UnavailableError
from vibe.domain.events import Event, decode
from vibe.domain.users import User

__all__ = ["Vibe", "connect", "jwt_secret_for"]

log = logging.getLogger("vibe")
READY_TIMEOUT_SECONDS = 3.0


class Vibe:
    """The running application: use cases plus the lifecycle of what they share."""

    def __init__(self, container: Container, *, migrate: bool) -> None:
        self.container = container
        self.settings: Settings = container.settings()
        self._migrate = migrate
        self._started = False
        self._closed = False
        self._background: list[asyncio.Task[None]] = []
        database = _sqlite_file(self.settings.database_url) if self.settings.is_sqlite else None
        self._runners = RunnerLock(database, shared_database=not self.settings.is_sqlite)

    @property
    def accounts(self) -> Accounts:
        """Registration, sign-in, sessions and user management."""
        return self.container.accounts()

    @property
    def projects(self) -> Projects:
        """Projects, their versions and files."""
        return self.container.projects()

    @property
    def history(self) -> History:
        """Diffs between versions, and forks."""
        return self.container.history()

    @property
    def news(self) -> AccountNews:
        """The live changes of each account (``GET /api/v1/events``)."""
        return self.container.news()

    @property
    def budgets(self) -> Budgets:
        """Each user's spend this month against their budget."""
        return self.container.budgets()

    @property
    def generations(self) -> Generations:
        """Generation sessions: start, follow, cancel, list."""
        return self.container.generations()

    async def generate(self, actor: User, prompt: str, project_id: str | None = None) -> AsyncIterator[Event]:
        """Start a generation and yield its stream events (CONTRACT §2) until ``done`` or ``error``."""
        generation = await self.generations.start(actor, prompt, project_id)
        async for stored in await self.generations.events(actor, generation.id):
            if stored is not None:
                yield decode(stored.name, stored.data)

    # --- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Migrate (embedded default) and start background work. Idempotent."""
        if self._started:
            return
        self._started = True
        if self._migrate:
            await upgrade_engine(self.container.engine())
        queue = self.container.queue()
        if self.settings.queue == "inline":
            booted_at = self.container.clock().now()
            alone = await asyncio.to_thread(self._runners.acquire)
            if self.settings.redis_url is None and alone:
                # No other live process runs generations on this database (the runners' lock was
                # free): whatever is unfinished was left by processes that are gone. Otherwise (a
                # command run against a live server's database) their sessions are left to their
                # leases, and taken over below only once those run out.
                self._background.append(asyncio.create_task(self._recover(booted_at)))
            # And whatever stops being run (a claim the database refused; with Redis, another
            # process that died) is queued again once its lease has run out.
            self._background.append(asyncio.create_task(self.requeue_stale_forever()))
        await queue.start(self.generations.run)

    async def _recover(self, booted_at: datetime) -> None:
        """Fail the sessions dead processes left (this process is the only one alive that runs
        generations on this database), retrying until the database answers."""
        delay = 0.5
        while True:
            try:
                count = await self.generations.recover(created_before=booted_at)
            except UnavailableError:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if count:
                log.warning("failed %d generation(s) left unfinished by a previous process", count)
            return

    async def requeue_stale_forever(self) -> None:
        """Queue again, twice a lease, the sessions nobody runs any more (a dead worker's, or ones
        whose job was lost); the claim's lease and attempt count keep each run single."""
        queue = self.container.queue()
        every = self.settings.generation_lease_seconds / 2
        while True:
            await asyncio.sleep(every)
            try:
                for generation_id in await self.generations.stale():
                    await queue.enqueue(generation_id)
            except UnavailableError as error:
                log.warning("could not look for stale generations: %s", error.detail)

    async def aclose(self) -> None:
        """Stop background work and release connections. Idempotent."""
        if self._closed:
            return
        self._closed = True
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.container.queue().aclose()
        live = self.container.live_events()
        if hasattr(live, "aclose"):
            await live.aclose()
        with contextlib.suppress(Exception):
            await self.container.account_feed().aclose()
        self.container.hasher().close()
        self._runners.release()
        redis = self.container.redis()
        if redis is not None:
            with contextlib.suppress(Exception):
                await redis.aclose()
        await self.container.engine().dispose()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # --- health -----------------------------------------------------------------------------------

    async def check_ready(self) -> dict[str, str]:
        """``{"database": "ok", "redis": "ok"}`` or UnavailableError naming what does not answer."""
        checks = {"database": self._ping_database()}
        redis = self.container.redis()
        if redis is not None:
            checks["redis"] = redis.ping()
        failed = []
        for name, probe in checks.items():
            try:
                await asyncio.wait_for(probe, READY_TIMEOUT_SECONDS)
            except Exception as error:
                log.warning("readiness: %s does not answer: %r", name, error)
                failed.append(name)
        if failed:
            raise UnavailableError(f"Not ready: {', '.join(failed)} unavailable.")
        return dict.fromkeys(checks, "ok")

    async def model_circuit(self) -> Circuit | None:
        """The model's circuit breaker as it stands (in Redis, the one every worker shares); None
        without a breaker (the offline model) or when its store does not answer."""
        model = self.container.model()
        return await model.circuit() if isinstance(model, CircuitBreakerModel) else None

    async def _ping_database(self) -> None:
        async with self.container.engine().connect() as connection:
            await connection.execute(text("SELECT 1"))


def jwt_secret_for(settings: Settings) -> str:
    """The configured secret, or on SQLite one generated once and kept (mode 0600) beside the database.

    Creation is atomic (write a temporary file, then hard-link it into place), so several processes
    starting at once agree on one secret.
    """
    if settings.jwt_secret is not None:
        return settings.jwt_secret
    database = _sqlite_file(settings.database_url)
    if database is None:  # in-memory SQLite: nothing outlives the process, neither may the secret
        return secrets.token_urlsafe(48)
    path = database.with_name(database.name + ".secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()


def _sqlite_file(url: str) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database)


def connect(settings: Settings | None = None, *, migrate: bool | None = None, **overrides: Any) -> Vibe:
    """Build vibe on ``settings`` (defaults: the embedded SQLite default) without starting anything.

    ``migrate`` defaults to True on SQLite (the embedded default migrates itself). Keyword overrides
    replace container providers by name, e.g. ``connect(s, model=ScriptedModel(...), clock=clock)``.
    """
    settings = (settings or Settings()).checked()
    container = Container(settings=settings, jwt_secret=jwt_secret_for(settings))
    for name, value in overrides.items():
        provider = getattr(container, name, None)
        if not isinstance(provider, providers.Provider):
            raise TypeError(f"connect() got an unknown override {name!r}")
        provider.override(providers.Object(value))
    return Vibe(container, migrate=settings.is_sqlite if migrate is None else migrate)
