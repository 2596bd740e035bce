"""``connect(settings) -> Vibe``: build a fresh container and hand back the facade that owns its life.

``Vibe`` is what every entrypoint holds: the use cases (``accounts``, ...), a readiness check, the
start/stop of what runs in the background, and the few operations the commands need (``migrate``,
``run_worker``); entrypoints reach nothing below it (an import-linter contract). It is an async context
manager::

    async with vibe.connect(Settings()) as app:
        user = await app.accounts.register(...)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from dependency_injector import providers

from vibe.adapters.breaker import CircuitBreakerModel
from vibe.adapters.secret_file import FileSecretStore
from vibe.adapters.sql.engine import sqlite_file
from vibe.adapters.sql.migrate import upgrade, upgrade_engine
from vibe.application.account_news import AccountNews
from vibe.application.accounts import Accounts
from vibe.application.budgets import Budgets
from vibe.application.generations import Generations
from vibe.application.history import History
from vibe.application.preview_links import PreviewLinks
from vibe.application.project_files import ProjectFiles
from vibe.application.projects import Projects
from vibe.application.sites import Sites
from vibe.config import Settings
from vibe.container import Container
from vibe.domain.circuit import Circuit
from vibe.domain.errors import UnavailableError
from vibe.domain.events import Event, decode
from vibe.domain.ports import Tracer
from vibe.domain.reference_images import ReferenceImage
from vibe.domain.selection import ElementLocator
from vibe.domain.users import User

if TYPE_CHECKING:
    from vibe.adapters.claude_doctor import DoctorReport

__all__ = ["Vibe", "connect", "current_trace_id", "diagnose_model", "jwt_secret_for", "migrate_database"]

log = logging.getLogger("vibe")
READY_TIMEOUT_SECONDS = 3.0
# How long ``aclose`` lets background work finish the database call it is in before cancelling it: a
# call cancelled halfway leaves its pooled connection to be reset while the loop closes, which
# SQLAlchemy reports with a traceback on stderr (a short CLI command used to print one).
CLOSE_GRACE_SECONDS = 5.0


class Vibe:
    """The running application: use cases plus the lifecycle of what they share."""

    def __init__(self, container: Container, *, migrate: bool) -> None:
        self.container = container
        self.settings: Settings = container.settings()
        self._migrate = migrate
        self._started = False
        self._closed = False
        self._background: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

    @property
    def accounts(self) -> Accounts:
        """Registration, sign-in, sessions and user management."""
        return self.container.accounts()

    @property
    def projects(self) -> Projects:
        """Projects, their versions and files."""
        return self.container.projects()

    @property
    def project_files(self) -> ProjectFiles:
        """Uploads, direct edits and deletions of single files, and serving files by ETag."""
        return self.container.project_files()

    @property
    def sites(self) -> Sites:
        """Published sites: publish, republish, unpublish, and what serving them reads."""
        return self.container.sites()

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

    @property
    def preview_links(self) -> PreviewLinks:
        """Short-lived signed links to one version of a project's files."""
        return self.container.preview_links()

    @property
    def tracer(self) -> Tracer:
        """Spans of vibe's own steps; the no-op tracer unless the OTEL_ variables ask for tracing."""
        return self.container.tracer()

    @property
    def elements(self) -> ElementLocator:
        """Finds the elements a CSS selector picks in an HTML file (the picker's selections)."""
        return self.container.elements()

    async def generate(
        self,
        actor: User,
        prompt: str,
        project_id: str | None = None,
        images: Sequence[ReferenceImage] = (),
    ) -> AsyncIterator[Event]:
        """Start a generation and yield its stream events (docs/api.md) until ``done`` or ``error``;
        ``images``: reference pictures (``vibe.domain.reference_images.parse_reference_images``)."""
        generation = await self.generations.start(actor, prompt, project_id, images)
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
            await self.migrate()
        queue = self.container.queue()
        if self.settings.queue == "inline":
            booted_at = self.container.clock().now()
            alone = await asyncio.to_thread(self.container.runner_lock().acquire)
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

    async def migrate(self) -> None:
        """Apply the database migrations (``start`` does it itself on the embedded default)."""
        await upgrade_engine(self.container.engine())

    async def run_worker(self, concurrency: int, stop: asyncio.Event, consumer: str) -> None:
        """Run queued generations from the Redis consumer group as ``consumer`` until ``stop`` is set,
        queueing again meanwhile those nobody runs any more (``vibe worker``)."""
        from vibe.adapters.redis.queue import RedisWorker

        redis, bus = self.container.redis(), self.container.cancel_bus()
        if redis is None or bus is None:
            raise UnavailableError("A worker needs VIBE_REDIS_URL and VIBE_QUEUE=redis.")
        lease = self.settings.generation_lease_seconds
        worker = RedisWorker(
            redis,
            self.generations.run,
            bus,
            consumer=consumer,
            concurrency=concurrency,
            touch_seconds=lease / 6,
            idle_ms=int(lease * 1000),
        )
        requeue = asyncio.create_task(self.requeue_stale_forever(stop))
        try:
            await worker.run(stop)
        finally:
            stop.set()
            await _finish([requeue])

    async def _recover(self, booted_at: datetime) -> None:
        """Fail the sessions dead processes left (this process is the only one alive that runs
        generations on this database), retrying until the database answers."""
        delay = 0.5
        while True:
            try:
                count = await self.generations.recover(created_before=booted_at)
            except UnavailableError:
                if await _set_within(self._stopping, delay):
                    return
                delay = min(delay * 2, 30.0)
                continue
            if count:
                log.warning("failed %d generation(s) left unfinished by a previous process", count)
            return

    async def requeue_stale_forever(self, stop: asyncio.Event | None = None) -> None:
        """Queue again, twice a lease, the sessions nobody runs any more (a dead worker's, or ones
        whose job was lost), until ``stop`` (default: ``aclose``) is set; the claim's lease and
        attempt count keep each run single."""
        queue = self.container.queue()
        every = self.settings.generation_lease_seconds / 2
        while not await _set_within(stop or self._stopping, every):
            try:
                for generation_id in await self.generations.stale():
                    await queue.enqueue(generation_id)
            except UnavailableError as error:
                log.warning("could not look for stale generations: %s", error.detail)

    async def aclose(self) -> None:
        """Stop background work, then close every resource made, the last made first. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._stopping.set()  # the loops stop between database calls, not in the middle of one
        await _finish(self._background)
        await self.container.resources().aclose()

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
        probes = self.container.readiness()
        failed = []
        for probe in probes:
            try:
                await asyncio.wait_for(probe.ping(), READY_TIMEOUT_SECONDS)
            except Exception as error:
                log.warning("readiness: %s does not answer: %r", probe.name, error)
                failed.append(probe.name)
        if failed:
            raise UnavailableError(f"Not ready: {', '.join(failed)} unavailable.")
        return {probe.name: "ok" for probe in probes}

    async def model_circuit(self) -> Circuit | None:
        """The model's circuit breaker as it stands (in Redis, the one every worker shares); None
        without a breaker (the offline model) or when its store does not answer."""
        model = self.container.model()
        return await model.circuit() if isinstance(model, CircuitBreakerModel) else None


def jwt_secret_for(settings: Settings) -> str:
    """The configured secret, or on SQLite one generated once and kept (mode 0600) beside the
    database; ``vibe serve`` makes it before its workers start, so they agree on one."""
    database = sqlite_file(settings.database_url) if settings.is_sqlite else None
    return FileSecretStore(settings.jwt_secret, database).jwt_secret()


def migrate_database(settings: Settings) -> None:
    """Apply the database migrations now, outside any event loop (``vibe db upgrade``, ``vibe serve``)."""
    upgrade(settings.database_url)


def current_trace_id() -> str | None:
    """The current trace's id for log lines (only called when tracing is on: it loads OpenTelemetry)."""
    from vibe.adapters.otel import current_trace_id as current

    return current()


