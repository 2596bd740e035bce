"""Serving generated files (CONTRACT §2 "Preview and sharing"): the preview and the capability links.

Generated code is hostile. Every response here, and the API's raw-file route, goes out through
``untrusted_file``: a ``sandbox`` CSP without ``allow-same-origin`` gives the page an opaque origin,
so it can read neither the app's cookies nor its storage, and its requests to the API carry no
session. The middleware withholds CORS on these paths (``UNTRUSTED_PATHS`` in app.py), no handler
here sets a cookie, and a request to install one of these files as a service worker is refused.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Request, Response, Router, get
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, QueryParameter

from vibe.application.preview_links import PreviewLinks
from vibe.bootstrap import Vibe
from vibe.domain.errors import AuthenticationError, PermissionDeniedError
from vibe.domain.projects import FileEntry
from vibe.domain.users import User
from vibe.entrypoints.http.deps import optional_principal
from vibe.entrypoints.http.openapi import FILE, OPTIONAL_BEARER, problems

__all__ = [
    "UNTRUSTED_HEADERS",
    "VersionQuery",
    "file_path",
    "preview_links",
    "refuse_service_workers",
    "revalidated",
    "router",
    "untrusted_file",
]

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
App = NamedDependency[Vibe]
Links = NamedDependency[PreviewLinks]
Viewer = NamedDependency[User | None]


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


def preview_links(vibe: App) -> PreviewLinks:
    return vibe.container.preview_links()


async def current_viewer(request: Request[Any, Any, Any], vibe: App) -> User | None:
    """The signed-in owner or nobody. Stale or bad credentials count as nobody: a page load cannot
    answer a 401 by refreshing, and a public page must not vanish behind an expired cookie."""
    try:
        caller = await optional_principal(request, vibe)
    except AuthenticationError:
        return None
    return caller.user if caller else None


@get(
    ["/preview/{project_id:str}", "/preview/{project_id:str}/{path:path}"],
    summary="A generated file: the owner's (cookie or token), or anyone's when the project is public",
    responses={200: FILE, **problems(403, 404, 422)},
    security=OPTIONAL_BEARER,
)
async def preview(
    project_id: FromPath[str],
    request: Request[Any, Any, Any],
    vibe: App,
    viewer: Viewer,
    path: FromPath[str] = "/",
    version: VersionQuery = None,
) -> Response[bytes]:
    etag = request.headers.get("if-none-match")
    entry, data = await vibe.project_files.read(viewer, project_id, file_path(path), version, etag)
    return revalidated(request, entry, data)


@get(
    ["/s/{token:str}", "/s/{token:str}/{path:path}"],
    summary="A file of the version a preview link names",
    responses={200: FILE, **problems(403, 404)},
)
async def shared(
    token: FromPath[str], request: Request[Any, Any, Any], links: Links, path: FromPath[str] = "/"
) -> Response[bytes]:
    entry, data = await links.read_file(token, file_path(path))
    return revalidated(request, entry, data)


router = Router(
    path="/",
    route_handlers=[preview, shared],
    dependencies={
        "viewer": Provide(current_viewer),
        "links": Provide(preview_links, sync_to_thread=False),
    },
    guards=[refuse_service_workers],
    tags=["preview"],
)
