"""Versions you can read (docs/api.md): the diff between two versions, and forking a project.

Handlers stay thin; the access rules are the ``Projects`` service's (anyone who may read a project may
compare its versions and fork it; someone else's private project is 404).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Router, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from vibe.entrypoints.http.deps import HistoryDep, Me, Reader, current_reader, principal
from vibe.entrypoints.http.openapi import BEARER, OPTIONAL_BEARER, problems
from vibe.entrypoints.http.project_schemas import ProjectOut, project_out

__all__ = ["router"]

# schema_extra: Litestar drops `ge` from the documented schema of an optional int
VersionNumber = Annotated[
    int | None,
    QueryParameter(
        ge=0, le=2**31, schema_extra={"minimum": 0}, description="A version number; 0 is the empty project."
    ),
]


class FileChangeOut(msgspec.Struct):
    path: str
    status: Literal["added", "removed", "modified"]
    additions: int
    deletions: int
    patch: str | None
    old_size: int | None
    size: int | None


class DiffOut(msgspec.Struct):
    from_version: int = msgspec.field(name="from")
    to_version: int = msgspec.field(name="to")
    files: list[FileChangeOut] = msgspec.field(default_factory=list)


class ForkIn(msgspec.Struct):
    version: Annotated[int, msgspec.Meta(ge=1, le=2**31)] | None = None
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None


@get(
    "/projects/{project_id:str}/diff",
    summary="What changed from version `from` to version `to` (0: the empty project)",
    responses=problems(401, 404, 422),
    security=OPTIONAL_BEARER,
)
async def diff(
    project_id: FromPath[str],
    history: HistoryDep,
    reader: Reader,
    from_: Annotated[
        int | None, QueryParameter(name="from", ge=0, le=2**31, schema_extra={"minimum": 0})
    ] = None,
    to: VersionNumber = None,
) -> DiffOut:
    found = await history.diff(reader, project_id, from_, to)
    files = [
        FileChangeOut(
            path=c.path,
            status=c.status.value,
            additions=c.additions,
            deletions=c.deletions,
            patch=c.patch,
            old_size=c.old_size,
            size=c.size,
        )
        for c in found.files
    ]
    return DiffOut(from_version=found.from_version, to_version=found.to_version, files=files)


@post(
    "/projects/{project_id:str}/fork",
    status_code=201,
    summary="A new project of the caller from a version (default: current) of a project they may read",
    responses=problems(401, 404, 413, 422),
    security=BEARER,
)
async def fork(
    project_id: FromPath[str], history: HistoryDep, principal: Me, data: JSONBody[ForkIn | None] = None
) -> ProjectOut:
    body = data or ForkIn()
    return project_out(await history.fork(principal.user, project_id, body.version, body.name))


router = Router(
    path="/api/v1",
    route_handlers=[diff, fork],
    dependencies={"principal": Provide(principal), "reader": Provide(current_reader)},
    tags=["projects"],
)
