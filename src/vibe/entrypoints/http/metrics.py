"""``GET /metrics`` in the Prometheus text format.

Request counts and latency are counted where requests end (the request-context middleware); with
several ``serve`` workers they go through prometheus-client's multiprocess mode (``vibe serve`` points
PROMETHEUS_MULTIPROC_DIR at a fresh folder before the workers start). Generations by status, tokens
used and queue depth are read from the database and the queue at scrape time, so they are right
whichever process ran the work, and survive restarts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from litestar import Response, get
from litestar.di import NamedDependency
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from vibe.bootstrap import Vibe
from vibe.domain.ports import GenerationTotals
from vibe.entrypoints.http.request_metrics import REQUEST_METRICS

__all__ = ["metrics"]


class _Generations:
    """The scrape-time figures, as a collector of one use."""

    def __init__(self, totals: GenerationTotals, depth: int) -> None:
        self._totals = totals
        self._depth = depth

    def collect(self) -> Iterator[Metric]:
        by_status = GaugeMetricFamily(
            "vibe_generations", "Generation sessions, by status.", labels=["status"]
        )
        for status in ("queued", "running", "succeeded", "failed", "cancelled"):
            by_status.add_metric([status], self._totals.by_status.get(status, 0))
        yield by_status
        tokens = CounterMetricFamily(
            "vibe_generation_tokens", "Model tokens used, by direction.", labels=["kind"]
        )
        tokens.add_metric(["input"], self._totals.input_tokens)
        tokens.add_metric(["output"], self._totals.output_tokens)
        yield tokens
        yield GaugeMetricFamily("vibe_queue_depth", "Generation jobs waiting or running.", value=self._depth)


def _request_metrics() -> bytes:
    REQUEST_METRICS.flush()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@get("/metrics", summary="Prometheus metrics", tags=["health"], include_in_schema=False)
async def metrics(vibe: NamedDependency[Vibe]) -> Response[bytes]:
    totals, depth = await vibe.generations.totals()
    scrape = CollectorRegistry()
    scrape.register(_Generations(totals, depth))
    return Response(_request_metrics() + generate_latest(scrape), media_type=CONTENT_TYPE_LATEST)