async def diagnose_model(settings: Settings) -> DoctorReport:
    """``vibe doctor``: one small real generation against the configured Claude model."""
    import anthropic

    from vibe.adapters.claude import ClaudeOptions
    from vibe.adapters.claude_doctor import diagnose
    from vibe.application.prompting import SYSTEM_PROMPT, TOOLS

    options = ClaudeOptions(
        max_output_tokens=settings.max_output_tokens, effort=settings.effort, thinking=settings.thinking
    )
    async with anthropic.AsyncAnthropic(
        api_key=settings.anthropic_api_key, base_url=settings.anthropic_base_url, max_retries=2
    ) as client:
        return await diagnose(client, settings.model, options, SYSTEM_PROMPT, TOOLS)


def connect(settings: Settings | None = None, *, migrate: bool | None = None, **overrides: Any) -> Vibe:
    """Build vibe on ``settings`` (defaults: the embedded SQLite default) without starting anything.

    ``migrate`` defaults to True on SQLite (the embedded default migrates itself). Keyword overrides
    replace container providers by name, e.g. ``connect(s, model=ScriptedModel(...), clock=clock)``.
    """
    settings = (settings or Settings()).checked()
    container = Container(settings=settings)
    for name, value in overrides.items():
        provider = getattr(container, name, None)
        if not isinstance(provider, providers.Provider):
            raise TypeError(f"connect() got an unknown override {name!r}")
        provider.override(providers.Object(value))
    container.jwt_secret()  # made now, not at the first sign-in: a bad secret file fails here
    return Vibe(container, migrate=settings.is_sqlite if migrate is None else migrate)


async def _set_within(event: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds``, or less if ``event`` is set meanwhile; whether it is set."""
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        return False
    return True


async def _finish(tasks: Sequence[asyncio.Task[None]]) -> None:
    """Let ``tasks`` (told to stop) end by themselves, cancelling those still running after the grace."""
    if tasks:
        _, late = await asyncio.wait(tasks, timeout=CLOSE_GRACE_SECONDS)
        for task in late:
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
