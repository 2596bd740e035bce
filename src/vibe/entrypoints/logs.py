"""Logging for the processes vibe runs: one line per record, with the request id when there is one."""

from __future__ import annotations

import logging
import sys

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


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if not isinstance(ACCESS_LOG.sink, StreamSink):  # one writer thread per process
        ACCESS_LOG.sink = StreamSink(sys.stderr)
