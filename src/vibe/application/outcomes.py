"""How a generation session ends, in one place: succeeded with a version, failed, cancelled, or given up.

Every end is one fenced write: the session's final state and its last events (``status`` then
``done`` or ``error``) commit together, only if the session is still unfinished and at the attempt
the caller holds; otherwise the caller learns that the session moved on (None, or ``Fenced``). The
live log hears of it after the commit. A success also commits the version in the same transaction,
through the projects' own seam (``Projects.commit(..., together=...)``).
"""

from __future__ import annotations

from collections.abc import Mapping

from vibe.application.projects import Projects
from vibe.application.session_events import Fenced, SessionWriter
from vibe.application.site_check import check_site
from vibe.application.tracing import COMMIT, NO_TRACER
from vibe.domain.account_events import ProjectAction
from vibe.domain.events import Done, ErrorEvent, Status, StoredEvent
from vibe.domain.generations import Generation
from vibe.domain.ports import Attribute, Clock, LiveEvents, Tracer, UnitOfWork, UnitOfWorkFactory
from vibe.domain.projects import Project, ProjectName, Version

__all__ = ["Outcomes"]


class Outcomes:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        live: LiveEvents,
        projects: Projects,
        clock: Clock,
        tracer: Tracer = NO_TRACER,
    ) -> None:
        self._uow = uow
        self._live = live
        self._projects = projects
        self._clock = clock
        self._tracer = tracer

    async def fail(self, current: Generation, code: str, message: str) -> Generation | None:
        """End ``current`` failed; None when it moved on meanwhile."""
        return await self._end(current, current.fail(code, message, self._clock.now()))

    async def cancel(self, current: Generation) -> Generation | None:
        """End ``current`` cancelled; None when it moved on meanwhile."""
        return await self._end(current, current.cancel(self._clock.now()))

    async def fail_if_current(self, held: Generation, code: str, message: str) -> None:
        """End a run that stopped abnormally, unless someone else already ended or took it."""
        async with self._uow(readonly=True) as uow:
            current = await uow.generations.get(held.id)
        if current is not None and not current.finished and current.attempt == held.attempt:
            await self.fail(current, code, message)

    async def succeed(
        self,
        running: Generation,
        files: Mapping[str, str],
        summary: str,
        writer: SessionWriter,
        title: str | None = None,
    ) -> Generation:
        """Commit the version, the last events and the session's success together, or nothing
        (Fenced when the session is no longer ``running``'s). Call after ``writer.stop()``.

        ``title``: what the model named the site. It names the project when this is the project's
        first version and the project still has the name its prompt gave it (not one a user chose)."""
        done: list[Generation] = []
        stored: list[StoredEvent] = []
        renamed: list[Project] = []

        async def end_with(uow: UnitOfWork, version: Version) -> None:
            if title is not None and version.number == 1:
                project = await uow.projects.get(running.project_id)  # its row is locked: no race
                provisional = ProjectName.from_prompt(running.prompt)
                if project is not None and project.name == provisional and title != provisional:
                    renamed.append(project.with_changes(self._clock.now(), name=ProjectName.parse(title)))
                    await uow.projects.update(renamed[0])
            held = await uow.projects.files(running.project_id, version.number)
            uploaded = {f.path: "" for f in held if f.is_asset}  # links to assets are not broken
            ended = running.succeed(version.number, self._clock.now(), check_site({**uploaded, **files}))
            last = [
                Status(status="succeeded"),
                Done(project_id=running.project_id, version=version.number, files=sorted(files)),
            ]
            stored.extend(await writer.take(uow, last))
            if not await uow.generations.save(ended, running.attempt):
                raise Fenced(running.id)
            done.append(ended)

        attributes: dict[str, Attribute] = {"vibe.project.id": running.project_id, "vibe.files": len(files)}
        with self._tracer.span(COMMIT, attributes) as span:
            await self._projects.commit(running.project_id, files, summary, running.id, together=end_with)
            span.set({"vibe.version": done[0].version or 0})
        await writer.publish(stored)
        if renamed:
            await self._projects.forget(renamed[0].id, renamed[0].owner_id)
            await self._projects.news.project(renamed[0].owner_id, renamed[0].id, ProjectAction.UPDATED)
        await self._projects.news.session(done[0])
        return done[0]

    async def _end(self, current: Generation, ended: Generation) -> Generation | None:
        assert ended.error_code is not None
        assert ended.error is not None
        events = (Status(status=ended.status.value), ErrorEvent(code=ended.error_code, message=ended.error))
        async with self._uow() as work:
            stored = await work.events.append(current.id, current.attempt, events)
            if stored is None or not await work.generations.save(ended, current.attempt):
                return None
            await work.commit()
        await self._live.publish(current.id, stored)
        await self._projects.news.session(ended)
        return ended
