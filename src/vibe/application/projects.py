"""Projects: small websites kept as numbered, immutable versions of text files.

Who may do what, in one place: the owner reads and writes; anyone reads a public project; for anyone
else a private project does not exist (NotFoundError on every path, never a hint that it does). A
stranger writing to a public project is refused (PermissionDeniedError): it is visible, so saying so
leaks nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

import msgspec

from vibe.application.account_news import AccountNews
from vibe.application.read_cache import NoCache, ReadCache
from vibe.domain.account_events import ProjectAction
from vibe.domain.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from vibe.domain.ports import Cache, Clock, IdFactory, Page, UnitOfWork, UnitOfWorkFactory
from vibe.domain.projects import (
    FileEntry,
    Project,
    ProjectName,
    ProjectPath,
    Version,
    Visibility,
    check_file_set,
)
from vibe.domain.users import User

__all__ = ["LISTED_PROJECTS_CACHED", "Projects", "Snapshot"]

_encode_project = msgspec.msgpack.Encoder().encode
_decode_project = msgspec.msgpack.Decoder(Project).decode
_decode_page = msgspec.msgpack.Decoder(Page[Project]).decode
# The newest projects of an owner kept in the read cache: the largest page the API serves, so every
# page within them is answered from one entry; pages beyond read the database.
LISTED_PROJECTS_CACHED = 100


class Snapshot(msgspec.Struct, frozen=True):
    """One version of a project with all its files."""

    project: Project
    version: int
    files: dict[str, str]
    assets: list[FileEntry] = msgspec.field(default_factory=list)  # binary files, without their bytes


async def _snapshot(uow: UnitOfWork, project: Project, number: int) -> Snapshot:
    files = await uow.projects.read_all(project.id, number)
    assets = [f for f in await uow.projects.files(project.id, number) if f.is_asset]
    return Snapshot(project, number, files, assets)


class Projects:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdFactory,
        cache: Cache | None = None,
        news: AccountNews | None = None,
    ) -> None:
        self.news = news or AccountNews(None)  # the generation engine tells of sessions through it
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._cached: ReadCache[Project] = ReadCache(
            cache or NoCache(), "project", _encode_project, _decode_project
        )
        self._lists: ReadCache[Page[Project]] = ReadCache(
            cache or NoCache(), "projects-of", _encode_project, _decode_page, ttl_seconds=30.0
        )

    async def _load(self, project_id: str) -> Project | None:
        async with self._uow(readonly=True) as uow:
            return await uow.projects.get(project_id)

    async def forget(self, project_id: str, owner_id: str | None = None) -> None:
        """Drop the cached metadata of a project that changed, and its owner's cached list (every write
        calls this after commit; without ``owner_id`` the owner is looked up)."""
        if owner_id is None:
            project = await self._cached.get(project_id, lambda: self._load(project_id))
            owner_id = project.owner_id if project is not None else None
        await self._cached.invalidate(project_id)
        if owner_id is not None:
            await self._lists.invalidate(owner_id)

    # --- access -----------------------------------------------------------------------------------

    async def _readable(self, actor: User | None, project_id: str) -> Project:
        project = await self._cached.get(project_id, lambda: self._load(project_id))
        if project is None or not project.readable_by(actor.id if actor else None):
            raise NotFoundError("No such project.")
        return project

    async def writable(self, actor: User, project_id: str) -> Project:
        """The project, when ``actor`` may change it (for services that write beside this one)."""
        return await self._writable(actor, project_id)

    async def _writable(self, actor: User, project_id: str) -> Project:
        project = await self._readable(actor, project_id)
        if project.owner_id != actor.id:
            raise PermissionDeniedError("Only the owner may change this project.")
        return project

    # --- the project ------------------------------------------------------------------------------

    async def create(
        self,
        actor: User,
        name: str,
        description: str = "",
        *,
        together: Callable[[UnitOfWork, Project], Awaitable[None]] | None = None,
    ) -> Project:
        """A new, empty project of ``actor``. ``together`` runs in the same transaction (a generation
        queued on the new project commits with it, or neither does)."""
        now = self._clock.now()
        project = Project(
            id=self._ids.new_id(),
            owner_id=actor.id,
            name=ProjectName.parse(name),
            description=ProjectName.parse_description(description),
            visibility=Visibility.PRIVATE,
            current_version=0,
            created_at=now,
            updated_at=now,
        )
        async with self._uow() as uow:
            # The owner's row first: inserting the project takes a shared lock on it (the foreign
            # key), and concurrent transactions upgrading that lock would deadlock on MySQL.
            await uow.users.lock(actor.id)
            await uow.projects.add(project)
            if together is not None:
                await together(uow, project)
            await uow.commit()
        await self.forget(project.id, actor.id)
        await self.news.project(actor.id, project.id, ProjectAction.CREATED)
        return project

    async def list_projects(self, actor: User, limit: int, offset: int) -> Page[Project]:
        """The caller's own projects, newest first; pages within the newest ``LISTED_PROJECTS_CACHED``
        come from the read cache (one entry per owner, dropped by every write to their projects)."""
        if offset + limit <= LISTED_PROJECTS_CACHED:
            newest = await self._lists.get(actor.id, lambda: self._page(actor.id, LISTED_PROJECTS_CACHED, 0))
            if newest is not None:
                return Page(items=newest.items[offset : offset + limit], total=newest.total)
        return await self._page(actor.id, limit, offset)

    async def _page(self, owner_id: str, limit: int, offset: int) -> Page[Project]:
        async with self._uow(readonly=True) as uow:
            return await uow.projects.page(owner_id, limit, offset)

    async def get(self, actor: User | None, project_id: str) -> tuple[Project, list[FileEntry]]:
        """The project with the files of its current version."""
        project = await self._readable(actor, project_id)
        async with self._uow(readonly=True) as uow:
            return project, await uow.projects.files(project.id, project.current_version)

    async def update(
        self,
        actor: User,
        project_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        visibility: Visibility | None = None,
    ) -> Project:
        project = await self._writable(actor, project_id)
        changed = project.with_changes(
            self._clock.now(),
            name=ProjectName.parse(name) if name is not None else None,
            description=ProjectName.parse_description(description) if description is not None else None,
            visibility=visibility,
        )
        async with self._uow() as uow:
            await uow.projects.update(changed)
            await uow.commit()
        await self.forget(project.id, project.owner_id)
        await self.news.project(project.owner_id, project.id, ProjectAction.UPDATED)
        return changed

    async def delete(self, actor: User, project_id: str) -> None:
        """Delete the project with its versions, contents and generations."""
        project = await self._writable(actor, project_id)
        async with self._uow() as uow:
            await uow.projects.delete(project.id)
            await uow.commit()
        await self.forget(project.id, project.owner_id)
        await self.news.project(project.owner_id, project.id, ProjectAction.DELETED)

    # --- versions and files -----------------------------------------------------------------------

    async def versions(self, actor: User | None, project_id: str) -> list[Version]:
        """Every version, newest first."""
        project = await self._readable(actor, project_id)
        async with self._uow(readonly=True) as uow:
            return await uow.projects.versions(project.id)

    async def read_file(
        self, actor: User | None, project_id: str, path: str, version: int | None = None
    ) -> tuple[FileEntry, bytes]:
        project = await self._readable(actor, project_id)
        return await self._read_file(project, path, version)

    async def readable_version(self, actor: User | None, project_id: str, version: int | None = None) -> int:
        """The number ``version`` (None: the current one) names in a project ``actor`` may read."""
        project = await self._readable(actor, project_id)
        return project.check_version(version)

    async def read_file_as_owner(self, project_id: str, version: int, path: str) -> tuple[FileEntry, bytes]:
        """Read a file with the owner's rights, whatever the visibility.

        Only for a caller that holds proof of a grant: a verified preview link, which names one
        immutable version that its issuer could read when it was signed (``readable_version``), so
        it reveals nothing the issuer could not already have copied. Never call it with ids taken
        straight from a request.
        """
        async with self._uow(readonly=True) as uow:
            project = await uow.projects.get(project_id)
        if project is None:
            raise NotFoundError("No such project.")
        return await self._read_file(project, path, version)

    async def _read_file(self, project: Project, path: str, version: int | None) -> tuple[FileEntry, bytes]:
        number = project.check_version(version)
        async with self._uow(readonly=True) as uow:
            found = await uow.projects.read_file(project.id, number, ProjectPath.parse_any(path))
        if found is None:
            raise NotFoundError(f"No file '{path}' in version {number}.")
        return found

    async def snapshot(self, actor: User | None, project_id: str, version: int | None = None) -> Snapshot:
        """A version (default: current) with all its files, for the archive and the agent."""
        project = await self._readable(actor, project_id)
        number = project.check_version(version)
        async with self._uow(readonly=True) as uow:
            return await _snapshot(uow, project, number)

    async def owner_snapshot(self, project_id: str, version: int | None = None) -> Snapshot:
        """``snapshot`` with the owner's rights, for work the owner started and was checked for (a
        generation run by a worker, which has no request to take an actor from)."""
        async with self._uow(readonly=True) as uow:
            project = await uow.projects.get(project_id)
            if project is None:
                raise NotFoundError("No such project.")
            number = project.check_version(version)
            return await _snapshot(uow, project, number)

    async def restore(
        self, actor: User, project_id: str, number: int, paths: Sequence[str] | None = None
    ) -> Version:
        """A new version whose files equal version ``number``'s; with ``paths``, only those files are
        brought back (removed when version ``number`` does not hold them) and the others stay."""
        project = await self._writable(actor, project_id)
        project.check_version(number)
        if paths is None:
            async with self._uow() as uow:
                version = await uow.projects.copy_version(
                    project.id, project.id, number, f"Restored version {number}", self._clock.now()
                )
                if version is None:
                    raise NotFoundError("No such project.")
                await uow.commit()
        else:
            version = await self._restore_files(project, number, paths)
        await self.forget(project.id, project.owner_id)
        await self.tell_version(project.id, version.number)
        return version

    async def _restore_files(self, project: Project, number: int, paths: Sequence[str]) -> Version:
        """The next version with the files ``paths`` as version ``number`` holds them (text files and
        assets alike, bytes as stored), removed where it does not; the other files stay."""
        wanted = sorted({ProjectPath.parse_any(path) for path in paths})
        if not wanted:
            raise InvalidInputError("Name at least one file to restore.", field="paths")
        summary = f"Restored {', '.join(wanted)[:200]} from version {number}"
        async with self._uow() as uow:
            current = project.current_version
            present = (
                {entry.path for entry in await uow.projects.files(project.id, current)} if current else set()
            )
            put: list[tuple[FileEntry, bytes]] = []
            remove: list[str] = []
            for path in wanted:
                found = await uow.projects.read_file(project.id, number, path)
                if found is not None:
                    put.append(found)
                elif path in present:
                    remove.append(path)
                else:
                    raise NotFoundError(f"No file '{path}' in version {number} nor in the current one.")
            version = await uow.projects.change_files(project.id, put, remove, summary, self._clock.now())
            if version is None:
                raise NotFoundError("No such project.")
            await uow.commit()
        return version

    async def commit(
        self,
        project_id: str,
        files: Mapping[str, str],
        summary: str,
        generation_id: str | None = None,
        *,
        together: Callable[[UnitOfWork, Version], Awaitable[None]] | None = None,
    ) -> Version:
        """Store ``files`` as the project's next version (numbered after whatever is current).

        ``together`` runs in the same transaction once the version exists: what it writes commits
        with the version or not at all (the generation engine ends its session there), and it may
        raise to abandon both. Paths and sizes are checked here, so no caller can store what the
        rules refuse. The binary assets of the version it follows are kept (``files`` is text: what
        the model works on), so an upload made while a generation ran is not lost."""
        checked = {ProjectPath.parse(path): content for path, content in files.items()}
        check_file_set(checked)
        text = summary.strip()[:2000] or "Updated"
        async with self._uow() as uow:
            version = await uow.projects.add_version(
                project_id, checked, text, generation_id, self._clock.now(), keep_assets=True
            )
            if version is None:
                raise NotFoundError("No such project.")
            if together is not None:
                await together(uow, version)
            await uow.commit()
        await self.forget(project_id)
        await self.tell_version(project_id, version.number)
        return version

    async def tell_version(self, project_id: str, number: int) -> None:
        """Tell the owner's listeners of a new version (the owner from the read cache)."""
        project = await self._cached.get(project_id, lambda: self._load(project_id))
        if project is not None:
            await self.news.version(project.owner_id, project_id, number)
