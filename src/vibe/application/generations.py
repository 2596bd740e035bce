"""Generations: start one (queued), run it (in a background task or a worker), follow, cancel, list.

A generation belongs to whoever started it; for anyone else it does not exist. It runs outside any
request: ``start`` stores it and hands its id to the job queue, and whichever process takes it calls
``run``. Every write of a run is fenced by its attempt number (see ``domain.generations``), so a
cancelled run, or one whose lease another worker took over, changes nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

import msgspec

from vibe.application.budgets import Budgets
from vibe.application.outcomes import Outcomes
from vibe.application.projects import Projects
from vibe.application.runner import Runner
from vibe.application.scoping import locate
from vibe.application.session_events import follow
from vibe.application.tracing import NO_TRACER, QUEUE
from vibe.domain.conversation import TokenEstimate
from vibe.domain.errors import (
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from vibe.domain.events import Status, StoredEvent
from vibe.domain.generations import Generation, GenerationStatus, Prompt
from vibe.domain.ports import (
    Clock,
    GenerationTotals,
    IdFactory,
    JobQueue,
    LiveEvents,
    Page,
    TraceCarrier,
    Tracer,
    UnitOfWork,
    UnitOfWorkFactory,
)
from vibe.domain.projects import Project, ProjectName
from vibe.domain.reference_images import ReferenceImage
from vibe.domain.selection import ElementLocator, Selected, parse_selection
from vibe.domain.users import User

__all__ = ["Generations", "GenerationsConfig"]

log = logging.getLogger("vibe.generations")


class GenerationsConfig(msgspec.Struct, frozen=True, kw_only=True):
    max_concurrent: int = 2
    heartbeat_seconds: float = 15.0
    accepts_images: bool = True  # the configured model sees reference images


class Generations:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        projects: Projects,
        runner: Runner,
        outcomes: Outcomes,
        queue: JobQueue,
        live: LiveEvents,
        clock: Clock,
        ids: IdFactory,
        config: GenerationsConfig,
        budgets: Budgets | None = None,
        tracer: Tracer = NO_TRACER,
        elements: ElementLocator | None = None,
    ) -> None:
        self._elements = elements
        self._budgets = budgets
        self._uow = uow
        self._projects = projects
        self._runner = runner
        self._outcomes = outcomes
        self._queue = queue
        self._live = live
        self._clock = clock
        self._ids = ids
        self._config = config
        self._tracer = tracer

    # --- starting ---------------------------------------------------------------------------------

    async def start(
        self,
        actor: User,
        prompt: str,
        project_id: str | None = None,
        images: Sequence[ReferenceImage] = (),
        selection: Sequence[Selected] = (),
    ) -> Generation:
        """Queue a generation; without ``project_id`` a new project named from the prompt is made.
        Reference ``images`` (already checked: ``parse_reference_images``) are kept with it.
        ``selection`` scopes it to elements of the project's current version (each must match there)."""
        text = Prompt.parse(prompt)
        if images and not self._config.accepts_images:
            raise InvalidInputError(
                "The configured model does not accept images: send the prompt without reference images, "
                "or choose a model that sees images (VIBE_MODEL_IMAGES=1 if it does).",
                field="images",
            )
        picks = await self._checked_selection(actor, project_id, selection)
        queued: list[Generation] = []
        stored: list[StoredEvent] = []

        async def queue_on(uow: UnitOfWork, project: Project) -> None:
            if self._budgets is not None:
                await self._budgets.refuse(uow, actor.id)  # before anything is spent
            generation = msgspec.structs.replace(self._new(actor, project.id, text), selection=picks)
            stored.extend(await self._add_within_limit(uow, generation))
            if images:
                await uow.generations.add_images(generation.id, images)
            queued.append(generation)

        with self._tracer.span(QUEUE, {"vibe.project.new": project_id is None}) as span:
            if project_id is None:
                await self._projects.create(actor, ProjectName.from_prompt(text), together=queue_on)
            else:
                project = await self._writable(actor, project_id)
                async with self._uow() as uow:
                    # The user's row first, as every start does: it serialises the limit's check.
                    await uow.users.lock(actor.id)
                    await queue_on(uow, project)
                    await uow.commit()
            span.set({"vibe.session.id": queued[0].id, "vibe.project.id": queued[0].project_id})
            await self._live.publish(queued[0].id, stored)
            await self._projects.news.session(queued[0])
            await self._queue.enqueue(queued[0].id, self._tracer.carrier())
        return queued[0]

    async def _checked_selection(
        self, actor: User, project_id: str | None, selection: Sequence[Selected]
    ) -> tuple[Selected, ...]:
        picks = parse_selection(selection)
        if not picks:
            return ()
        if project_id is None or self._elements is None:
            raise InvalidInputError(
                "A selection needs the project_id of the page it was picked on.", field="selection"
            )
        await self._writable(actor, project_id)
        snapshot = await self._projects.owner_snapshot(project_id)
        locate(self._elements, snapshot.files, picks)
        return picks

    def _new(self, actor: User, project_id: str, prompt: str) -> Generation:
        return Generation(
            id=self._ids.new_id(),
            user_id=actor.id,
            project_id=project_id,
            prompt=prompt,
            status=GenerationStatus.QUEUED,
            model=self._runner.model_name,
            created_at=self._clock.now(),
        )

    async def _add_within_limit(self, uow: UnitOfWork, generation: Generation) -> list[StoredEvent]:
        if not await uow.generations.add_within_limit(generation, self._config.max_concurrent):
            limit = self._config.max_concurrent
            raise RateLimitedError(
                f"You already have {limit} generations running; wait for one to finish.", retry_after=10
            )
        return await uow.events.append(generation.id, 0, [Status(status="queued")]) or []

    async def _writable(self, actor: User, project_id: str) -> Project:
        project, _ = await self._projects.get(actor, project_id)
        if project.owner_id != actor.id:
            raise PermissionDeniedError("Only the owner may change this project.")
        return project

    async def estimate(
        self, actor: User, prompt: str, project_id: str | None = None
    ) -> tuple[TokenEstimate, int]:
        """(input tokens, output limit) of the first model call that ``start`` with the same
        arguments would make, counted before anything is spent."""
        text = Prompt.parse(prompt)
        if project_id is not None:
            await self._writable(actor, project_id)
        return await self._runner.estimate(text, project_id)

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

    async def finished_events(
        self, actor: User, generation_id: str, after: int = 0, names: frozenset[str] = frozenset()
    ) -> list[StoredEvent]:
        """A finished session's events after ``after`` (only those named in ``names``, when given): what
        its stream replays, for a page that shows past sessions. A running one is followed instead."""
        if not (await self.get(actor, generation_id)).finished:
            raise InvalidStateError(f"The session is still running; follow /api/stream/{generation_id}.")
        return [
            event
            async for event in await self.events(actor, generation_id, after)
            if event is not None and (not names or event.name in names)
        ]

    # --- cancelling -------------------------------------------------------------------------------

    async def cancel(self, actor: User, generation_id: str) -> Generation:
        """End the session ``cancelled`` now, then tell whoever runs it to stop (so spending stops)."""
        generation = await self.get(actor, generation_id)
        for _ in range(3):
            if generation.finished:
                raise InvalidStateError(f"The session already {generation.status.value}.")
            ended = await self._outcomes.cancel(generation)
            if ended is not None:
                await self._queue.cancel(generation_id)
                return ended
            generation = await self.get(actor, generation_id)  # it moved on meanwhile; look again
        raise InvalidStateError("The session is changing; try again.")  # pragma: no cover

    async def recover(self, created_before: datetime) -> int:
        """Fail the unfinished sessions created before ``created_before``. Only for a process that
        knows it is the one alive running generations on this database (``Vibe._recover``): then
        older unfinished sessions were left by dead processes."""
        async with self._uow(readonly=True) as uow:
            stale = [g for g in await uow.generations.unfinished() if g.created_at < created_before]
        for generation in stale:
            message = "The server stopped during this generation; please start it again."
            await self._outcomes.fail(generation, "interrupted", message)
        return len(stale)

    async def run(self, generation_id: str, trace: TraceCarrier | None = None) -> bool:
        """Run a queued session (what the job queue calls), continuing the trace that queued it;
        see ``Runner.run``."""
        return await self._runner.run(generation_id, trace)

    async def totals(self) -> tuple[GenerationTotals, int]:
        """(sessions by status and tokens used, jobs waiting or running) for the metrics."""
        async with self._uow(readonly=True) as uow:
            totals = await uow.generations.totals()
        return totals, await self._queue.depth()

    async def stale(self) -> list[str]:
        """Sessions nobody runs any more (see ``Runner.stale``): a worker queues them again."""
        return await self._runner.stale(self._clock.now())
