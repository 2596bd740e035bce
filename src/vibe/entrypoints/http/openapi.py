"""What the OpenAPI document says that the handlers' signatures cannot: the errors each route may answer
(all ``application/problem+json``), the bearer scheme, and the exact media types of the routes that do
not answer JSON (raw files, the zip archive, the event stream). The document is served raw, at
``/api/schema/openapi.json``: no viewer, for Litestar's load their scripts from a CDN.

Routes pass ``responses=problems(401, 404, ...)``; Schemathesis holds the document to it
(tests/integration/test_openapi.py).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, Router
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Components, SecurityRequirement, SecurityScheme
from msgspec import Meta

from vibe.domain.projects import CONTENT_TYPES
from vibe.entrypoints.http.problems import PROBLEM_JSON, Problem

SCHEMA_PATH = "/api/schema"
_NOT_FOUND = msgspec.json.encode(
    Problem(title="Not Found", status=404, detail=f"The OpenAPI document is {SCHEMA_PATH}/openapi.json.")
)

__all__ = [
    "BEARER",
    "COMPONENTS",
    "EVENT_STREAM",
    "FILE",
    "OPTIONAL_BEARER",
    "SCHEMA_PATH",
    "ZIP",
    "problems",
    "schema_router",
]

BEARER: list[SecurityRequirement] = [{"bearer": []}]
OPTIONAL_BEARER: list[SecurityRequirement] = [{"bearer": []}, {}]  # public projects need none
COMPONENTS = Components(
    security_schemes={
        "bearer": SecurityScheme(
            type="http",
            scheme="bearer",
            bearer_format="JWT",
            description="The access_token of POST /api/v1/auth/login (the web UI sends a cookie instead).",
        )
    }
)

# Statuses any route that reaches the store may answer: a malformed request, a crash (logged, with
# the request id), the database or Redis away.
_ALWAYS = (400, 500, 503)


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """``responses=`` for a route: each of ``statuses`` (and 400, 500, 503) as problem+json."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description=HTTPStatus(status).phrase,
            generate_examples=False,
        )
        for status in sorted({*statuses, *_ALWAYS})
    }


FILE = ResponseSpec(
    data_container=bytes,
    media_type="*/*",
    description=(
        "The file's bytes, served sandboxed with its exact content type: "
        + ", ".join(sorted(set(CONTENT_TYPES.values())))
    ),
    generate_examples=False,
)
ZIP = ResponseSpec(
    data_container=bytes,
    media_type="application/zip",
    description="The version's files as a zip archive (streamed; Content-Disposition names it).",
    generate_examples=False,
)


class StreamEvent(msgspec.Struct):
    """One event of a session's stream, as an EventSource parses it (the schema of each event)."""

    id: Annotated[str, Meta(pattern="^[1-9][0-9]*$", description="1, 2, 3... within the session")]
    event: Literal[
        "status",
        "text",
        "file_start",
        "file_delta",
        "file_end",
        "file_edit",
        "usage",
        "restart",
        "done",
        "error",
    ]
    data: Annotated[str, Meta(description="The event's data: one line of JSON (docs/api.md)")]


EVENT_STREAM = ResponseSpec(
    data_container=StreamEvent,
    media_type="text/event-stream",
    description=(
        "Server-sent events: each has `id:` (1, 2, 3... within the session), `event:` (status, text, "
        "file_start, file_delta, file_end, file_edit, usage, restart, done or error) and a JSON `data:` "
        "line; "
        "comment lines keep an idle stream alive. Send Last-Event-ID: N to resume after event N."
    ),
    generate_examples=False,
)


def _problem_for_not_found(response: Response[Any]) -> Response[Any]:
    """Litestar answers an unknown path under the schema with an HTML page; make it a problem."""
    if response.status_code == 404:
        return Response(_NOT_FOUND, status_code=404, media_type=PROBLEM_JSON)
    return response


def schema_router() -> Router:
    """The router Litestar puts the schema's routes on."""
    return Router(
        SCHEMA_PATH, route_handlers=[], include_in_schema=False, after_request=_problem_for_not_found
    )
