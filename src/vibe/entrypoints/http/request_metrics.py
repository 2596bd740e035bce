"""Request counts and latency for ``/metrics``, counted at one dictionary increment per request.

prometheus-client's own ``labels(...).inc()`` and ``observe()`` cost several microseconds a request
(label lookups under a lock; in multiprocess mode, a write to a memory-mapped file for the count, the
sum and the bucket). Here a request adds one to a plain per-process cell keyed by method, route,
status and latency bucket; the cells move into the prometheus-client metrics at most once a second
(and whenever ``/metrics`` is scraped in this process), so multiprocess mode costs no more than one
process. Another worker's requests therefore reach a scrape at most ``FLUSH_SECONDS`` late.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left

from prometheus_client import Counter, Histogram

__all__ = ["BUCKETS", "FLUSH_SECONDS", "LATENCY", "REQUESTS", "REQUEST_METRICS", "RequestMetrics"]

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
FLUSH_SECONDS = 1.0

REQUESTS = Counter(
    "vibe_http_requests_total", "HTTP requests, by route and status.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "vibe_http_request_duration_seconds",
    "Time to answer an HTTP request (for streams: until the stream ends).",
    ["method", "route"],
    buckets=BUCKETS,
)


class RequestMetrics:
    """Pending counts of finished requests, per (method, route, status, bucket): [count, seconds]."""

    def __init__(self, requests: Counter = REQUESTS, latency: Histogram = LATENCY) -> None:
        self._requests = requests
        self._latency = latency
        self._cells: dict[tuple[str, str, int, int], list[float]] = {}
        self._flush_due = False

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status, bisect_left(BUCKETS, seconds))
        cell = self._cells.get(key)
        if cell is None:
            self._cells[key] = [1, seconds]
        else:
            cell[0] += 1
            cell[1] += seconds
        if not self._flush_due:
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # counted outside a loop: the next scrape (or observe in a loop) moves it
            return
        self._flush_due = True
        loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        """Move the pending counts into the prometheus-client metrics (and so, in multiprocess mode,
        into this process's files that every worker's ``/metrics`` reads)."""
        self._flush_due = False
        cells, self._cells = self._cells, {}
        for (method, route, status, bucket), (count, seconds) in cells.items():
            self._requests.labels(method, route, str(status)).inc(count)
            child = self._latency.labels(method, route)
            # What Histogram.observe does per observation, once per cell: the bucket the latency fell
            # in (cumulated at exposition) and the sum.
            child._buckets[bucket].inc(count)
            child._sum.inc(seconds)


REQUEST_METRICS = RequestMetrics()  # the process's one, as prometheus-client's metrics are
