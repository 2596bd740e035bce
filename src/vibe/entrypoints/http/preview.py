"""Serving generated files (docs/api.md, "Preview and sharing"): the preview and the capability links.

Generated code is hostile. Every response here, and the API's raw-file route, goes out through
``untrusted_file`` (``untrusted.py``). The middleware withholds CORS on these paths
(``UNTRUSTED_PATHS`` in app.py), no handler here sets a cookie, and a request to install one of these
files as a service worker is refused.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get
from litestar.di import Provide
from litestar.params import FromPath

from vibe.entrypoints.http.deps import FilesDep, Links, Viewer, current_viewer
from vibe.entrypoints.http.openapi import FILE, OPTIONAL_BEARER, problems
from vibe.entrypoints.http.untrusted import VersionQuery, file_path, refuse_service_workers, revalidated

__all__ = ["router"]


@get(
    ["/preview/{project_id:str}", "/preview/{project_id:str}/{path:path}"],
    summary="A generated file: the owner's (cookie or token), or anyone's when the project is public",
    responses={200: FILE, **problems(403, 404, 422)},
    security=OPTIONAL_BEARER,
)
async def preview(
    project_id: FromPath[str],
    request: Request[Any, Any, Any],
    project_files: FilesDep,
    viewer: Viewer,
    path: FromPath[str] = "/",
    version: VersionQuery = None,
) -> Response[bytes]:
    etag = request.headers.get("if-none-match")
    entry, data = await project_files.read(viewer, project_id, file_path(path), version, etag)
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
    },
    guards=[refuse_service_workers],
    tags=["preview"],
)
