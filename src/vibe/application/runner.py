"""Running one generation: claim it under a lease, run the agent, and end it, fenced all the way.

The claim is one conditional update (attempt + 1, lease until now + the lease, 30 s by default). The
runner renews the lease three times a lease while it runs; a renewal that fails (the session was
cancelled, or its lease ran out and another worker took it over) stops the run at once. Every write is
conditional on the attempt, so a stale runner can never add an event or a version. A session claimed
``MAX_ATTEMPTS`` times without ending is failed instead of being run again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from enum import Enum

from vibe.application.agent import run_agent
from vibe.application.projects import Projects
from vibe.application.prompting import followup_instructions, render_project_context
from vibe.application.session_events import Fenced, SessionWriter
from vibe.application.site_check import check_site
from vibe.application.workspace import Workspace
from vibe.domain.errors import UpstreamError, VibeError
from vibe.domain.events import Done, ErrorEvent, Event, Status, Text, UsageEvent
from vibe.domain.generations import Generation, GenerationStatus, Usage
from vibe.domain.model import Message, TextBlock
from vibe.domain.ports import Clock, EventLog, ModelClient, UnitOfWorkFactory

__all__ = ["DEFAULT_LEASE", "MAX_ATTEMPTS", "Claim", "Runner", "end_session"]

log = logging.getLogger("vibe.generations")
DEFAULT_LEASE = timedelta(seconds=30)
MAX_ATTEMPTS = 3
STALE_QUEUED = timedelta(seconds=60)


class Claim(Enum):
    """Why a session could not be claimed."""

    SETTLED = "settled"  # gone or finished: nothing to do, ever
    BUSY = "busy"  # another runner holds a live lease: try again later


async def end_session(
    uow: UnitOfWorkFactory,
    live: EventLog,
    current: Generation,
    ended: Generation,
    extra: tuple[Event, ...] = (),
) -> Generation | None:
    """Write a final state with its last events (status, then error), fenced on ``current``'s attempt;
    None when the session moved on meanwhile."""
    if ended.error_code is None or ended.error is None:
        raise ValueError("end_session is for failed and cancelled sessions")
    events = (
        *extra,
        Status(status=ended.status.value),
        ErrorEvent(code=ended.error_code, message=ended.error),
    )
    async with uow() as work:
        stored = await work.events.append(current.id, current.attempt, events)
        if stored is None or not await work.generations.save(ended, current.attempt):
            return None
        await work.commit()
    await live.publish(current.id, stored)
    return ended


class Runner:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        projects: Projects,
        live: EventLog,
        model: ModelClient,
        clock: Clock,
        max_turns: int = 8,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self._uow = uow
        self._projects = projects
        self._live = live
        self._model = model
        self._clock = clock
        self._max_turns = max_turns
        self._lease = lease

    async def run(self, generation_id: str) -> bool:
        """Claim the session and run it to its end. False when it could not be claimed now (another
        runner holds it, or the database did not answer): the job should stay queued and be retried;
        True when it is settled either way."""
        try:
            claimed = await self._claim(generation_id)
        except VibeError as error:
            log.warning("could not claim session %s (%s); it stays queued", generation_id, error.detail)
            return False
        if isinstance(claimed, Claim):
            return claimed is Claim.SETTLED
        lost = asyncio.Event()
        keeper = asyncio.create_task(self._keep_lease(claimed, asyncio.current_task(), lost))
        try:
            async with SessionWriter(self._uow, self._live, claimed.id, claimed.attempt) as writer:
                await self._run_claimed(claimed, writer)
        except Fenced:
            log.info("session %s was cancelled or taken over", generation_id)
        except asyncio.CancelledError:
            if not lost.is_set():  # stopped from outside: cancel request, or shutdown
                await self._interrupted(
                    claimed, "interrupted", "The generation was interrupted; please start it again."
                )
                raise
            asyncio.current_task().uncancel()  # type: ignore[union-attr]
        except Exception:
            log.exception("session %s failed unexpectedly", generation_id)
            await self._interrupted(
                claimed, "internal_error", "The generation failed unexpectedly; please try again."
            )
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
        return True

    async def _claim(self, generation_id: str) -> Generation | Claim:
        async with self._uow() as uow:
            generation = await uow.generations.get(generation_id)
            now = self._clock.now()
            if generation is None or generation.finished:
                return Claim.SETTLED
            if not generation.claimable(now):
                return Claim.BUSY
            claimed = generation.start(now, lease_until=now + self._lease)
            if generation.attempt < MAX_ATTEMPTS:
                if not await uow.generations.save(claimed, generation.attempt):
                    return Claim.BUSY
                stored = await uow.events.append(claimed.id, claimed.attempt, [Status(status="running")])
                await uow.commit()
        if generation.attempt >= MAX_ATTEMPTS:
            message = f"The generation was started {generation.attempt} times and never finished; giving up."
            await end_session(
                self._uow, self._live, generation, generation.fail("too_many_attempts", message, now)
            )
            return Claim.SETTLED
        await self._live.publish(claimed.id, stored or [])
        return claimed

    async def _keep_lease(
        self, generation: Generation, run: asyncio.Task[object] | None, lost: asyncio.Event
    ) -> None:
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            with contextlib.suppress(VibeError):  # an outage: keep the run, try again next tick
                async with self._uow() as uow:
                    renewed = await uow.generations.renew(
                        generation.id, generation.attempt, self._clock.now() + self._lease
                    )
                    await uow.commit()
                if not renewed and run is not None:
                    lost.set()
                    run.cancel()
                    return

    async def _run_claimed(self, generation: Generation, writer: SessionWriter) -> None:
        snapshot = await self._projects.owner_snapshot(generation.project_id)
        workspace = Workspace(snapshot.files)
        usage, prose = Usage(), [""]
        try:
            async for event in self._agent(generation, workspace, snapshot.files):
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
            await end_session(
                self._uow,
                self._live,
                generation,
                generation.add_usage(usage).fail(code, error.detail, self._clock.now()),
            )
            return
        await writer.stop()
        await self._succeed(generation.add_usage(usage), workspace.files, _summary(prose), writer)

    def _agent(
        self, generation: Generation, workspace: Workspace, files: dict[str, str]
    ) -> AsyncIterator[Event]:
        first = _first_message(generation.prompt, files)
        return run_agent(self._model, workspace, first, max_turns=self._max_turns)

    async def _succeed(
        self, generation: Generation, files: dict[str, str], summary: str, writer: SessionWriter
    ) -> None:
        """The version, the last events and the session's success commit together, or not at all."""
        async with self._uow() as uow:
            version = await self._projects.commit_in(
                uow, generation.project_id, files, summary, generation.id
            )
            done = generation.succeed(version.number, self._clock.now(), check_site(files))
            last = [
                Status(status="succeeded"),
                Done(project_id=generation.project_id, version=version.number, files=sorted(files)),
            ]
            stored = await writer.take(uow, last)
            if not await uow.generations.save(done, generation.attempt):
                raise Fenced(generation.id)
            await uow.commit()
        await self._projects.forget(generation.project_id)
        await writer.publish(stored)

    async def _interrupted(self, generation: Generation, code: str, message: str) -> None:
        """End a run that stopped abnormally, unless someone else already ended or took it."""
        async with self._uow(readonly=True) as uow:
            current = await uow.generations.get(generation.id)
        if current is not None and not current.finished and current.attempt == generation.attempt:
            await end_session(self._uow, self._live, current, current.fail(code, message, self._clock.now()))

    async def stale(self, now: datetime) -> list[str]:
        """Sessions nobody is running: running under a lease that ran out, or queued for a while (their
        job was lost, e.g. with a Redis restart). A worker queues them again."""
        async with self._uow(readonly=True) as uow:
            unfinished = await uow.generations.unfinished(lease_expired_before=now)
        return [
            g.id
            for g in unfinished
            if g.status is GenerationStatus.RUNNING or g.created_at < now - max(STALE_QUEUED, 2 * self._lease)
        ]


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
