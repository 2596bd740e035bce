"""Files a person puts into a project without the model (docs/api.md, "Files you bring"): uploads of
images and fonts, direct text edits, deletions, and serving a file so that an unchanged one costs no
bytes (its ETag is its SHA-256, checked before the bytes are read).

Each change is one new version built on whatever is current under the project's lock, so concurrent
uploads each become their own version and none is lost; ``base`` refuses a change made on a stale view.
"""

from __future__ import annotations

from vibe.application.projects import Projects
from vibe.domain.assets import DEFAULT_MAX_ASSET_BYTES, DEFAULT_MAX_PROJECT_BYTES, check_asset, is_asset_path
from vibe.domain.errors import InvalidInputError, NotFoundError, TooLargeError, UnsupportedMediaError
from vibe.domain.ports import Clock, UnitOfWork, UnitOfWorkFactory
from vibe.domain.projects import (
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_VERSION_BYTES,
    FileEntry,
    ProjectPath,
    Version,
    content_type_for,
    sha256_hex,
)
from vibe.domain.users import User

__all__ = ["ProjectFiles", "etag_of"]

# Declared types a text upload may carry besides its own (editors and browsers differ).
_LOOSE_TYPES = ("", "application/octet-stream")


def etag_of(entry: FileEntry) -> str:
    return f'"{entry.sha256}"'


class ProjectFiles:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        projects: Projects,
        max_asset_bytes: int = DEFAULT_MAX_ASSET_BYTES,
        max_project_bytes: int = DEFAULT_MAX_PROJECT_BYTES,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._projects = projects
        self.max_asset_bytes = max_asset_bytes
        self.max_project_bytes = max_project_bytes

    def entry_for(self, raw_path: str, data: bytes, declared: str | None = None) -> FileEntry:
        """Check an upload and describe it: path rules, size limit, format against the extension."""
        path = ProjectPath.parse_any(raw_path)
        kind = (declared or "").split(";", 1)[0].strip().lower()
        if is_asset_path(path):
            info = check_asset(path, data, kind, self.max_asset_bytes)
            return FileEntry(
                path=path,
                size=len(data),
                content_type=info.content_type,
                sha256=sha256_hex(data),
                width=info.width,
                height=info.height,
            )
        content_type = content_type_for(path)
        if kind not in _LOOSE_TYPES and not kind.startswith("text/") and kind != content_type.split(";")[0]:
            raise UnsupportedMediaError(f"'{path}' is {content_type.split(';')[0]}, not {kind}.")
        if len(data) > MAX_FILE_BYTES:
            raise TooLargeError(
                f"'{path}' is {len(data)} bytes; a text file is at most {MAX_FILE_BYTES} bytes."
            )
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError(f"'{path}' is not UTF-8 text.", field="body") from None
        return FileEntry(path=path, size=len(data), content_type=content_type, sha256=sha256_hex(data))

    async def put(
        self,
        actor: User,
        project_id: str,
        path: str,
        data: bytes,
        declared: str | None = None,
        base: int | None = None,
    ) -> Version:
        """A new version with this file added or replaced (text or asset)."""
        await self._projects.writable(actor, project_id)  # a stranger learns nothing from the checks
        entry = self.entry_for(path, data, declared)
        verb = "Uploaded" if entry.is_asset else "Edited"
        return await self._change(actor, project_id, [(entry, data)], [], f"{verb} {entry.path}", base)

    async def delete(self, actor: User, project_id: str, path: str, base: int | None = None) -> Version:
        """A new version without this file."""
        await self._projects.writable(actor, project_id)
        checked = ProjectPath.parse_any(path)
        return await self._change(actor, project_id, [], [checked], f"Deleted {checked}", base)

    async def _change(
        self,
        actor: User,
        project_id: str,
        put: list[tuple[FileEntry, bytes]],
        remove: list[str],
        summary: str,
        base: int | None,
    ) -> Version:
        project = await self._projects.writable(actor, project_id)
        async with self._uow() as uow:
            version = await uow.projects.change_files(
                project.id, put, remove, summary, self._clock.now(), base
            )
            if version is None:
                raise NotFoundError("No such project.")
            await self._check_totals(uow, project.id, version.number)
            await uow.commit()
        await self._projects.forget(project.id, project.owner_id)
        await self._projects.tell_version(project.id, version.number)
        return version

    async def _check_totals(self, uow: UnitOfWork, project_id: str, number: int) -> None:
        files = await uow.projects.files(project_id, number)
        if len(files) > MAX_FILES:
            raise InvalidInputError(f"A version holds at most {MAX_FILES} files.", field="path")
        total = sum(f.size for f in files)
        if total > self.max_project_bytes:
            raise TooLargeError(
                f"The project would hold {total} bytes; at most {self.max_project_bytes} bytes "
                "(VIBE_MAX_PROJECT_BYTES) are allowed. Delete an asset first."
            )
        text = sum(f.size for f in files if not f.is_asset)
        if text > MAX_VERSION_BYTES:
            raise TooLargeError(f"The text files would hold {text} bytes; at most {MAX_VERSION_BYTES}.")

    async def read(
        self,
        actor: User | None,
        project_id: str,
        path: str,
        version: int | None = None,
        etag: str | None = None,
    ) -> tuple[FileEntry, bytes | None]:
        """A file and its bytes; no bytes (None) when ``etag`` (an If-None-Match) names this content."""
        number = await self._projects.readable_version(actor, project_id, version)
        checked = ProjectPath.parse_any(path)
        async with self._uow(readonly=True) as uow:
            entry = await uow.projects.file_entry(project_id, number, checked)
            if entry is None:
                raise NotFoundError(f"No file '{checked}' in version {number}.")
            if etag is not None and etag_of(entry) in {t.strip().removeprefix("W/") for t in etag.split(",")}:
                return entry, None
            data = await uow.projects.read_blob(project_id, entry.sha256)
        if data is None:
            raise NotFoundError(f"No file '{checked}' in version {number}.")
        return entry, data

    async def assets(
        self, actor: User | None, project_id: str, version: int | None = None
    ) -> list[tuple[FileEntry, bytes]]:
        """The binary assets of a version with their bytes (the archive: text comes from a snapshot)."""
        number = await self._projects.readable_version(actor, project_id, version)
        found: list[tuple[FileEntry, bytes]] = []
        async with self._uow(readonly=True) as uow:
            for entry in await uow.projects.files(project_id, number):
                if entry.is_asset and (data := await uow.projects.read_blob(project_id, entry.sha256)):
                    found.append((entry, data))
        return found
