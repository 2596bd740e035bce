"""Where a picked element is in its file (for direct edits made without the model, docs/api.md
"Pointing at the page"): ``GET /api/v1/projects/{id}/elements?path=&selector=&version=``.

The web UI edits a text in place in the preview, then changes exactly that text in the file and saves
it with ``PUT .../files/{path}?base=N``. This route tells it where the element's text is in the source,
and whether the element holds text alone: a text a script wrote, or one mixed with markup, is not in
the file as shown and is not edited this way. Offsets count UTF-16 code units, as JavaScript strings
do.
"""

from __future__ import annotations

import html
from typing import Annotated

import msgspec
from litestar import Router, get
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter

from vibe.domain.errors import InvalidInputError
from vibe.domain.selection import MAX_SELECTOR_CHARS, Selected, parse_selection
from vibe.entrypoints.http.deps import ElementsDep, FilesDep, Me, ProjectsDep, principal
from vibe.entrypoints.http.openapi import BEARER, problems

__all__ = ["ElementOut", "router"]


class ElementOut(msgspec.Struct):
    path: str
    version: int
    selector: str
    tag: str
    start: int
    end: int
    open_end: int
    close_start: int
    text_only: bool
    text: str | None  # the element's text as shown (entities decoded), when it holds text alone


def _utf16(source: str, offset: int) -> int:
    return len(source[:offset].encode("utf-16-le")) // 2


@get(
    "/projects/{project_id:str}/elements",
    summary="Where the one element a selector matches is in a file's source (for direct edits)",
    responses=problems(401, 404, 422),
)
async def locate_element(
    project_id: FromPath[str],
    projects: ProjectsDep,
    project_files: FilesDep,
    elements: ElementsDep,
    principal: Me,
    path: Annotated[str, QueryParameter(max_length=1024)],
    selector: Annotated[str, QueryParameter(max_length=MAX_SELECTOR_CHARS)],
    version: Annotated[int | None, QueryParameter(ge=1, schema_extra={"minimum": 1})] = None,
) -> ElementOut:
    [pick] = parse_selection([Selected(path=path, selector=selector)])
    number = await projects.readable_version(principal.user, project_id, version)
    entry, data = await project_files.read(principal.user, project_id, pick.path, number)
    assert data is not None
    source = data.decode("utf-8", errors="replace")
    spans = elements.find(source, pick.selector)
    if len(spans) != 1:
        raise InvalidInputError(
            f"'{pick.selector[:200]}' matches {len(spans)} elements of {pick.path} in version {number}; "
            "it must match exactly one.",
            field="selector",
        )
    span = spans[0]
    inner = source[span.open_end : span.close_start]
    return ElementOut(
        path=entry.path,
        version=number,
        selector=pick.selector,
        tag=span.tag,
        start=_utf16(source, span.start),
        end=_utf16(source, span.end),
        open_end=_utf16(source, span.open_end),
        close_start=_utf16(source, span.close_start),
        text_only=span.text_only,
        text=html.unescape(inner) if span.text_only else None,
    )


router = Router(
    path="/api/v1",
    route_handlers=[locate_element],
    dependencies={"principal": Provide(principal)},
    tags=["projects"],
    security=BEARER,
)
