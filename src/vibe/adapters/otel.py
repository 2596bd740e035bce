"""OpenTelemetry behind vibe's ``Tracer`` port (the optional extra ``vibe[otel]``).

Imported only when the standard variables ask for tracing (``Settings.tracing``). ``install`` sets up
the SDK from those variables, unless the process already has a tracer provider of its own (an
embedder's, or a test's), which is then used as it is:

- ``OTEL_TRACES_EXPORTER``: ``otlp`` (OTLP over HTTP/protobuf, or gRPC with
  ``OTEL_EXPORTER_OTLP_PROTOCOL=grpc`` when its exporter is installed) and/or ``console`` (one JSON
  object per line on standard output); ``OTEL_EXPORTER_OTLP_*`` are read by the exporter itself;
- ``OTEL_SERVICE_NAME`` (default ``vibe``), ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER`` and
  its argument, and ``OTEL_BSP_*`` are read by the SDK.

It also instruments SQLAlchemy, redis and httpx (under the model SDKs), so their calls appear inside
vibe's own spans; the HTTP server is traced by Litestar's plugin (``entrypoints.http.tracing``).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import TextIO

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, Status, StatusCode, TraceState
from opentelemetry.util.types import Attributes

from vibe.domain.errors import UpstreamError, VibeError
from vibe.domain.ports import Attributes as SpanAttributes
from vibe.domain.ports import Span, TraceCarrier, Tracer

__all__ = ["current_trace_id", "install", "remember_trace_id"]

VERSION = importlib.metadata.version("vibe")

# The trace of the request this task served last: the access log line is written after the request's
# span has ended, and still names its trace.
_served_trace: ContextVar[str | None] = ContextVar("vibe_served_trace", default=None)


class OtelSpan(Span):
    def __init__(self, span: trace.Span) -> None:
        self._span = span

    def set(self, attributes: SpanAttributes) -> None:
        self._span.set_attributes(attributes)

    def fail(self, code: str) -> None:
        self._span.set_attribute("error.type", code)
        self._span.set_status(Status(StatusCode.ERROR, code))


class OtelTracer(Tracer):
    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer

    def span(
        self, name: str, attributes: SpanAttributes | None = None, *, parent: TraceCarrier | None = None
    ) -> AbstractContextManager[Span]:
        return self._span(name, attributes, parent)

    @contextmanager
    def _span(
        self, name: str, attributes: SpanAttributes | None, parent: TraceCarrier | None
    ) -> Iterator[Span]:
        context = propagate.extract(parent) if parent else None
        with self._tracer.start_as_current_span(
            name,
            context=context,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            wrapped = OtelSpan(span)
            try:
                yield wrapped
            except asyncio.CancelledError:
                span.set_attribute("vibe.cancelled", True)
                raise
            except VibeError as error:
                wrapped.fail(error.code if isinstance(error, UpstreamError) else type(error).__name__)
                raise
            except Exception as error:
                span.record_exception(error)
                wrapped.fail(type(error).__name__)
                raise

    def carrier(self) -> dict[str, str]:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        return carrier

    def current_trace_id(self) -> str | None:
        return current_trace_id()

    def remember_trace_id(self) -> None:
        remember_trace_id()


def current_trace_id() -> str | None:
    """The current span's trace id, else that of the request this task served last."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else _served_trace.get()


def remember_trace_id() -> None:
    """Keep the current trace id for this task's later log lines (the access log's)."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        _served_trace.set(format(context.trace_id, "032x"))


def install(exporters: Sequence[str]) -> OtelTracer:
    """The tracer of vibe's spans, on the process's provider (set up here from the standard variables
    when there is none yet), with SQLAlchemy, redis and httpx instrumented. Safe to call again."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        configured = TracerProvider(shutdown_on_exit=False).sampler  # OTEL_TRACES_SAMPLER's choice
        provider = TracerProvider(resource=_resource(), sampler=NoOrphanQueries(configured))
        for name in exporters:
            provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
        trace.set_tracer_provider(provider)
    _instrument_libraries()
    return OtelTracer(trace.get_tracer("vibe", VERSION))


class NoOrphanQueries(Sampler):
    """The configured sampler, except that a client call (database, Redis, HTTP) outside any request
    or generation is not traced: a worker polls the job stream every second, and each poll would be a
    trace of its own."""

    def __init__(self, sampler: Sampler) -> None:
        self._sampler = sampler

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes | None = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        orphan = not trace.get_current_span(parent_context).get_span_context().is_valid
        if orphan and kind is SpanKind.CLIENT:  # (client libraries set their attributes only later)
            return SamplingResult(Decision.DROP)
        return self._sampler.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"NoOrphanQueries{{{self._sampler.get_description()}}}"


def _resource() -> Resource:
    resource = Resource.create({"service.version": VERSION, "process.pid": os.getpid()})
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: "vibe"}))
    return resource


def _exporter(name: str) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter(out=_line_stream(), formatter=_one_line)
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if protocol == "grpc":
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # type: ignore[import-not-found]
                OTLPSpanExporter,
            )
        except ImportError as error:
            raise RuntimeError(
                "OTEL_EXPORTER_OTLP_PROTOCOL=grpc needs opentelemetry-exporter-otlp-proto-grpc; "
                "install it, or use http/protobuf (the default)"
            ) from error
        return OTLPSpanExporter()  # type: ignore[no-any-return]
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

    return HttpExporter()


def _one_line(span: ReadableSpan) -> str:
    return str(span.to_json(indent=None)) + "\n"


def _line_stream() -> TextIO:
    """Standard output, one whole span (line) per write: processes that share the file (the workers
    of one ``vibe serve``) never cut into each other's lines."""
    try:
        return open(sys.stdout.fileno(), "w", buffering=1, encoding="utf-8", closefd=False)
    except (AttributeError, OSError, io.UnsupportedOperation):
        return sys.stdout


def _instrument_libraries() -> None:
    """Each instrumentor patches its library once per process (calling it again does nothing)."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    for instrumentor in (SQLAlchemyInstrumentor(), RedisInstrumentor(), HTTPXClientInstrumentor()):
        if not instrumentor.is_instrumented_by_opentelemetry:
            # Its declared range stops below SQLAlchemy 2.1, whose engine events it uses unchanged
            # (tests/integration/test_tracing.py sees the statements' spans).
            instrumentor.instrument(skip_dep_check=True)
