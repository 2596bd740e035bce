"""How generated files go out: the sandbox headers, the service-worker guard, and the version query.

Generated code is hostile. Every response that serves its bytes (the preview, the capability links,
the API's raw-file route) goes out through ``untrusted_file``: a ``sandbox`` CSP without
``allow-same-origin`` gives the page an opaque origin, so it can read neither the app's cookies nor
its storage, and its requests to the API carry no session.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import QueryParameter

from vibe.domain.errors import PermissionDeniedError
from vibe.domain.projects import FileEntry

__all__ = ["VersionQuery", "file_path", "refuse_service_workers", "untrusted_file"]

UNTRUSTED_HEADERS = {
    "Content-Security-Policy": "sandbox allow-scripts allow-forms allow-modals allow-popups",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-cache",
}
VersionQuery = Annotated[
    int | None,
    # schema_extra: Litestar drops `ge` from the documented schema of an optional int
    QueryParameter(
        ge=0, schema_extra={"minimum": 0}, description="A version number; the current one when absent."
    ),
]


def untrusted_file(entry: FileEntry, data: bytes) -> Response[bytes]:
    """The file's bytes with its exact content type (Litestar would append a second charset to a
    ``text/*`` media type, so the header is set whole) and the sandbox headers."""
    headers = {"Content-Type": entry.content_type, **UNTRUSTED_HEADERS}
    return Response(data, media_type=entry.content_type, headers=headers)


def file_path(path: str) -> str:
    """The project path of a ``{path:path}`` parameter (Litestar keeps its leading slash and drops a
    trailing one); none at all means ``index.html``."""
    return path.removeprefix("/") or "index.html"


def refuse_service_workers(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a generated file must never become a service worker of the app's origin."""
    if connection.headers.get("service-worker", "").strip().lower() == "script":
        raise PermissionDeniedError("Generated files cannot be installed as service workers.")
