"""The web UI: the single page at ``/`` (and its client-side routes) and the static files it loads.

The files ship inside the package (``static/``), plain ES modules and CSS with no build step. Their URLs
carry a digest of the whole tree (``/static/<build>/...``), filled into ``index.html`` when it is
served; modules import each other relatively, so every file of one build has the same prefix and may
be cached for good. The page itself is never cached, so a new install is picked up on the next load.

The app's own pages carry a strict CSP (no inline script or style, nothing from another origin,
never framed). Generated previews are served elsewhere (``preview.py``) with their sandbox CSP; none of
these headers are added to them.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import msgspec
from litestar import Request, Response, Router, get
from litestar.params import FromPath

from vibe.domain.errors import NotFoundError

__all__ = ["bundle", "router"]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)
APP_PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}
BUILD_MARK = "__BUILD__"
FOREVER = "public, max-age=31536000, immutable"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
}


class Asset(msgspec.Struct, frozen=True):
    body: bytes
    content_type: str
    etag: str


class Bundle(msgspec.Struct, frozen=True):
    """Every static file by its path under ``static/``, the build digest and the rendered page."""

    build: str
    assets: dict[str, Asset]
    page: bytes


def _walk(folder: Traversable, prefix: str = "") -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "__")):
            continue
        if entry.is_dir():
            found |= _walk(entry, f"{prefix}{entry.name}/")
        elif "." + entry.name.rpartition(".")[2] in CONTENT_TYPES:
            found[prefix + entry.name] = entry.read_bytes()
    return found


@functools.cache
def bundle() -> Bundle:
    """The static tree, read once per process (it does not change while the package is installed)."""
    files = _walk(resources.files("vibe.entrypoints.http").joinpath("static"))
    digest = hashlib.sha256()
    for path, body in files.items():
        digest.update(b"%s\0%d\0%s" % (path.encode(), len(body), body))
    build = digest.hexdigest()[:16]
    assets = {
        path: Asset(
            body=body,
            content_type=CONTENT_TYPES["." + path.rpartition(".")[2]],
            etag=f'W/"{hashlib.sha256(body).hexdigest()[:24]}"',
        )
        for path, body in files.items()
    }
    page = files["index.html"].replace(BUILD_MARK.encode(), build.encode())
    return Bundle(build=build, assets=assets, page=page)


@get(
    ["/", "/signin", "/register", "/app", "/app/{route:path}", "/admin", "/p/{project:str}"],
    include_in_schema=False,
)
async def page() -> Response[bytes]:
    """The single page; the script shows the view the path names."""
    headers = {"Content-Type": CONTENT_TYPES[".html"], **APP_PAGE_HEADERS}
    return Response(bundle().page, media_type=CONTENT_TYPES[".html"], headers=headers)


@get("/static/{build:str}/{path:path}", include_in_schema=False)
async def static_file(
    build: FromPath[str], path: FromPath[str], request: Request[Any, Any, Any]
) -> Response[bytes]:
    """A file of the UI: cached for good under the current build's prefix, revalidated otherwise."""
    current = bundle()
    asset = current.assets.get(path.removeprefix("/"))
    if asset is None:
        raise NotFoundError("No such file.")
    headers = {
        "ETag": asset.etag,
        "Cache-Control": FOREVER if build == current.build else "no-cache",
        "Content-Type": asset.content_type,
    }
    if request.headers.get("if-none-match") == asset.etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.content_type, headers=headers)


router = Router(path="/", route_handlers=[page, static_file], tags=["web"])
