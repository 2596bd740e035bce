"""Logging for the processes vibe runs: one line per record, with the request id when there is one,
and with tracing on, the trace id beside it."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from vibe.entrypoints.http.access_log import ACCESS_LOG, StreamSink
from vibe.entrypoints.http.middleware import current_request_id

__all__ = ["FORMAT", "configure_logging"]

# The access log's StreamSink writes its lines in this same shape.
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):  # access lines carry their own
            record.request_id = current_request_id() or "-"
        return True


class _TraceIdFilter(logging.Filter):
    def __init__(self, trace_id: Callable[[], str | None]) -> None:
        super().__init__()
        self._trace_id = trace_id

    def filter(self, record: logging.LogRecord) -> bool:
        record.trace_id = self._trace_id() or "-"
        return True


def configure_logging(level: str, *, tracing: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    ids = "%(request_id)s"
    if tracing:  # OpenTelemetry is there (vibe[otel]): this is the only place logging imports it
        from vibe.bootstrap import current_trace_id

        handler.addFilter(_TraceIdFilter(current_trace_id))
        ids += " trace=%(trace_id)s"
    handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s %(name)s [{ids}] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if not isinstance(ACCESS_LOG.sink, StreamSink):  # one writer thread per process
        ACCESS_LOG.sink = StreamSink(sys.stderr)
