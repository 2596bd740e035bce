"""Tracing of the HTTP server, through Litestar's own OpenTelemetry plugin (only when tracing is on).

The plugin wraps the whole app, so every request (a 404 too) is a server span that continues an
incoming ``traceparent``. Its per-message ``send``/``receive`` spans are left out: an event stream
would make one per event. The span is named after the route template once routing knows it
(``GET /api/stream/{session_id:str}``, not one name per session), and carries the request id, so
logs and traces lead to each other.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from litestar.types import Message, Scope

from vibe.bootstrap import Vibe

__all__ = ["http_tracing", "litestar_untraced", "served_trace_id"]

_LITESTAR_PLUGIN = "litestar.plugins.opentelemetry"


@contextmanager
def litestar_untraced(vibe: Vibe) -> Iterator[None]:
    """Around building the app with tracing off. Litestar imports its OpenTelemetry plugin for every
    app it builds, whenever OpenTelemetry is installed (to look for the plugin's middleware), which
    would load the OpenTelemetry API into a process that traces nothing; the import fails here
    instead, as it would without ``vibe[otel]``."""
    if vibe.settings.tracing or _LITESTAR_PLUGIN in sys.modules:
        yield
        return
    sys.modules[_LITESTAR_PLUGIN] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if _LITESTAR_PLUGIN in sys.modules and sys.modules[_LITESTAR_PLUGIN] is None:
            del sys.modules[_LITESTAR_PLUGIN]


def http_tracing(vibe: Vibe) -> tuple[list[Any], list[Any]]:
    """(plugins, before-send hooks) for ``create_app``; nothing when tracing is off."""
    if not vibe.settings.tracing:
        return [], []
    from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
    from opentelemetry import trace

    tracer = vibe.tracer  # the SDK is set up before the middleware asks for its tracer

    def _method_only(scope: Scope) -> tuple[str, dict[str, Any]]:
        return str(scope.get("method", "HTTP")), {}

    async def name_span(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        span = trace.get_current_span()
        route = scope.get("path_template")
        if route:
            span.update_name(f"{scope.get('method', '')} {route}")
            span.set_attribute("http.route", str(route))
        span.set_attribute("vibe.request_id", str(scope.get("state", {}).get("request_id", "")))
        tracer.remember_trace_id()

    config = OpenTelemetryConfig(exclude_spans=["receive", "send"], scope_span_details_extractor=_method_only)
    return [OpenTelemetryPlugin(config)], [name_span]


def served_trace_id(vibe: Vibe) -> Callable[[], str | None] | None:
    """With tracing on, what names the trace a request just served in its access log line."""
    if not vibe.settings.tracing:
        return None
    return vibe.tracer.current_trace_id
