"""Running one generation: claim it under a lease, run the agent, and end it, fenced all the way.

The claim is one conditional update (attempt + 1, lease until now + the lease). The runner renews the
lease three times a lease while it runs; a renewal that fails (the session was cancelled, or its
lease ran out and another worker took it over) stops the run at once. Every write is conditional on
the attempt, so a stale runner can never add an event or a version. A session claimed
``MAX_ATTEMPTS`` times without ending is failed instead of being run again. A run that starts over
opens with a ``restart`` event, so clients drop what the dead attempt streamed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import Enum

import msgspec

from vibe.application.agent import AgentReport, request_for, run_agent
from vibe.application.budgets import Budgets
from vibe.application.outcomes import Outcomes
from vibe.application.projects import Projects, Snapshot
from vibe.application.prompting import first_message
from vibe.application.scoping import locate, scope_note
from vibe.application.session_events import Fenced, SessionWriter
from vibe.application.tracing import CLAIM, NO_TRACER, RUN
from vibe.application.workspace import Workspace
from vibe.domain.closing import closing
from vibe.domain.conversation import TokenEstimate
from vibe.domain.errors import InvalidInputError, UpstreamError, VibeError
from vibe.domain.events import Event, Restart, Status, Text
from vibe.domain.generations import (
    DEFAULT_LEASE_SECONDS,
    DEFAULT_MAX_TURNS,
    MAX_ATTEMPTS,
    Generation,
    GenerationStatus,
)
from vibe.domain.ports import (
    Attribute,
    Clock,
    LiveEvents,
    ModelClient,
    TraceCarrier,
    Tracer,
    UnitOfWorkFactory,
)
from vibe.domain.project_context import render_changes, render_project_context
from vibe.domain.projects import FileEntry
from vibe.domain.selection import ElementLocator, Picked

__all__ = ["Claim", "Runner"]

log = logging.getLogger("vibe.generations")
STALE_QUEUED = timedelta(seconds=60)
# A follow-up lists the files its project's previous generation listed (and the changes since), so
# the prompt cache's copy of that listing serves again: while that copy lives (the 1-hour TTL, less a
# margin) and while the changes stay small beside it.
CONTEXT_REUSE = timedelta(minutes=55)
CONTEXT_MAX_CHANGE = 0.5


class Claim(Enum):
    """Why a session could not be claimed."""

    SETTLED = "settled"  # gone or finished: nothing to do, ever
    BUSY = "busy"  # another runner holds a live lease: try again later


class Runner:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        projects: Projects,
        outcomes: Outcomes,
        live: LiveEvents,
        model: ModelClient,
        clock: Clock,
        *,
        budgets: Budgets | None = None,
        max_turns: int = DEFAULT_MAX_TURNS,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        tracer: Tracer = NO_TRACER,
        elements: ElementLocator | None = None,
    ) -> None:
        self._elements = elements
        self._budgets = budgets
        self._uow = uow
        self._projects = projects
        self._outcomes = outcomes
        self._live = live
        self._model = model
        self._clock = clock
        self._max_turns = max_turns
        self._lease = timedelta(seconds=lease_seconds)
        self._tracer = tracer

    @property
    def model_name(self) -> str:
        return self._model.name

    async def run(self, generation_id: str, trace: TraceCarrier | None = None) -> bool:
        """Claim the session and run it to its end. False when it could not be claimed now (another
        runner holds it, or the database did not answer): the job should stay queued and be retried;
        True when it is settled either way. The run is a span of the trace ``trace`` continues (the
        request that queued the session), in whichever process it runs."""
        with self._tracer.span(RUN, {"vibe.session.id": generation_id}, parent=trace or None) as span:
            try:
                with self._tracer.span(CLAIM) as claiming:
                    claimed = await self._claim(generation_id)
                    claiming.set(_claim_attributes(claimed))
            except VibeError as error:
                log.warning("could not claim session %s (%s); it stays queued", generation_id, error.detail)
                return False
            if isinstance(claimed, Claim):
                return claimed is Claim.SETTLED
            span.set({"vibe.attempt": claimed.attempt, "vibe.project.id": claimed.project_id})
            failure = await self._run_leased(claimed)
            if failure:
                span.fail(failure)
        return True

    async def _run_leased(self, claimed: Generation) -> str | None:
        """Run a claimed session under its lease; the error code it failed with, if it did."""
        lost = asyncio.Event()
        keeper = asyncio.create_task(self._keep_lease(claimed, asyncio.current_task(), lost))
        writer = SessionWriter(
            self._uow, self._live, claimed.id, claimed.attempt, owner=claimed.user_id, clock=self._clock
        )
        try:
            async with writer:
                return await self._run_claimed(claimed, writer)
        except Fenced:
            log.info("session %s was cancelled or taken over", claimed.id)
            return None
        except asyncio.CancelledError:
            with contextlib.suppress(Fenced, VibeError):
                await asyncio.shield(writer.stop())  # what was billed so far is recorded
            if not lost.is_set():  # stopped from outside: cancel request, or shutdown
                await self._outcomes.fail_if_current(
                    claimed, "interrupted", "The generation was interrupted; please start it again."
                )
                raise
            asyncio.current_task().uncancel()  # type: ignore[union-attr]
            return "lease_lost"
        except Exception:
            log.exception("session %s failed unexpectedly", claimed.id)
            await self._outcomes.fail_if_current(
                claimed, "internal_error", "The generation failed unexpectedly; please try again."
            )
            return "internal_error"
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)

    async def _claim(self, generation_id: str) -> Generation | Claim:
        async with self._uow() as uow:
            generation = await uow.generations.get(generation_id)
            now = self._clock.now()
            if generation is None or generation.finished:
                return Claim.SETTLED
            if not generation.claimable(now):
                return Claim.BUSY
            if generation.attempt >= MAX_ATTEMPTS:
                claimed = None
            else:
                claimed = generation.start(now, lease_until=now + self._lease)
                if not await uow.generations.save(claimed, generation.attempt):
                    return Claim.BUSY
                opening: list[Event] = [Restart(attempt=claimed.attempt)] if claimed.attempt > 1 else []
                opening.append(Status(status="running"))
                stored = await uow.events.append(claimed.id, claimed.attempt, opening)
                await uow.commit()
        if claimed is None:
            message = f"The generation was started {generation.attempt} times and never finished; giving up."
            await self._outcomes.fail(generation, "too_many_attempts", message)
            return Claim.SETTLED
        await self._live.publish(claimed.id, stored or [])
        await self._projects.news.session(claimed)
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

    async def _run_claimed(self, generation: Generation, writer: SessionWriter) -> str | None:
        snapshot = await self._projects.owner_snapshot(generation.project_id)
        generation, base = await self._context(generation, snapshot)
        try:
            picked = self._picked(generation, snapshot.files)
        except InvalidInputError as error:  # the version changed since the picks were checked
            await writer.stop()
            await self._outcomes.fail(generation, "selection_changed", error.detail)
            return "selection_changed"
        workspace = Workspace(snapshot.files)
        async with self._uow(readonly=True) as uow:  # sent again by a retry or a takeover
            images = await uow.generations.images(generation.id)
        report = AgentReport()
        agent = run_agent(
            self._model,
            workspace,
            first_message(generation.prompt, snapshot.files, base, snapshot.assets, images, picked),
            max_turns=self._max_turns,
            report=report,
            before_call=self._budget_check(generation, writer),
            tracer=self._tracer,
        )
        try:
            async with closing(agent) as events:  # closed here, in this task (its spans end here)
                async for event in events:
                    await writer.emit(event)
            if not workspace.files:
                raise UpstreamError("The model wrote no files; try a more specific prompt.", code="no_output")
        except VibeError as error:
            await writer.stop()
            code = error.code if isinstance(error, UpstreamError) else "invalid_output"
            await self._outcomes.fail(generation, code, error.detail)
            return code
        note = scope_note(snapshot.files, workspace.files, picked) if picked else None
        if note:  # said in the reply, as the model's own prose is
            await writer.emit(Text(delta=f"\n\n{note}"))
            report.summary = f"{report.summary.strip()} {note}".strip()
        await writer.stop()
        await self._outcomes.succeed(generation, workspace.files, _summary(report), writer, workspace.title)
        return None

    def _picked(self, generation: Generation, files: dict[str, str]) -> tuple[Picked, ...]:
        if not generation.selection or self._elements is None:
            return ()
        return locate(self._elements, files, generation.selection)

    def _budget_check(
        self, generation: Generation, writer: SessionWriter
    ) -> Callable[[], Awaitable[None]] | None:
        """Before each call: record what the run was billed so far, then check the owner's budget."""
        budgets = self._budgets
        if budgets is None:
            return None

        async def check() -> None:
            await writer.flush()
            await budgets.check(generation.user_id)

        return check

    async def _context(self, generation: Generation, snapshot: Snapshot) -> tuple[Generation, dict[str, str]]:
        """The files the first prompt lists (the rest shows as changes since), recorded on the
        session so a takeover shows the model the same prompt."""
        chosen, base = await self._base(generation.project_id, snapshot, generation.context_version)
        if snapshot.files and chosen != generation.context_version:
            generation = await self._record_context(generation, chosen)
        return generation, base

    async def _base(
        self, project_id: str, snapshot: Snapshot, chosen: int | None = None
    ) -> tuple[int, dict[str, str]]:
        """(version, files) the first prompt lists: ``chosen``, else the previous generation's listing
        while the prompt cache holds it and the changes since stay small, else the current files."""
        if not snapshot.files:
            return snapshot.version, {}
        if chosen is None:
            chosen = await self._reusable_base(project_id, snapshot.version)
        base = snapshot.files
        if chosen != snapshot.version:
            older = await self._projects.owner_snapshot(project_id, chosen)
            listing = len(render_project_context(older.files))
            if len(render_changes(older.files, snapshot.files)) <= CONTEXT_MAX_CHANGE * listing:
                base = older.files
            else:
                chosen = snapshot.version
        return chosen, base

    async def estimate(self, prompt: str, project_id: str | None) -> tuple[TokenEstimate, int]:
        """(input tokens, output limit) of the first call a generation of ``prompt`` would make now,
        built by the code that builds it for a run; nothing is spent."""
        files: dict[str, str] = {}
        base: dict[str, str] | None = None
        assets: list[FileEntry] = []
        if project_id is not None:
            snapshot = await self._projects.owner_snapshot(project_id)
            files, assets = snapshot.files, snapshot.assets
            _, base = await self._base(project_id, snapshot)
        request = request_for([first_message(prompt, files, base, assets)])
        return await self._model.count_input(request), self._model.max_output_tokens

    async def _reusable_base(self, project_id: str, current: int) -> int:
        async with self._uow(readonly=True) as uow:
            last = await uow.generations.last_context(project_id)
        if last is None or not 0 < last[0] <= current or self._clock.now() - last[1] > CONTEXT_REUSE:
            return current
        return last[0]

    async def _record_context(self, generation: Generation, version: int) -> Generation:
        updated = msgspec.structs.replace(generation, context_version=version)
        async with self._uow() as uow:
            if not await uow.generations.save(updated, generation.attempt):
                raise Fenced(generation.id)
            await uow.commit()
        return updated

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


def _claim_attributes(claimed: Generation | Claim) -> dict[str, Attribute]:
    if isinstance(claimed, Claim):
        return {"vibe.claim": claimed.value}
    return {"vibe.claim": "claimed", "vibe.attempt": claimed.attempt}


def _summary(report: AgentReport) -> str:
    """The last thing the model said (its closing summary)."""
    return (report.summary or "Generated the site")[:500]
