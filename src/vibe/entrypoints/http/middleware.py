"""The outermost layer of every HTTP exchange, in one pure-ASGI pass: the request id, the baseline
headers, the Host check, CORS, gzip, the access log and the request metrics.

It is the app's own entry point (``VibeLitestar.__call__``, around Litestar's handler) rather than an
entry in Litestar's middleware list, because Litestar runs that list only for matched routes: a 404 or
405 would miss it; and not a layer of its own in front of the app, which cost a coroutine frame.

It is on the path of every request, so it does the least it can: the incoming headers are read once
from the raw ASGI list, the outgoing ones are appended as precomputed byte pairs, a new request id is
128 random bits in hex, and the log line and the metrics are one append and one counter increment,
formatted and written later (``access_log``, ``request_metrics``).

CORS is done here instead of with Litestar's CORSConfig for two reasons: responses that serve
generated code must never carry a CORS grant whatever the configuration, and a refused preflight must
still be problem+json rather than a plain-text 400.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Awaitable, Callable, Generator, Iterable
from contextvars import ContextVar
from typing import Any, Protocol

from litestar import Litestar
from litestar.plugins import PluginProtocol

from vibe.entrypoints.http.access_log import AccessLog
from vibe.entrypoints.http.compression import NO_GZIP, GzipResponse, Message, compressible
from vibe.entrypoints.http.host_check import Hosts, refuse_host
from vibe.entrypoints.http.request_metrics import RequestMetrics

__all__ = [
    "NO_GZIP",
    "SiteLayer",
    "VibeLitestar",
    "current_request_id",
    "new_request_id",
    "record",
    "request_id_of",
]

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")
_request_id: ContextVar[str | None] = ContextVar("vibe_request_id", default=None)

_NOSNIFF = (b"x-content-type-options", b"nosniff")
_NOSNIFF_OR_VARY = frozenset((b"x-content-type-options", b"vary"))
_CORS_EXPOSE = (b"access-control-expose-headers", b"X-Request-ID, Retry-After, Content-Disposition")
_CORS_CREDENTIALS = (b"access-control-allow-credentials", b"true")
_PREFLIGHT_START = {"type": "http.response.start", "status": 204}
_PREFLIGHT_HEADERS = [
    (b"access-control-allow-methods", b"GET, POST, PATCH, PUT, DELETE, OPTIONS"),
    (b"access-control-allow-headers", b"Authorization, Content-Type, Last-Event-ID, X-Request-ID"),
    (b"access-control-max-age", b"600"),
]


class _Sent:
    """An awaitable that is done at once (a message held back, to be sent later)."""

    def __await__(self) -> Generator[None, None, None]:
        return iter(())  # type: ignore[return-value]


_SENT = _Sent()


def current_request_id() -> str | None:
    """The id of the request this task is serving (for log records)."""
    return _request_id.get()


_ids = random.Random()  # noqa: S311 - seeded from os.urandom; an id must be unique, not secret
_IDS_AT_ONCE = 64
_spare_ids: list[str] = []  # ids made and not handed out yet


def _after_fork_in_child() -> None:  # a forked child must not repeat its parent's ids
    _ids.seed()
    _spare_ids.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _more_ids() -> str:
    """``_IDS_AT_ONCE`` new ids from one ``getrandbits`` (128 random bits each, in hex): one returned,
    the rest kept. Made one at a time, an id cost a request ~1 % of ``GET /ping`` (BENCHMARKS.md)."""
    text = _ids.getrandbits(128 * _IDS_AT_ONCE).to_bytes(16 * _IDS_AT_ONCE, "big").hex()
    _spare_ids[:] = [text[start : start + 32] for start in range(32, 32 * _IDS_AT_ONCE, 32)]
    return text[:32]


def new_request_id() -> str:
    return _spare_ids.pop() if _spare_ids else _more_ids()


class SiteLayer(Protocol):
    """What answers the requests for published sites before the app (``site_server.SiteServer``)."""

    async def answer(self, scope: Any, receive: Any, send: Any) -> bool: ...


class VibeLitestar(Litestar):
    """Litestar whose own entry point is vibe's request layer: one coroutine frame a request, not two.

    ``__call__`` does what ``Litestar.__call__`` does for an HTTP request (the app in the scope, the
    ``before_send`` hooks) around the request layer's work, then calls Litestar's handler (the
    exception handling and the router); a separate middleware in front of it cost ~1.8 % of ``GET
    /ping`` in instructions (BENCHMARKS.md). Lifespan and websocket scopes go to Litestar as they come.
    ``serve_requests`` sets what the layer needs; until it is called, CORS grants nothing and nothing is
    logged or counted.
    """

    __slots__ = (
        "_access_log",
        "_cors_origins",
        "_hosts",
        "_metrics",
        "_sites",
        "_trace_id",
        "_untrusted",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.serve_requests(cors_origins=(), untrusted_paths=re.compile(""))

    @staticmethod
    def _get_default_plugins(plugins: list[PluginProtocol]) -> list[PluginProtocol]:
        """Litestar's default plugins but pydantic's. pydantic is installed (the ``anthropic`` package
        needs it), so Litestar adds its plugins, and their 17 type encoders were copied into every
        response (``Response.__init__``) for vibe, which has no pydantic model: ~1 % of ``GET /ping``."""
        chosen = Litestar._get_default_plugins(plugins)
        return [
            plugin for plugin in chosen if not type(plugin).__module__.startswith("litestar.plugins.pydantic")
        ]

    def serve_requests(
        self,
        *,
        cors_origins: Iterable[str],
        untrusted_paths: re.Pattern[str],
        metrics: RequestMetrics | None = None,
        access_log: AccessLog | None = None,
        trace_id: Callable[[], str | None] | None = None,
        sites: SiteLayer | None = None,
    ) -> None:
        self._metrics = metrics
        self._access_log = access_log
        self._trace_id = trace_id  # with tracing on: the trace the request just served
        self._cors_origins = frozenset(origin.encode("latin-1") for origin in cors_origins)
        self._untrusted = untrusted_paths
        self._hosts = Hosts()  # a Host no URL can be built from is refused before the app (host_check)
        self._sites = sites  # published sites, answered before anything else

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._sites is not None and await self._sites.answer(scope, receive, send):
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # The headers, read once from the raw list (ASGI gives the names in lower case).
        raw_id = origin = None
        preflight = gzip = False
        host_ok = True
        for name, value in scope["headers"]:
            if name == b"host":
                host_ok = host_ok and self._hosts.valid(value)
            elif name == b"x-request-id":
                raw_id = value
            elif name == b"origin":
                origin = value
            elif name == b"accept-encoding":
                gzip = b"gzip" in value
            elif name == b"access-control-request-method":
                preflight = True
        request_id, raw_id = request_id_of(raw_id)
        added = [(b"x-request-id", raw_id)]
        if origin is not None and origin in self._cors_origins and not self._untrusted.match(scope["path"]):
            added += [(b"access-control-allow-origin", origin), _CORS_CREDENTIALS, _CORS_EXPOSE]
        else:
            origin, preflight = None, False
        scope["app"] = scope["litestar_app"] = self  # as Litestar.__call__ does
        scope.setdefault("state", {})["request_id"] = request_id
        if self.before_send:
            send = self._wrap_send(send=send, scope=scope)
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 0
        zipped: GzipResponse | None = None

        def send_with_headers(message: Message) -> Awaitable[None]:
            # A plain function handing back the awaitable to await: no coroutine of its own per message.
            nonlocal status, zipped
            if zipped is not None:
                return zipped(message)
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = _with_headers(message.get("headers", ()), added, origin is not None)
                if gzip and compressible(scope, message):
                    zipped = GzipResponse(send, message)
                    return _SENT
            return send(message)  # type: ignore[no-any-return]

        try:
            if not host_ok:
                await refuse_host(send_with_headers)
            elif preflight and scope["method"] == "OPTIONS":
                await send_with_headers(_PREFLIGHT_START | {"headers": _PREFLIGHT_HEADERS})
                await send_with_headers({"type": "http.response.body", "body": b"", "more_body": False})
            else:
                await self.asgi_handler(scope, receive, send_with_headers)  # type: ignore[arg-type]
        finally:
            trace = (self._trace_id() or "") if self._trace_id is not None else ""
            route = scope.get("path_template") or "unmatched"
            seconds = time.perf_counter() - started
            record(scope, status or 500, seconds, request_id, route, self._access_log, self._metrics, trace)
            _request_id.reset(token)


def record(
    scope: Message,
    status: int,
    seconds: float,
    request_id: str,
    route: str,
    access_log: AccessLog | None,
    metrics: RequestMetrics | None,
    trace: str = "",
) -> None:
    """Count a finished request in the metrics (under ``route``) and note its access-log line."""
    method = scope["method"]
    if access_log is not None:  # whether the log is on is asked once a flush, not once a request
        client: Any = scope.get("client")
        peer = client[0] if client else "-"
        path, query = scope["path"], scope.get("query_string", b"")
        access_log.add((time.time(), peer, method, path, query, status, seconds, request_id, trace))
    if metrics is not None:
        metrics.observe(method, route, status, seconds)


def request_id_of(incoming: bytes | None) -> tuple[str, bytes]:
    """The request's id (a well-formed incoming one, else a new one), as text and as bytes."""
    if incoming is not None and _VALID_ID.fullmatch(incoming):
        return incoming.decode("ascii"), incoming
    request_id = new_request_id()
    return request_id, request_id.encode("ascii")


def _with_headers(
    headers: Iterable[tuple[bytes, bytes]], added: list[tuple[bytes, bytes]], vary_origin: bool
) -> list[tuple[bytes, bytes]]:
    """The response's headers plus ours; ``nosniff`` and ``Vary: Origin`` once even when already set."""
    out = [*headers, *added]  # a copy: the app may send one list with many responses
    for name, _ in out:
        if name in _NOSNIFF_OR_VARY:
            break
    else:  # the usual answer: the app set neither (one set lookup a header instead of two comparisons)
        out.append(_NOSNIFF)
        if vary_origin:
            out.append((b"vary", b"Origin"))
        return out
    nosniff = True
    vary = -1
    for index, (name, _) in enumerate(out):
        if name == b"x-content-type-options":
            nosniff = False
        elif name == b"vary":
            vary = index
    if nosniff:
        out.append(_NOSNIFF)
    if vary_origin:
        if vary < 0:
            out.append((b"vary", b"Origin"))
        elif b"origin" not in out[vary][1].lower():
            out[vary] = (b"vary", out[vary][1] + b", Origin")
    return out
