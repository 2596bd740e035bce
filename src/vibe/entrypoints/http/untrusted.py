"""How generated files go out: the sandbox headers, the service-worker guard, and the version query.

Generated code is hostile. Every response that serves its bytes (the preview, the capability links,
the API's raw-file route) goes out through ``untrusted_file``: a ``sandbox`` CSP without
``allow-same-origin`` gives the page an opaque origin, so it can read neither the app's cookies nor
its storage, and its requests to the API carry no session.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import QueryParameter

from vibe.domain.errors import PermissionDeniedError
from vibe.domain.projects import FileEntry

__all__ = ["VersionQuery", "file_path", "refuse_service_workers", "revalidated", "untrusted_file"]

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


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def revalidated(request: Request[Any, Any, Any], entry: FileEntry, data: bytes | None) -> Response[bytes]:
    """``untrusted_file`` with the file's ETag (its SHA-256): ``304`` when the client holds this
    content (``data`` is None when the caller already knew and read no bytes), and one byte range
    of an asset (``206``) when asked for one."""
    tag = f'"{entry.sha256}"'
    asked = {t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")}
    if data is None or tag in asked:
        return Response(b"", status_code=304, headers={**UNTRUSTED_HEADERS, "ETag": tag})
    response = untrusted_file(entry, data)
    response.headers["ETag"] = tag
    if entry.is_asset:
        response.headers["Accept-Ranges"] = "bytes"
        wanted = request.headers.get("range")
        if wanted and request.headers.get("if-range", tag) == tag:
            return _ranged(entry, data, wanted, tag) or response
    return response


def _ranged(entry: FileEntry, data: bytes, wanted: str, tag: str) -> Response[bytes] | None:
    """One satisfiable byte range as ``206``, an unsatisfiable one as ``416``; None (serve the
    whole file) for anything else, as RFC 9110 allows (several ranges, another unit)."""
    match = _RANGE.match(wanted.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    size = len(data)
    if match.group(1):
        start = int(match.group(1))
        end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
    else:  # a suffix: the last N bytes
        start, end = max(0, size - int(match.group(2))), size - 1
    headers = {"Content-Type": entry.content_type, **UNTRUSTED_HEADERS, "ETag": tag, "Accept-Ranges": "bytes"}
    if start >= size or start > end:
        return Response(b"", status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return Response(data[start : end + 1], status_code=206, media_type=entry.content_type, headers=headers)


def file_path(path: str) -> str:
    """The project path of a ``{path:path}`` parameter (Litestar keeps its leading slash and drops a
    trailing one); none at all means ``index.html``."""
    return path.removeprefix("/") or "index.html"


def refuse_service_workers(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a generated file must never become a service worker of the app's origin."""
    if connection.headers.get("service-worker", "").strip().lower() == "script":
        raise PermissionDeniedError("Generated files cannot be installed as service workers.")
