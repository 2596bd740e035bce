"""Projects, their versions and content-addressed file contents in SQL."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from vibe.adapters.sql.tables import blobs, projects, version_files, versions
from vibe.domain.assets import ASSET_TYPES
from vibe.domain.errors import ConflictError, NotFoundError
from vibe.domain.ports import Page, ProjectRepository
from vibe.domain.projects import FileEntry, Project, Version, Visibility, content_type_for, sha256_hex

__all__ = ["SqlProjectRepository"]


def _project(row: RowMapping) -> Project:
    return Project(
        id=row["id"],
        owner_id=row["owner_id"],
        name=row["name"],
        description=row["description"],
        visibility=Visibility(row["visibility"]),
        current_version=row["current_version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _entry(row: RowMapping) -> FileEntry:
    return FileEntry(
        path=row["path"],
        size=row["size"],
        content_type=row["content_type"],
        sha256=row["sha256"],
        width=row["width"],
        height=row["height"],
    )


_FILE_COLUMNS = ["project_id", "version", "path", "sha256", "size", "content_type", "width", "height"]


def _copied_columns() -> list[Any]:
    c = version_files.c
    return [c.path, c.sha256, c.size, c.content_type, c.width, c.height]


class SqlProjectRepository(ProjectRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, project: Project) -> None:
        await self._c.execute(
            insert(projects).values(
                id=project.id,
                owner_id=project.owner_id,
                name=project.name,
                description=project.description,
                visibility=project.visibility.value,
                current_version=project.current_version,
                created_at=project.created_at,
                updated_at=project.updated_at,
            )
        )

    async def get(self, project_id: str) -> Project | None:
        row = (await self._c.execute(select(projects).where(projects.c.id == project_id))).mappings().first()
        return _project(row) if row else None

    async def update(self, project: Project) -> None:
        await self._c.execute(
            update(projects)
            .where(projects.c.id == project.id)
            .values(
                name=project.name,
                description=project.description,
                visibility=project.visibility.value,
                updated_at=project.updated_at,
            )
        )

    async def delete(self, project_id: str) -> None:
        await self._c.execute(delete(projects).where(projects.c.id == project_id))

    async def page(self, owner_id: str, limit: int, offset: int) -> Page[Project]:
        mine = projects.c.owner_id == owner_id
        total = (await self._c.execute(select(func.count()).select_from(projects).where(mine))).scalar_one()
        query = (
            select(projects)
            .where(mine)
            .order_by(projects.c.created_at.desc(), projects.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = (await self._c.execute(query)).mappings().all()
        return Page(items=[_project(r) for r in rows], total=total)

    async def _next_version(
        self, project_id: str, summary: str, generation_id: str | None, now: datetime
    ) -> Version | None:
        # The increment takes the project's row lock (MySQL) or runs under the write lock (SQLite), so
        # concurrent commits get consecutive numbers with no retry. It comes first in the transaction:
        # every read after it sees what the commits before it wrote.
        moved = await self._c.execute(
            update(projects)
            .where(projects.c.id == project_id)
            .values(current_version=projects.c.current_version + 1, updated_at=now)
        )
        if moved.rowcount != 1:
            return None
        query = select(projects.c.current_version).where(projects.c.id == project_id)
        version = Version(
            number=(await self._c.execute(query)).scalar_one(),
            generation_id=generation_id,
            created_at=now,
            summary=summary,
        )
        await self._c.execute(
            insert(versions).values(
                project_id=project_id,
                number=version.number,
                generation_id=generation_id,
                summary=summary,
                created_at=now,
            )
        )
        return version

    async def add_version(
        self,
        project_id: str,
        files: Mapping[str, str],
        summary: str,
        generation_id: str | None,
        now: datetime,
        *,
        keep_assets: bool = False,
    ) -> Version | None:
        version = await self._next_version(project_id, summary, generation_id, now)
        if version is None:
            return None
        stored = [
            (FileEntry(path=p, size=len(d), content_type=content_type_for(p), sha256=sha256_hex(d)), d)
            for p, d in ((path, content.encode("utf-8")) for path, content in files.items())
        ]
        await self._store_files(project_id, version.number, stored)
        if keep_assets:
            await self._carry(project_id, version.number, set(files), assets_only=True)
        return version

    async def change_files(
        self,
        project_id: str,
        put: Sequence[tuple[FileEntry, bytes]],
        remove: Collection[str],
        summary: str,
        now: datetime,
        base: int | None = None,
    ) -> Version | None:
        version = await self._next_version(project_id, summary, None, now)
        if version is None:
            return None
        previous = version.number - 1
        if base is not None and previous != base:
            raise ConflictError(
                f"The project is at version {previous} now, not {base}: reload and try again."
            )
        if remove:
            query = select(version_files.c.path).where(
                version_files.c.project_id == project_id,
                version_files.c.version == previous,
                version_files.c.path.in_(list(remove)),
            )
            missing = set(remove) - set((await self._c.execute(query)).scalars())
            if missing:
                raise NotFoundError(f"No file '{sorted(missing)[0]}' in version {previous}.")
        await self._carry(project_id, version.number, {e.path for e, _ in put} | set(remove))
        await self._store_files(project_id, version.number, put)
        return version

    async def copy_version(
        self,
        project_id: str,
        source_project_id: str,
        source_version: int,
        summary: str,
        now: datetime,
        generation_id: str | None = None,
    ) -> Version | None:
        version = await self._next_version(project_id, summary, generation_id, now)
        if version is None:
            return None
        source = (version_files.c.project_id == source_project_id) & (
            version_files.c.version == source_version
        )
        if source_project_id != project_id:
            held = select(blobs.c.sha256).where(blobs.c.project_id == project_id)
            wanted = select(version_files.c.sha256).where(source)
            copied = select(literal(project_id), blobs.c.sha256, blobs.c.size, blobs.c.content).where(
                blobs.c.project_id == source_project_id,
                blobs.c.sha256.in_(wanted),
                blobs.c.sha256.not_in(held),
            )
            await self._c.execute(
                insert(blobs).from_select(["project_id", "sha256", "size", "content"], copied)
            )
        await self._c.execute(
            insert(version_files).from_select(
                _FILE_COLUMNS,
                select(literal(project_id), literal(version.number), *_copied_columns()).where(source),
            )
        )
        return version

    async def _carry(
        self, project_id: str, number: int, exclude: set[str], assets_only: bool = False
    ) -> None:
        """Copy the previous version's file rows (no bytes) into version ``number``, but ``exclude``."""
        where = [version_files.c.project_id == project_id, version_files.c.version == number - 1]
        if exclude:
            where.append(version_files.c.path.not_in(sorted(exclude)))
        if assets_only:
            where.append(version_files.c.content_type.in_(sorted(set(ASSET_TYPES.values()))))
        rows = select(literal(project_id), literal(number), *_copied_columns()).where(*where)
        await self._c.execute(insert(version_files).from_select(_FILE_COLUMNS, rows))

    async def _store_files(
        self, project_id: str, number: int, files: Sequence[tuple[FileEntry, bytes]]
    ) -> None:
        by_hash = {entry.sha256: data for entry, data in files}
        if not by_hash:
            return
        known = select(blobs.c.sha256).where(blobs.c.project_id == project_id, blobs.c.sha256.in_(by_hash))
        stored = set((await self._c.execute(known)).scalars())
        for h, d in by_hash.items():  # one at a time: a driver packet holds a few MiB at most
            if h not in stored:
                await self._c.execute(
                    insert(blobs).values(project_id=project_id, sha256=h, size=len(d), content=d)
                )
        rows = [
            {
                "project_id": project_id,
                "version": number,
                "path": entry.path,
                "sha256": entry.sha256,
                "size": entry.size,
                "content_type": entry.content_type,
                "width": entry.width,
                "height": entry.height,
            }
            for entry, _ in files
        ]
        await self._c.execute(insert(version_files), rows)

    async def versions(self, project_id: str) -> list[Version]:
        # Versions start at 1 (databases made before that keep an empty version 0 row: never listed).
        query = (
            select(versions)
            .where(versions.c.project_id == project_id, versions.c.number > 0)
            .order_by(versions.c.number.desc())
        )
        rows = (await self._c.execute(query)).mappings().all()
        return [
            Version(
                number=r["number"],
                generation_id=r["generation_id"],
                created_at=r["created_at"],
                summary=r["summary"],
            )
            for r in rows
        ]

    async def files(self, project_id: str, version: int) -> list[FileEntry]:
        query = (
            select(version_files)
            .where(version_files.c.project_id == project_id, version_files.c.version == version)
            .order_by(version_files.c.path)
        )
        return [_entry(r) for r in (await self._c.execute(query)).mappings().all()]

    async def read_file(self, project_id: str, version: int, path: str) -> tuple[FileEntry, bytes] | None:
        query = (
            select(version_files, blobs.c.content)
            .join(
                blobs,
                (blobs.c.project_id == version_files.c.project_id)
                & (blobs.c.sha256 == version_files.c.sha256),
            )
            .where(
                version_files.c.project_id == project_id,
                version_files.c.version == version,
                version_files.c.path == path,
            )
        )
        row = (await self._c.execute(query)).mappings().first()
        return (_entry(row), bytes(row["content"])) if row else None

    async def read_all(self, project_id: str, version: int) -> dict[str, str]:
        query = (
            select(version_files.c.path, blobs.c.content)
            .join(
                blobs,
                (blobs.c.project_id == version_files.c.project_id)
                & (blobs.c.sha256 == version_files.c.sha256),
            )
            .where(
                version_files.c.project_id == project_id,
                version_files.c.version == version,
                version_files.c.content_type.not_in(sorted(set(ASSET_TYPES.values()))),
            )
            .order_by(version_files.c.path)
        )
        return {r.path: bytes(r.content).decode("utf-8") for r in await self._c.execute(query)}

    async def file_entry(self, project_id: str, version: int, path: str) -> FileEntry | None:
        query = select(version_files).where(
            version_files.c.project_id == project_id,
            version_files.c.version == version,
            version_files.c.path == path,
        )
        row = (await self._c.execute(query)).mappings().first()
        return _entry(row) if row else None

    async def read_blob(self, project_id: str, sha256: str) -> bytes | None:
        query = select(blobs.c.content).where(blobs.c.project_id == project_id, blobs.c.sha256 == sha256)
        content = (await self._c.execute(query)).scalar_one_or_none()
        return None if content is None else bytes(content)
