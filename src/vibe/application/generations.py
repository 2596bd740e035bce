"""Generations: start one (queued), run it (in a background task or a worker), follow, cancel, list.

A generation belongs to whoever started it; for anyone else it does not exist. It runs outside any
request: ``start`` stores it and hands its id to the job queue, and whichever process takes it calls
``run``. Every write of a run is fenced by its attempt number (see ``domain.generations``), so a
cancelled run, or one whose lease another worker took over, changes nothing more.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from vibe.application.agent import run_agent
from vibe.application.projects import Projects
from vibe.application.prompting import followup_instructions, render_project_context
from vibe.application.session_events import Fenced, SessionWriter, follow
from vibe.application.site_check import check_site
from vibe.application.workspace import Workspace
from vibe.domain.errors import (
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UpstreamError,
    VibeError,
)
from vibe.domain.events import Done, ErrorEvent, Event, Status, StoredEvent, Text, UsageEvent
from vibe.domain.generations import Generation, GenerationStatus, Prompt, Usage
from vibe.domain.model import Message, TextBlock
from vibe.domain.ports import Clock, EventLog, IdFactory, JobQueue, ModelClient, Page, UnitOfWorkFactory
from vibe.domain.projects import Project, ProjectName, Visibility
from vibe.domain.users import User

__all__ = ["Generations", "GenerationsConfig"]

log = logging.getLogger("vibe.generations")
LEASE = timedelta(seconds=30)


class GenerationsConfig:
    def __init__(
        self, *, max_concurrent: int = 2, max_turns: int = 8, heartbeat_seconds: float = 15.0
    ) -> None:
        self.max_concurrent = max_concurrent
        self.max_turns = max_turns
        self.heartbeat_seconds = heartbeat_seconds


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
            if project_id is None:
                await uow.projects.add(project)
            if not await uow.generations.add_within_limit(generation, self._config.max_concurrent):
                limit = self._config.max_concurrent
                raise RateLimitedError(
                    f"You already have {limit} generations running; wait for one to finish.", retry_after=10
                )
            stored = await uow.events.append(generation.id, 0, [Status(status="queued")])
            await uow.commit()
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

    async def _end(
        self, current: Generation, ended: Generation, extra: tuple[Event, ...] = ()
    ) -> Generation | None:
        """Write a final state and its last events, fenced on ``current``'s attempt."""
        assert ended.error_code is not None
        assert ended.error is not None
        events = (
            *extra,
            Status(status=ended.status.value),
            ErrorEvent(code=ended.error_code, message=ended.error),
        )
        async with self._uow() as uow:
            stored = await uow.events.append(current.id, current.attempt, events)
            if stored is None or not await uow.generations.save(ended, current.attempt):
                return None
            await uow.commit()
        await self._live.publish(current.id, stored)
        return ended

    async def recover(self, created_before: datetime) -> int:
        """Fail the unfinished sessions created before ``created_before``: with the inline queue, a
        process that starts runs every new session itself, so older unfinished ones were left by a
        dead process."""
        async with self._uow(readonly=True) as uow:
            stale = [g for g in await uow.generations.unfinished() if g.created_at < created_before]
        for generation in stale:
            message = "The server stopped during this generation; please start it again."
            await self._end(generation, generation.fail("interrupted", message, self._clock.now()))
        return len(stale)

    # --- running ----------------------------------------------------------------------------------

    async def run(self, generation_id: str) -> None:
        """Claim the session and run it to its end (what the job queue calls)."""
        claimed = await self._claim(generation_id)
        if claimed is None:
            return
        writer = SessionWriter(self._uow, self._live, claimed.id, claimed.attempt)
        try:
            async with writer:
                await self._run_claimed(claimed, writer)
        except Fenced:
            log.info("session %s was cancelled or taken over", generation_id)
        except asyncio.CancelledError:
            await self._interrupted(
                claimed, "interrupted", "The generation was interrupted; please start it again."
            )
            raise
        except Exception:
            log.exception("session %s failed unexpectedly", generation_id)
            await self._interrupted(
                claimed, "internal_error", "The generation failed unexpectedly; please try again."
            )

    async def _claim(self, generation_id: str) -> Generation | None:
        async with self._uow() as uow:
            generation = await uow.generations.get(generation_id)
            now = self._clock.now()
            if generation is None or not generation.claimable(now):
                return None
            claimed = generation.start(now, lease_until=now + LEASE)
            if not await uow.generations.save(claimed, generation.attempt):
                return None
            stored = await uow.events.append(claimed.id, claimed.attempt, [Status(status="running")])
            await uow.commit()
        await self._live.publish(claimed.id, stored or [])
        return claimed

    async def _run_claimed(self, generation: Generation, writer: SessionWriter) -> None:
        snapshot = await self._projects.owner_snapshot(generation.project_id)
        workspace = Workspace(snapshot.files)
        usage, prose = Usage(), [""]
        try:
            async for event in run_agent(
                self._model,
                workspace,
                _first_message(generation.prompt, snapshot.files),
                max_turns=self._config.max_turns,
            ):
                if isinstance(event, UsageEvent):
                    usage, prose = usage + _usage(event), [*prose, ""]
                elif isinstance(event, Text):
                    prose[-1] += event.delta
                await writer.emit(event)
            if not workspace.files:
                raise UpstreamError("The model wrote no files; try a more specific prompt.", code="no_output")
        except VibeError as error:
            await writer.stop()
            code = error.code if isinstance(error, UpstreamError) else "invalid_output"
            failed = generation.add_usage(usage).fail(code, error.detail, self._clock.now())
            await self._end(generation, failed)
            return
        await writer.stop()
        await self._succeed(generation.add_usage(usage), workspace.files, _summary(prose), writer)

    async def _succeed(
        self, generation: Generation, files: dict[str, str], summary: str, writer: SessionWriter
    ) -> None:
        checks = check_site(files)
        async with self._uow() as uow:
            version = await self._projects.commit_in(
                uow, generation.project_id, files, summary, generation.id
            )
            done = generation.succeed(version.number, self._clock.now(), checks)
            stored = await writer.take(
                uow,
                [
                    Status(status="succeeded"),
                    Done(project_id=generation.project_id, version=version.number, files=sorted(files)),
                ],
            )
            if not await uow.generations.save(done, generation.attempt):
                raise Fenced(generation.id)
            await uow.commit()
        await writer.publish(stored)

    async def _interrupted(self, generation: Generation, code: str, message: str) -> None:
        """End a run that stopped abnormally, unless someone else already ended or took it."""
        async with self._uow(readonly=True) as uow:
            current = await uow.generations.get(generation.id)
        if current is not None and not current.finished and current.attempt == generation.attempt:
            await self._end(current, current.fail(code, message, self._clock.now()))


def _first_message(prompt: str, files: dict[str, str]) -> Message:
    if not files:
        return Message(role="user", content=(TextBlock(text=prompt),))
    context = TextBlock(text=render_project_context(files), cache=True)
    return Message(role="user", content=(context, TextBlock(text=followup_instructions(prompt))))


def _usage(event: UsageEvent) -> Usage:
    return Usage(
        input_tokens=event.input_tokens,
        output_tokens=event.output_tokens,
        cache_creation_input_tokens=event.cache_creation_input_tokens,
        cache_read_input_tokens=event.cache_read_input_tokens,
    )


def _summary(prose: list[str]) -> str:
    """The last thing the model said (its closing summary), else the first."""
    said = [p.strip() for p in prose if p.strip()]
    return (said[-1] if said else "Generated the site")[:500]
