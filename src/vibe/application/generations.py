"""Generations: start one (queued), run it (in a background task or a worker), follow, cancel, list.

A generation belongs to whoever started it; for anyone else it does not exist. It runs outside any
request: ``start`` stores it and hands its id to the job queue, and whichever process takes it calls
``run``. Every write of a run is fenced by its attempt number (see ``domain.generations``), so a
cancelled run, or one whose lease another worker took over, changes nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from vibe.application.projects import Projects
from vibe.application.runner import Runner, end_session
from vibe.application.session_events import follow
from vibe.domain.errors import (
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from vibe.domain.events import Status, StoredEvent
from vibe.domain.generations import Generation, GenerationStatus, Prompt
from vibe.domain.ports import (
    Clock,
    EventLog,
    GenerationTotals,
    IdFactory,
    JobQueue,
    ModelClient,
    Page,
    UnitOfWorkFactory,
)
from vibe.domain.projects import Project, ProjectName, Visibility
from vibe.domain.users import User

__all__ = ["Generations", "GenerationsConfig"]

log = logging.getLogger("vibe.generations")
LEASE = timedelta(seconds=30)


class GenerationsConfig:
    def __init__(
        self,
        *,
        max_concurrent: int = 2,
        max_turns: int = 8,
        heartbeat_seconds: float = 15.0,
        lease_seconds: float = 30.0,
    ) -> None:
        self.max_concurrent = max_concurrent
        self.max_turns = max_turns
        self.heartbeat_seconds = heartbeat_seconds
        self.lease = timedelta(seconds=lease_seconds)


class Generations:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        projects: Projects,
        queue: JobQueue,
        live: EventLog,
        model: ModelClient,
        clock: Clock,
        ids: IdFactory,
        config: GenerationsConfig,
    ) -> None:
        self._uow = uow
        self._projects = projects
        self._queue = queue
        self._live = live
        self._model = model
        self._clock = clock
        self._ids = ids
        self._config = config
        self._runner = Runner(uow, projects, live, model, clock, config.max_turns, config.lease)

    # --- starting ---------------------------------------------------------------------------------

    async def start(self, actor: User, prompt: str, project_id: str | None = None) -> Generation:
        """Queue a generation; without ``project_id`` a new project named from the prompt is made."""
        text = Prompt.parse(prompt)
        project = await self._target(actor, project_id, text)
        generation = Generation(
            id=self._ids.new_id(),
            user_id=actor.id,
            project_id=project.id,
            prompt=text,
            status=GenerationStatus.QUEUED,
            model=self._model.name,
            created_at=self._clock.now(),
        )
        async with self._uow() as uow:
            # Lock the user first: inserting the project would take a shared lock on the user's row
            # (its foreign key), and concurrent starts upgrading it would deadlock on MySQL.
            await uow.users.lock(actor.id)
            if project_id is None:
                await uow.projects.add(project)
            if not await uow.generations.add_within_limit(generation, self._config.max_concurrent):
                limit = self._config.max_concurrent
                raise RateLimitedError(
                    f"You already have {limit} generations running; wait for one to finish.", retry_after=10
                )
            stored = await uow.events.append(generation.id, 0, [Status(status="queued")])
            await uow.commit()
        if project_id is None:
            await self._projects.forget(project.id, actor.id)  # a new project: the owner's list changed
        await self._live.publish(generation.id, stored or [])
        await self._queue.enqueue(generation.id)
        return generation

    async def _target(self, actor: User, project_id: str | None, prompt: str) -> Project:
        if project_id is not None:
            project, _ = await self._projects.get(actor, project_id)
            if project.owner_id != actor.id:
                raise PermissionDeniedError("Only the owner may change this project.")
            return project
        now = self._clock.now()
        return Project(
            id=self._ids.new_id(),
            owner_id=actor.id,
            name=ProjectName.from_prompt(prompt),
            description="",
            visibility=Visibility.PRIVATE,
            current_version=0,
            created_at=now,
            updated_at=now,
        )

    # --- reading ----------------------------------------------------------------------------------

    async def get(self, actor: User, generation_id: str) -> Generation:
        async with self._uow(readonly=True) as uow:
            generation = await uow.generations.get(generation_id)
        if generation is None or generation.user_id != actor.id:
            raise NotFoundError("No such session.")
        return generation

    async def list_sessions(
        self,
        actor: User,
        limit: int,
        offset: int,
        project_id: str | None = None,
        status: GenerationStatus | None = None,
    ) -> Page[Generation]:
        async with self._uow(readonly=True) as uow:
            return await uow.generations.page(actor.id, limit, offset, project_id, status)

    async def events(
        self, actor: User, generation_id: str, after: int = 0
    ) -> AsyncIterator[StoredEvent | None]:
        """Check access now, then follow: replay after ``after``, then live, until the last event."""
        await self.get(actor, generation_id)
        return follow(self._uow, self._live, generation_id, max(0, after), self._config.heartbeat_seconds)

    # --- cancelling -------------------------------------------------------------------------------

    async def cancel(self, actor: User, generation_id: str) -> Generation:
        """End the session ``cancelled`` now, then tell whoever runs it to stop (so spending stops)."""
        generation = await self.get(actor, generation_id)
        for _ in range(3):
            if generation.finished:
                raise InvalidStateError(f"The session already {generation.status.value}.")
            ended = await self._end(generation, generation.cancel(self._clock.now()))
            if ended is not None:
                await self._queue.cancel(generation_id)
                return ended
            generation = await self.get(actor, generation_id)  # it moved on meanwhile; look again
        raise InvalidStateError("The session is changing; try again.")  # pragma: no cover

    async def _end(self, current: Generation, ended: Generation) -> Generation | None:
        return await end_session(self._uow, self._live, current, ended)

    async def recover(self, created_before: datetime) -> int:
        """Fail the unfinished sessions created before ``created_before``. Only for a process that
        knows it is the one alive running generations on this database (``Vibe._recover``): then
        older unfinished sessions were left by dead processes."""
        async with self._uow(readonly=True) as uow:
            stale = [g for g in await uow.generations.unfinished() if g.created_at < created_before]
        for generation in stale:
            message = "The server stopped during this generation; please start it again."
            await self._end(generation, generation.fail("interrupted", message, self._clock.now()))
        return len(stale)

    async def run(self, generation_id: str) -> bool:
        """Run a queued session (what the job queue calls); see ``Runner.run``."""
        return await self._runner.run(generation_id)

    async def totals(self) -> tuple[GenerationTotals, int]:
        """(sessions by status and tokens used, jobs waiting or running) for the metrics."""
        async with self._uow(readonly=True) as uow:
            totals = await uow.generations.totals()
        return totals, await self._queue.depth()

    async def stale(self) -> list[str]:
        """Sessions nobody runs any more (see ``Runner.stale``): a worker queues them again."""
        return await self._runner.stale(self._clock.now())
