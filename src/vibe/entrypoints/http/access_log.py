"""The access log: one line per finished request, collected cheaply and written off the request path.

A request only appends a tuple of its fields. Every ``FLUSH_SECONDS`` the lines gathered are
formatted together (the capability token of a share link replaced by ``[redacted]``, control
characters escaped so a request cannot forge a line) and handed to the sink. By default the sink is
the ``vibe.access`` logger, one record per line, so an embedder's logging sees them; ``vibe serve``
installs a ``StreamSink`` (``configure_logging``), which writes the lines as the root handler would,
from a thread of its own: a slow log reader (a full pipe) never blocks the event loop. Past
``StreamSink.MAX_PENDING`` unwritten lines it drops them and then says how many.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import queue
import re
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

__all__ = [
    "ACCESS_LOG",
    "FLUSH_SECONDS",
    "AccessLog",
    "Line",
    "StreamSink",
    "message",
    "milliseconds",
    "redact",
]

ACCESS_LOGGER = "vibe.access"
# Lines are handed to the sink in batches this far apart: waking the writer thread (and taking the
# GIL back from it) for every request cost more than formatting the line.
FLUSH_SECONDS = 0.05
CLOSE_SECONDS = 2.0
# (time.time(), peer, method, path, query string, status, seconds, request id, trace id or "")
Line = tuple[float, str, str, str, bytes, int, float, str, str]
Sink = Callable[[list[Line]], None]

# A share link's path is its capability: whoever reads it can open the project.
_SECRET_PATH = re.compile(r"^/+s/[^/]*")  # "//s/..." reaches the same route
_SECRET_QUERY = re.compile(r"((?:^|&)[^=&]*token[^=&]*=)[^&]*", re.IGNORECASE)


_SECRET_PREFIXES = ("/s/", "//")


def redact(path: str, query: str) -> str:
    """The request target as logged: share-link tokens and ``*token*=`` query values hidden."""
    if path.startswith(_SECRET_PREFIXES):
        path = _SECRET_PATH.sub("/s/[redacted]", path)
    if query and "token" in query.lower():
        query = _SECRET_QUERY.sub(r"\1[redacted]", query)
    target = f"{path}?{query}" if query else path
    return target if target.isprintable() else target.encode("unicode_escape").decode("ascii")


# The texts a line's figures take most often, made once: formatting a float (".1f") and an int in each
# line were a fifth of its cost (BENCHMARKS.md, issue 22).
_TENTHS = [f"{tenths // 10}.{tenths % 10}" for tenths in range(1000)]  # 0.0 to 99.9 (ms)


class _Texts(dict[int, str]):
    """``str`` of an int, remembered: looked up in the table, or made once."""

    def __missing__(self, key: int) -> str:
        return str(key)


_STATUS = _Texts({status: str(status) for status in range(100, 600)})
# ",mmm INFO vibe.access [": a timestamp's milliseconds and what follows them in every line.
_AFTER_SECOND = [f",{millisecond:03d} INFO {ACCESS_LOGGER} [" for millisecond in range(1000)]
_MARGIN = 1e-5  # s: a thousand times the rounding error of a time near 2**32 s (4.8e-7 s an ulp)
PLAIN_PATHS = 1000  # paths remembered as needing no redaction or escaping; past that, checked each time


def milliseconds(seconds: float) -> str:
    """A duration as the log writes it: milliseconds to the nearest tenth (a half rounds up)."""
    tenths = int(seconds * 10_000 + 0.5)
    return _TENTHS[tenths] if tenths < 1000 else f"{tenths // 10}.{tenths % 10}"


def message(line: Line) -> str:
    _, peer, method, path, query, status, seconds, request_id, trace = line
    target = redact(path, query.decode("latin-1"))
    traced = f" trace={trace}" if trace else ""
    return f'{peer} "{method} {target}" {status} {milliseconds(seconds)}ms rid={request_id}{traced}'


class AccessLog:
    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger(ACCESS_LOGGER)
        self.sink: Sink = self._to_logger
        self._pending: list[Line] = []
        self._timer: tuple[asyncio.TimerHandle, asyncio.AbstractEventLoop] | None = None

    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def add(self, line: Line) -> None:
        """Note a finished request; it is formatted and written within ``FLUSH_SECONDS`` if the
        logger is enabled for INFO then (asked once a flush: a request does not pay for asking)."""
        self._pending.append(line)
        if self._timer is None or self._timer[1].is_closed():  # none due, or due on a loop now gone
            self._schedule()

    def _schedule(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        # An empty context: the flush must not run as (nor log the id of) the first request.
        self._timer = loop.call_later(FLUSH_SECONDS, self.flush, context=contextvars.Context()), loop

    def flush(self) -> None:
        """Hand what is pending to the sink now (a timer of a loop that has ended is dropped too)."""
        if self._timer is not None:
            self._timer[0].cancel()
            self._timer = None
        lines, self._pending = self._pending, []
        if lines and self.enabled():
            self.sink(lines)

    def close(self) -> None:
        """Write what is pending and wait (up to ``CLOSE_SECONDS``) until it is written: at shutdown.
        (No parameters: Litestar hands the app to a shutdown hook that takes one.)"""
        self.flush()
        drain = getattr(self.sink, "drain", None)
        if drain is not None:
            drain(CLOSE_SECONDS)

    def _to_logger(self, lines: list[Line]) -> None:
        for line in lines:
            record = self.logger.makeRecord(self.logger.name, logging.INFO, "", 0, message(line), (), None)
            record.created = line[0]
            record.msecs = (line[0] - int(line[0])) * 1000
            record.request_id = line[7]
            self.logger.handle(record)


ACCESS_LOG = AccessLog()  # the process's one: ``configure_logging`` gives it its sink


def asctime(created: float) -> str:
    """logging's default ``asctime``: local time, a comma, milliseconds."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(created))
    return f"{stamp},{int((created - int(created)) * 1000):03d}"


