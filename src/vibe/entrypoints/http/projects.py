"""Projects (docs/api.md, "Projects"): CRUD, versions, restore, raw files, the archive, preview links.

Handlers stay thin; every access rule lives in the ``Projects`` service. Read routes take an optional
caller (anyone may read a public project); write routes need one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from litestar.response import Stream
from zipstream import ZIP_DEFLATED, ZIP_STORED, ZipStream

from vibe.application.projects import Snapshot
from vibe.domain.projects import FileEntry, Visibility
from vibe.entrypoints.http.deps import (
    FilesDep,
    Limit,
    Links,
    Me,
    Offset,
    ProjectsDep,
    Reader,
    SitesDep,
    current_reader,
    principal,
)
from vibe.entrypoints.http.middleware import NO_GZIP
from vibe.entrypoints.http.openapi import BEARER, FILE, OPTIONAL_BEARER, ZIP, problems
from vibe.entrypoints.http.project_files import delete_file, put_file, served_file
from vibe.entrypoints.http.project_schemas import (
    PreviewLinkIn,
    PreviewLinkOut,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    ProjectPage,
    ProjectPatch,
    RestoreIn,
    VersionList,
    VersionOut,
    project_detail_out,
    project_out,
    project_page_out,
    version_out,
)
from vibe.entrypoints.http.untrusted import VersionQuery, refuse_service_workers

__all__ = ["router"]


def slug(name: str) -> str:
    """An ASCII file-name stem for a project name: ``"Café Menu!"`` -> ``"cafe-menu"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "project"


def zip_response(snapshot: Snapshot, assets: Sequence[tuple[FileEntry, bytes]] = ()) -> Stream:
    """The version as a deflated zip, produced while it is sent (its size is not known up front).
    Assets (already compressed formats) are stored as they are, byte for byte."""
    archive = ZipStream(compress_type=ZIP_DEFLATED)
    for path, content in snapshot.files.items():
        archive.add(content.encode("utf-8"), path)
    for entry, data in assets:
        archive.add(data, entry.path, compress_type=ZIP_STORED)
    filename = f"{slug(snapshot.project.name)}-v{snapshot.version}.zip"
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-cache",
    }
    return Stream(archive, media_type="application/zip", headers=headers)


@post(
    "/projects",
    status_code=201,
    summary="Create a project (empty, at version 0)",
    responses=problems(401, 413, 422),
    security=BEARER,
)
async def create_project(data: JSONBody[ProjectIn], projects: ProjectsDep, principal: Me) -> ProjectOut:
    return project_out(await projects.create(principal.user, data.name, data.description))


@get(
    "/projects",
    summary="The caller's projects, newest first",
    responses=problems(401, 422),
    security=BEARER,
)
async def list_projects(
    projects: ProjectsDep, principal: Me, limit: Limit = 20, offset: Offset = 0
) -> ProjectPage:
    page = await projects.list_projects(principal.user, limit, offset)
    return project_page_out(page)


@get(
    "/projects/{project_id:str}",
    summary="A project with the files of its current version",
    responses=problems(401, 404),
    security=OPTIONAL_BEARER,
)
async def get_project(project_id: FromPath[str], projects: ProjectsDep, reader: Reader) -> ProjectDetailOut:
    return project_detail_out(*await projects.get(reader, project_id))


@patch(
    "/projects/{project_id:str}",
    summary="Rename, describe, or publish a project (owner only)",
    responses=problems(401, 403, 404, 413, 422),
    security=BEARER,
)
async def update_project(
    project_id: FromPath[str], data: JSONBody[ProjectPatch], projects: ProjectsDep, principal: Me
) -> ProjectOut:
    visibility = Visibility(data.visibility) if data.visibility is not None else None
    project = await projects.update(
        principal.user, project_id, name=data.name, description=data.description, visibility=visibility
    )
    return project_out(project)


@delete(
    "/projects/{project_id:str}",
    status_code=204,
    summary="Delete a project with its versions",
    responses=problems(401, 403, 404),
    security=BEARER,
)
async def delete_project(
    project_id: FromPath[str], sites: SitesDep, projects: ProjectsDep, principal: Me
) -> None:
    published = await sites.slug_of(project_id)  # the site goes with the project: serve it no more
    await projects.delete(principal.user, project_id)
    await sites.forget(published)


@get(
    "/projects/{project_id:str}/files/{path:path}",
    guards=[refuse_service_workers],
    summary="The raw bytes of a file (untrusted: served sandboxed)",
    responses={200: FILE, **problems(401, 403, 404, 422)},
    security=OPTIONAL_BEARER,
)
async def read_file(
    project_id: FromPath[str],
    path: FromPath[str],
    request: Request[Any, Any, Any],
    project_files: FilesDep,
    reader: Reader,
    version: VersionQuery = None,
) -> Response[bytes]:
    etag = request.headers.get("if-none-match")
    found = await project_files.read(reader, project_id, path.removeprefix("/"), version, etag)
    return served_file(request, *found)


@get(
    "/projects/{project_id:str}/versions",
    summary="Every version, newest first",
    responses=problems(401, 404),
    security=OPTIONAL_BEARER,
)
async def list_versions(project_id: FromPath[str], projects: ProjectsDep, reader: Reader) -> VersionList:
    return VersionList(items=[version_out(v) for v in await projects.versions(reader, project_id)])


@post(
    "/projects/{project_id:str}/versions/{number:int}/restore",
    status_code=201,
    summary="A new version whose files equal version n's (or only `paths` brought back from it)",
    responses=problems(401, 403, 404, 413, 422),
    security=BEARER,
)
async def restore_version(
    project_id: FromPath[str],
    number: FromPath[int],
    projects: ProjectsDep,
    principal: Me,
    data: JSONBody[RestoreIn | None] = None,
) -> VersionOut:
    paths = data.paths if data is not None else None
    return version_out(await projects.restore(principal.user, project_id, number, paths))


@get(
    "/projects/{project_id:str}/archive",
    opt={NO_GZIP: True},
    summary="A version as a zip",
    responses={200: ZIP, **problems(401, 404, 422)},
    security=OPTIONAL_BEARER,
)
async def archive(
    project_id: FromPath[str],
    projects: ProjectsDep,
    project_files: FilesDep,
    reader: Reader,
    version: VersionQuery = None,
) -> Stream:
    snapshot = await projects.snapshot(reader, project_id, version)
    return zip_response(snapshot, await project_files.assets(reader, project_id, snapshot.version or None))


@post(
    "/projects/{project_id:str}/preview-link",
    status_code=201,
    summary="A link (valid one hour) that serves a version's files without a session",
    responses=problems(401, 404, 413, 422),
    security=OPTIONAL_BEARER,
)
async def create_preview_link(
    project_id: FromPath[str], links: Links, reader: Reader, data: JSONBody[PreviewLinkIn | None] = None
) -> PreviewLinkOut:
    link = await links.issue(reader, project_id, data.version if data else None)
    return PreviewLinkOut(url=f"/s/{link.token}/", expires_at=link.expires_at)


router = Router(
    path="/api/v1",
    route_handlers=[
        create_project,
        list_projects,
        get_project,
        update_project,
        delete_project,
        read_file,
        put_file,
        delete_file,
        list_versions,
        restore_version,
        archive,
        create_preview_link,
    ],
    dependencies={
        "principal": Provide(principal),
        "reader": Provide(current_reader),
    },
    tags=["projects"],
)
