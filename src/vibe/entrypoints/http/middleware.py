"""The outermost layer of every HTTP exchange: request id, baseline headers, CORS and the access log.

It wraps the whole Litestar handler (``app.asgi_handler``) rather than sitting in Litestar's middleware
list, because Litestar runs that list only for matched routes: a 404 or 405 would miss it.

CORS is done here instead of with Litestar's CORSConfig for two reasons: responses that serve
generated code must never carry a CORS grant whatever the configuration, and a refused preflight must
still be problem+json rather than a plain-text 400.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)

__all__ = ["NO_GZIP", "REQUEST_ID_HEADER", "RequestContextMiddleware", "current_request_id"]

NO_GZIP = "no_gzip"  # route opt: never compress (event streams, zips); here so handlers need not import app
REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_request_id: ContextVar[str | None] = ContextVar("vibe_request_id", default=None)
access_log = logging.getLogger("vibe.access")

_CORS_METHODS = "GET, POST, PATCH, PUT, DELETE, OPTIONS"
_CORS_HEADERS = "Authorization, Content-Type, Last-Event-ID, X-Request-ID"
_CORS_EXPOSE = "X-Request-ID, Retry-After, Content-Disposition"


def current_request_id() -> str | None:
    """The id of the request this task is serving (for log records)."""
    return _request_id.get()


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        cors_origins: Iterable[str],
        untrusted_paths: re.Pattern[str],
        on_end: Callable[[str, str, int, float], None] | None = None,
    ) -> None:
        """``on_end(method, route template, status, seconds)`` is told of every finished request."""
        self.app = app
        self.on_end = on_end
        self.cors_origins = frozenset(cors_origins)
        self.untrusted_paths = untrusted_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = Headers.from_scope(scope)
        incoming = headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = _request_id.set(request_id)
        origin = headers.get("origin")
        granted = self._grants(origin, scope["path"])
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out = MutableScopeHeaders.from_message(message)
                out[REQUEST_ID_HEADER] = request_id
                out["X-Content-Type-Options"] = "nosniff"
                if granted and origin:
                    out["Access-Control-Allow-Origin"] = origin
                    out["Access-Control-Allow-Credentials"] = "true"
                    out["Access-Control-Expose-Headers"] = _CORS_EXPOSE
                    out.extend_header_value("Vary", "Origin")
            await send(message)

        try:
            if granted and scope.get("method") == "OPTIONS" and "access-control-request-method" in headers:
                await self._preflight(send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        finally:
            seconds = time.perf_counter() - started
            _log_access(scope, status or 500, seconds, request_id)
            if self.on_end is not None:
                route = str(scope.get("path_template") or "unmatched")
                self.on_end(str(scope.get("method", "-")), route, status or 500, seconds)
            _request_id.reset(token)

    def _grants(self, origin: str | None, path: str) -> bool:
        return bool(origin) and origin in self.cors_origins and not self.untrusted_paths.match(path)

    @staticmethod
    async def _preflight(send: Send) -> None:
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": 204,
            "headers": [
                (b"access-control-allow-methods", _CORS_METHODS.encode()),
                (b"access-control-allow-headers", _CORS_HEADERS.encode()),
                (b"access-control-max-age", b"600"),
            ],
        }
        body: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(start)
        await send(body)


def _log_access(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    if not access_log.isEnabledFor(logging.INFO):
        return
    client: Any = scope.get("client")
    peer = client[0] if client else "-"
    query = scope.get("query_string", b"")
    target = scope["path"] + ("?" + query.decode("latin-1") if query else "")
    access_log.info(
        '%s "%s %s" %d %.1fms rid=%s',
        peer,
        scope.get("method", "-"),
        target,
        status,
        seconds * 1000,
        request_id,
    )
