"""Request and response bodies of the projects, preview-link and cookie-session routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from vibe.domain.ports import Page
from vibe.domain.projects import FileEntry, Project, Version

__all__ = [
    "PreviewLinkIn",
    "PreviewLinkOut",
    "ProjectDetailOut",
    "ProjectIn",
    "ProjectOut",
    "ProjectPage",
    "ProjectPatch",
    "VersionList",
    "VersionOut",
    "project_detail_out",
    "project_out",
    "project_page_out",
    "version_out",
]

# Loose outer bounds only; the domain rules give the precise, friendly errors.
NameIn = Annotated[str, Meta(max_length=1000, examples=["My portfolio"])]
DescriptionIn = Annotated[str, Meta(max_length=10_000)]
# extra_json_schema: Litestar drops `ge` from the documented schema of an optional int
VersionNumber = Annotated[int, Meta(ge=0, extra_json_schema={"extra": {"minimum": 0}})]


class ProjectIn(msgspec.Struct):
    name: NameIn
    description: DescriptionIn = ""


class ProjectPatch(msgspec.Struct):
    name: NameIn | None = None
    description: DescriptionIn | None = None
    visibility: Literal["private", "public"] | None = None


class PreviewLinkIn(msgspec.Struct):
    version: VersionNumber | None = None


class ProjectOut(msgspec.Struct):
    id: str
    name: str
    description: str
    visibility: Literal["private", "public"]
    current_version: int
    created_at: datetime
    updated_at: datetime


class FileOut(msgspec.Struct):
    path: str
    size: int


class ProjectDetailOut(ProjectOut):
    files: list[FileOut]


class ProjectPage(msgspec.Struct):
    items: list[ProjectOut]
    total: int


class VersionOut(msgspec.Struct):
    number: int
    generation_id: str | None
    created_at: datetime
    summary: str


class RestoreIn(msgspec.Struct):
    """Only these files are brought back from the version (removed when it does not hold them)."""

    paths: Annotated[list[str], msgspec.Meta(min_length=1, max_length=100)] | None = None


class VersionList(msgspec.Struct):
    items: list[VersionOut]


class PreviewLinkOut(msgspec.Struct):
    url: str
    expires_at: datetime


def project_out(project: Project) -> ProjectOut:
    return ProjectOut(
        id=project.id,
        name=project.name,
        description=project.description,
        visibility=project.visibility.value,
        current_version=project.current_version,
        created_at=project.created_at,
        updated_at=project.updated_at,
    )


# The projects converted lately, by the identity of the domain value: the read cache hands out the same
# Project objects while its entry for the owner's list lives, so a busy list's projects are converted
# once, not on every request (20 projects: about a tenth of the request's CPU in-process). The project
# is held beside its conversion, so its id cannot be reused while it is here; both are frozen in
# practice (nothing mutates either).
_PROJECTS_KEPT = 4096
_converted: dict[int, tuple[Project, ProjectOut]] = {}


def project_page_out(page: Page[Project]) -> ProjectPage:
    items = []
    for project in page.items:
        kept = _converted.get(id(project))
        if kept is None or kept[0] is not project:
            kept = project, project_out(project)
            if len(_converted) >= _PROJECTS_KEPT:
                del _converted[next(iter(_converted))]  # the oldest
            _converted[id(project)] = kept
        items.append(kept[1])
    return ProjectPage(items=items, total=page.total)


def project_detail_out(project: Project, files: list[FileEntry]) -> ProjectDetailOut:
    return ProjectDetailOut(
        **msgspec.structs.asdict(project_out(project)),
        files=[FileOut(path=f.path, size=f.size) for f in files],
    )


def version_out(version: Version) -> VersionOut:
    return VersionOut(
        number=version.number,
        generation_id=version.generation_id,
        created_at=version.created_at,
        summary=version.summary,
    )
