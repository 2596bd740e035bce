"""Projects, their versions and content-addressed file contents in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from vibe.adapters.sql.tables import blobs, projects, version_files, versions
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
        path=row["path"], size=row["size"], content_type=row["content_type"], sha256=row["sha256"]
    )


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

    async def add_version(
        self,
        project_id: str,
        files: Mapping[str, str],
        summary: str,
        generation_id: str | None,
        now: datetime,
    ) -> Version | None:
        # The increment takes the project's row lock (MySQL) or runs under the write lock (SQLite), so
        # concurrent commits get consecutive numbers with no retry.
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
        await self._store_files(project_id, version.number, files)
        return version

    async def _store_files(self, project_id: str, number: int, files: Mapping[str, str]) -> None:
        encoded = {path: content.encode("utf-8") for path, content in files.items()}
        by_hash = {sha256_hex(data): data for data in encoded.values()}
        if not by_hash:
            return
        known = select(blobs.c.sha256).where(blobs.c.project_id == project_id, blobs.c.sha256.in_(by_hash))
        stored = set((await self._c.execute(known)).scalars())
        missing = [
            {"project_id": project_id, "sha256": h, "size": len(d), "content": d}
            for h, d in by_hash.items()
            if h not in stored
        ]
        if missing:
            await self._c.execute(insert(blobs), missing)
        rows = [
            {
                "project_id": project_id,
                "version": number,
                "path": path,
                "sha256": sha256_hex(data),
                "size": len(data),
                "content_type": content_type_for(path),
            }
            for path, data in encoded.items()
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
            .where(version_files.c.project_id == project_id, version_files.c.version == version)
            .order_by(version_files.c.path)
        )
        return {r.path: bytes(r.content).decode("utf-8") for r in await self._c.execute(query)}