class StreamSink:
    """Formats lines as ``vibe.entrypoints.logs.FORMAT`` does and writes them from a daemon thread."""

    MAX_PENDING = 100_000

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._queue: queue.SimpleQueue[tuple[int, str] | threading.Event] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pending = self._dropped = 0
        self._second, self._stamp = -1, ""  # the last second formatted, as "YYYY-MM-DD HH:MM:SS"
        self._window = (0.0, 0.0, "")  # see _millisecond
        self._plain: set[str] = set()  # paths written as they are
        threading.Thread(target=self._write, name="vibe-access-log", daemon=True).start()

    def __call__(self, lines: list[Line]) -> None:
        with self._lock:
            if self._pending + len(lines) > self.MAX_PENDING:
                self._dropped += len(lines)
                return
            self._pending += len(lines)
        self._queue.put((len(lines), self.text(lines)))

    def text(self, lines: list[Line]) -> str:
        """The lines as the root handler would write them: ``FORMAT`` with ``message(line)``, inlined
        here (called on the event loop's thread only). A line costs a few thousand instructions
        (BENCHMARKS.md, issue 22), so what repeats is made once: the timestamp (logging's ``asctime``)
        once a millisecond, a target known to need no redaction or escaping once, the figures from
        tables."""
        out: list[str] = []
        append = out.append
        plain = self._plain
        low, high, head = self._window
        for created, peer, method, path, query, status, seconds, request_id, trace in lines:
            if query or path not in plain:
                if query or not path.isprintable() or path.startswith(_SECRET_PREFIXES):
                    path = redact(path, query.decode("latin-1"))
                elif len(plain) < PLAIN_PATHS:
                    plain.add(path)
            if not low <= created < high:
                low, high, head = self._millisecond(created)
            append(
                f"{head}{request_id}] {peer} "
                f'"{method} {path}" {_STATUS[status]} '
                f"{milliseconds(seconds)}ms rid={request_id}"
                f"{f' trace={trace}' if trace else ''}\n"
            )
        self._window = low, high, head
        return "".join(out)

    def _millisecond(self, created: float) -> tuple[float, float, str]:
        """The text before the request id of a line made at ``created`` ("YYYY-MM-DD HH:MM:SS,mmm INFO
        vibe.access ["), and the times between which every line starts with it: logging's millisecond
        (``int((created - int(created)) * 1000)``), shrunk by ``_MARGIN`` at both ends so that no
        rounding can put a time inside it that logging writes differently."""
        second = int(created)
        if second != self._second:
            self._second, self._stamp = second, asctime(second)[:-4]  # without ",mmm"
        millisecond = int((created - second) * 1000)
        low = second + millisecond / 1000
        return low + _MARGIN, low + 0.001 - _MARGIN, self._stamp + _AFTER_SECOND[millisecond]

    def drain(self, timeout: float) -> bool:
        """Wait until everything handed over so far is written."""
        written = threading.Event()
        self._queue.put(written)
        return written.wait(timeout)

    def _write(self) -> None:
        while True:
            item = self._queue.get()
            if isinstance(item, threading.Event):
                item.set()
                continue
            count, text = item
            with self._lock:
                self._pending -= count
                dropped, self._dropped = self._dropped, 0
            if dropped:
                text += (
                    f"{asctime(time.time())} WARNING {ACCESS_LOGGER} [-] {dropped} access lines dropped: "
                    "the log was not read fast enough\n"
                )
            try:
                self._stream.write(text)
                self._stream.flush()
            except (OSError, ValueError):  # the stream is closed or broken: keep draining the queue
                continue
