"""Published sites, served before anything else sees the request: the app's entry point
(``middleware.VibeLitestar``) first asks ``SiteServer.answer``, which answers every request whose
``Host`` lies in the sites domain, and never lets one through.

A site host gets its files and nothing else: no app route, no API, no cookie, no CORS grant. Its
origin is its own (``<slug>.<sites domain>``), and its CSP keeps it there: nothing it loads, fetches,
frames or posts to may be anywhere but itself, and only itself may frame it. So the generated code,
still untrusted, can neither reach the app (which may share the registrable domain, where browsers
send same-site cookies) nor be framed by it.

Every other host passes straight on to the app, at the cost of one scan of the header list.

Serving touches no database per request: the site's file table comes from the read cache (invalidated
across processes on republish), and a file's bytes, which never change for a digest, from a bounded
in-process store, with their gzip made once.
"""

from __future__ import annotations

import logging
import re
import time
import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from vibe.application.sites import Sites
from vibe.domain.errors import InvalidInputError, UnavailableError
from vibe.domain.projects import FileEntry, ProjectPath
from vibe.domain.sites import SiteTable, slug_of_host
from vibe.entrypoints.http.access_log import AccessLog
from vibe.entrypoints.http.middleware import record, request_id_of
from vibe.entrypoints.http.request_metrics import RequestMetrics

__all__ = ["CSP", "SiteServer", "cache_control_for"]

log = logging.getLogger("vibe.sites")
Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]

CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; "
    b"connect-src 'self'; worker-src 'self' blob:; frame-src 'self'; manifest-src 'self'; "
    b"form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'self'"
)
_COMMON = [
    (b"content-security-policy", CSP),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
IMMUTABLE = b"public, max-age=31536000, immutable"
SHORT = b"public, max-age=60, must-revalidate"
NOT_FOUND_CACHE = b"public, max-age=10"
# A name with a content hash in it (app.3f9a1c2b.js, index-BqfY3zkp.css): the digest changes with it.
_HASHED = re.compile(r"[.-](?=[A-Za-z0-9_]*[0-9])(?=[A-Za-z0-9_]*[A-Za-z])[A-Za-z0-9_]{8,64}\.[A-Za-z0-9]+$")
_ZIPPED_TYPES = (b"text/", b"application/json", b"application/xml", b"image/svg", b"application/manifest")
MIN_GZIP_BYTES = 1024
KEPT_BYTES = 64 * 1024 * 1024  # file bytes kept per process, their gzip included

_NO_SITE = (
    b"<!doctype html><meta charset=utf-8><title>Not found</title>"
    b"<p style='font:16px system-ui;margin:3rem'>There is nothing here.</p>"
)
_NO_SUCH_FILE = _NO_SITE


def cache_control_for(path: str) -> bytes:
    """Hashed names are cached for a year; HTML and everything else only briefly (a republish must
    show soon), and revalidated with their ETag."""
    if not path.endswith((".html", ".htm")) and _HASHED.search(path):
        return IMMUTABLE
    return SHORT


class _Body:
    __slots__ = ("gzipped", "raw")

    def __init__(self, raw: bytes, compress: bool) -> None:
        self.raw = raw
        self.gzipped = _gzip(raw) if compress and len(raw) >= MIN_GZIP_BYTES else None


def _gzip(data: bytes) -> bytes | None:
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    packed = packer.compress(data) + packer.flush()
    return packed if len(packed) < len(data) else None


class SiteServer:
    def __init__(
        self,
        sites: Sites,
        domain: str,
        *,
        access_log: AccessLog | None = None,
        metrics: RequestMetrics | None = None,
        kept_bytes: int = KEPT_BYTES,
    ) -> None:
        self.sites = sites
        self.domain = (domain.rpartition(":")[0] if ":" in domain else domain).encode("ascii")
        self.access_log = access_log
        self.metrics = metrics
        self._bodies: OrderedDict[tuple[str, str], _Body] = OrderedDict()
        self._kept = 0
        self._kept_max = kept_bytes

    async def answer(self, scope: Any, receive: Any, send: Any) -> bool:
        """Answer the request if its ``Host`` lies in the sites domain (True); else leave it (False)."""
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            return False
        host = if_none_match = request_id = None
        gzip = False
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"accept-encoding":
                gzip = b"gzip" in value
            elif name == b"x-request-id":
                request_id = value
        slug = slug_of_host(host, self.domain) if host is not None else None
        if slug is None:
            return False
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return True
        started = time.perf_counter()
        text_id, raw_id = request_id_of(request_id)
        status = await self._serve(scope, send, slug, if_none_match, gzip, raw_id)
        seconds = time.perf_counter() - started
        record(scope, status, seconds, text_id, "site", self.access_log, self.metrics)
        return True

    async def _serve(
        self, scope: Any, send: Send, slug: str, if_none_match: bytes | None, gzip: bool, request_id: bytes
    ) -> int:
        head = scope["method"] == "HEAD"
        extra = [(b"x-request-id", request_id)]
        if scope["method"] not in ("GET", "HEAD"):
            extra.append((b"allow", b"GET, HEAD"))
            return await _plain(send, 405, b"Method not allowed.", extra, head)
        try:
            table = await self.sites.table(slug) if slug else None
            if table is None:
                return await _page(send, 404, _NO_SITE, extra, head)
            found = _lookup(table, scope["path"])
            if isinstance(found, str):
                extra.append((b"location", quote(found).encode("ascii")))
                return await _plain(send, 308, b"Moved.", extra, head)
            if found is None:
                return await self._not_found(send, table, gzip, extra, head)
            return await self._file(send, table, found, 200, if_none_match, gzip, extra, head)
        except UnavailableError:
            extra.append((b"retry-after", b"5"))
            return await _plain(send, 503, b"The site is unavailable; try again shortly.", extra, head)
        except Exception:
            log.exception("serving a site failed (request %s)", request_id.decode())
            return await _plain(send, 500, b"An unexpected error occurred.", extra, head)

    async def _not_found(
        self, send: Send, table: SiteTable, gzip: bool, extra: list[tuple[bytes, bytes]], head: bool
    ) -> int:
        custom = table.files.get("404.html")
        if custom is None:
            return await _page(send, 404, _NO_SUCH_FILE, extra, head)
        return await self._file(send, table, custom, 404, None, gzip, extra, head)

    async def _file(
        self,
        send: Send,
        table: SiteTable,
        entry: FileEntry,
        status: int,
        if_none_match: bytes | None,
        gzip: bool,
        extra: list[tuple[bytes, bytes]],
        head: bool,
    ) -> int:
        etag = f'"{entry.sha256[:32]}"'.encode("ascii")
        content_type = entry.content_type.encode("latin-1")
        compressible = content_type.startswith(_ZIPPED_TYPES)
        headers = [
            *_COMMON,
            *extra,
            (b"etag", etag),
            (b"cache-control", cache_control_for(entry.path) if status == 200 else NOT_FOUND_CACHE),
        ]
        if compressible:
            headers.append((b"vary", b"Accept-Encoding"))
        if status == 200 and if_none_match is not None and _matches(if_none_match, etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return 304
        body = await self._body(table, entry, compressible)
        data = body.raw
        if gzip and body.gzipped is not None:
            data = body.gzipped
            headers.append((b"content-encoding", b"gzip"))
        headers += [(b"content-type", content_type), (b"content-length", str(len(data)).encode("ascii"))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else data})
        return status

    async def _body(self, table: SiteTable, entry: FileEntry, compressible: bool) -> _Body:
        key = (table.project_id, entry.sha256)
        body = self._bodies.get(key)
        if body is not None:
            self._bodies.move_to_end(key)
            return body
        raw = await self.sites.content(table, entry.path)
        if raw is None:  # the project went away under a cached table
            raise UnavailableError("The site changed; try again.")
        body = _Body(raw, compressible)
        size = len(raw) + len(body.gzipped or b"")
        if size <= self._kept_max // 8:
            self._bodies[key] = body
            self._kept += size
            while self._kept > self._kept_max:
                _, dropped = self._bodies.popitem(last=False)
                self._kept -= len(dropped.raw) + len(dropped.gzipped or b"")
        return body


def _lookup(table: SiteTable, raw_path: str) -> FileEntry | str | None:
    """The file a request path names (``/`` and ``dir/`` name their ``index.html``; ``/about`` may
    name ``about.html``), a path to redirect to (``/dir`` -> ``/dir/`` when that holds an index), or
    None."""
    path = raw_path.lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    try:
        path = ProjectPath.parse(path)
    except InvalidInputError:
        if "." not in path.rsplit("/", 1)[-1]:
            return _extensionless(table, raw_path, path)
        return None
    return table.files.get(path)


def _extensionless(table: SiteTable, raw_path: str, path: str) -> FileEntry | str | None:
    try:
        if ProjectPath.parse(path + "/index.html") in table.files:
            return raw_path + "/"
        return table.files.get(ProjectPath.parse(path + ".html"))
    except InvalidInputError:
        return None


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    if if_none_match.strip() == b"*":
        return True
    return any(tag.strip().removeprefix(b"W/") == etag for tag in if_none_match.split(b","))


async def _page(send: Send, status: int, html: bytes, extra: list[tuple[bytes, bytes]], head: bool) -> int:
    headers = [
        *_COMMON,
        *extra,
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(html)).encode("ascii")),
        (b"cache-control", NOT_FOUND_CACHE),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else html})
    return status


async def _plain(send: Send, status: int, text: bytes, extra: list[tuple[bytes, bytes]], head: bool) -> int:
    headers = [
        *_COMMON,
        *extra,
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(text)).encode("ascii")),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else text})
    return status
