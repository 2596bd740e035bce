"""Uploading and deleting single files (docs/api.md, "Files you bring"), and serving a file by ETag.

``PUT /api/v1/projects/{id}/files/{path}`` takes the raw bytes (an image, a font, or a text file the
UI edited) with their media type; ``DELETE`` removes a file. Each answers 201 with the new version.
The body is read as a stream and refused with 413 as soon as it passes the limit, so a huge upload is
never held whole. Served files carry their SHA-256 as ETag: a revalidation costs no bytes (``304``).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, delete, put
from litestar.params import FromPath, QueryParameter

from vibe.domain.errors import TooLargeError
from vibe.domain.projects import MAX_FILE_BYTES, FileEntry
from vibe.entrypoints.http.deps import FilesDep, Me
from vibe.entrypoints.http.openapi import BEARER, problems
from vibe.entrypoints.http.project_schemas import VersionOut, version_out
from vibe.entrypoints.http.untrusted import revalidated

__all__ = ["delete_file", "put_file", "read_body", "served_file"]

BaseQuery = Annotated[
    int | None,
    QueryParameter(
        ge=0,
        schema_extra={"minimum": 0},
        description="The version this change was made on: refused with 409 when it is no longer current.",
    ),
]
# Litestar's own cap on these routes; the configured limits (at most this) are checked while reading.
_HARD_LIMIT = 64 * 1024 * 1024 + 1


async def read_body(request: Request[Any, Any, Any], limit: int) -> bytes:
    """The request body, refused (413) the moment it passes ``limit`` bytes."""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        raise TooLargeError(
            f"The upload is {announced} bytes; at most {limit} bytes are allowed (VIBE_MAX_ASSET_BYTES)."
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLargeError(f"The upload is larger than {limit} bytes (VIBE_MAX_ASSET_BYTES).")
    return bytes(body)


def served_file(request: Request[Any, Any, Any], entry: FileEntry, data: bytes | None) -> Response[bytes]:
    """The file sandboxed with its ETag; ``304`` when the client has it (see ``revalidated``)."""
    return revalidated(request, entry, data)


@put(
    "/projects/{project_id:str}/files/{path:path}",
    status_code=201,
    request_max_body_size=_HARD_LIMIT,
    summary="Add or replace one file (raw body; an image, a font or a text file): a new version",
    description=(
        "The body is the file's bytes and `Content-Type` its media type. Images (png, jpg, jpeg, gif, "
        "webp, avif, ico) and fonts (woff, woff2) must be what their extension says (else 415) and at "
        "most VIBE_MAX_ASSET_BYTES; all files of a version at most VIBE_MAX_PROJECT_BYTES (else 413)."
    ),
    responses=problems(401, 403, 404, 409, 413, 415, 422),
    security=BEARER,
)
async def put_file(
    project_id: FromPath[str],
    path: FromPath[str],
    request: Request[Any, Any, Any],
    project_files: FilesDep,
    principal: Me,
    base: BaseQuery = None,
) -> VersionOut:
    files = project_files
    data = await read_body(request, max(files.max_asset_bytes, MAX_FILE_BYTES))
    declared = request.headers.get("content-type")
    version = await files.put(principal.user, project_id, path.removeprefix("/"), data, declared, base)
    return version_out(version)


@delete(
    "/projects/{project_id:str}/files/{path:path}",
    status_code=201,
    summary="Remove one file: a new version without it",
    responses=problems(401, 403, 404, 409, 422),
    security=BEARER,
)
async def delete_file(
    project_id: FromPath[str],
    path: FromPath[str],
    project_files: FilesDep,
    principal: Me,
    base: BaseQuery = None,
) -> VersionOut:
    return version_out(await project_files.delete(principal.user, project_id, path.removeprefix("/"), base))
