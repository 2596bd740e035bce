"""Reading a project's history: what changed between two versions, and a new project from any version.

Access is the projects' own: whoever may read a project may compare its versions and fork it (its
owner, and anyone when it is public); for anyone else it does not exist.
"""

from __future__ import annotations

import msgspec

from vibe.application.projects import Projects
from vibe.domain.diffs import Content, FileChange, Stored, diff_files
from vibe.domain.errors import NotFoundError
from vibe.domain.ports import Clock, UnitOfWork, UnitOfWorkFactory
from vibe.domain.projects import MAX_NAME_CHARS, Project, ProjectName
from vibe.domain.users import User

__all__ = ["Diff", "History"]


class Diff(msgspec.Struct, frozen=True):
    from_version: int
    to_version: int
    files: list[FileChange]


class History:
    def __init__(self, uow: UnitOfWorkFactory, projects: Projects, clock: Clock) -> None:
        self._uow = uow
        self._projects = projects
        self._clock = clock

    async def diff(self, actor: User | None, project_id: str, start: int | None, end: int | None) -> Diff:
        """The changes from version ``start`` (0: the empty project; default: the one before ``end``)
        to version ``end`` (default: current)."""
        project, _ = await self._projects.get(actor, project_id)
        to = project.check_version(end) if end != 0 else 0
        since = max(to - 1, 0) if start is None else start
        if since != 0:
            project.check_version(since)
        async with self._uow(readonly=True) as uow:
            old = await _contents(uow, project.id, since)
            new = await _contents(uow, project.id, to)
        return Diff(since, to, diff_files(old, new))

    async def fork(
        self, actor: User, project_id: str, version: int | None = None, name: str | None = None
    ) -> Project:
        """A new project of ``actor`` whose version 1 holds the files of ``version`` (default: the
        current one) as they are stored; an empty project stays empty."""
        source, _ = await self._projects.get(actor, project_id)
        number = source.check_version(version)
        if number == 0 and version is not None:
            raise NotFoundError(f"Version {version} does not exist.")
        title = ProjectName.parse(name) if name is not None else _remix_name(source.name)
        summary = f"Forked from {source.name} (version {number})"
        added: list[int] = []

        async def with_files(uow: UnitOfWork, project: Project) -> None:
            # The version's rows and blobs are copied inside the database: text files and assets alike.
            if number:
                version_ = await uow.projects.copy_version(
                    project.id, source.id, number, summary, self._clock.now()
                )
                if version_ is None:  # pragma: no cover - the project was added in this transaction
                    raise NotFoundError("No such project.")
                added.append(version_.number)

        forked = await self._projects.create(actor, title, source.description, together=with_files)
        for number_ in added:
            await self._projects.tell_version(forked.id, number_)
        return msgspec.structs.replace(forked, current_version=added[-1] if added else 0)


async def _contents(uow: UnitOfWork, project_id: str, number: int) -> dict[str, Content]:
    """A version's text files with their text, and its assets by hash and size (no bytes read)."""
    if not number:
        return {}
    contents: dict[str, Content] = dict(await uow.projects.read_all(project_id, number))
    for entry in await uow.projects.files(project_id, number):
        if entry.is_asset:
            contents[entry.path] = Stored(entry.sha256, entry.size)
    return contents


def _remix_name(name: str) -> str:
    suffix = " (remix)"
    return name[: MAX_NAME_CHARS - len(suffix)].rstrip() + suffix
