"""``GET /metrics`` in the Prometheus text format.

Request counts and latency are counted where requests end (the request-context middleware); with
several ``serve`` workers they go through prometheus-client's multiprocess mode (``vibe serve`` points
PROMETHEUS_MULTIPROC_DIR at a fresh folder before the workers start). Generations by status, tokens
used, queue depth and the model's circuit breaker are read from the database, the queue and the
breaker's store at scrape time, so they are right whichever process ran the work, and survive
restarts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from litestar import Response, get
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from vibe.domain.circuit import Circuit
from vibe.domain.conversation import OFFLINE_MODEL
from vibe.domain.ports import GenerationTotals
from vibe.domain.usage import Usage
from vibe.entrypoints.http.deps import App
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
        billed = CounterMetricFamily(
            "vibe_generation_tokens",
            "Tokens a model provider billed, by model and kind (input: at the full rate; cache_read, "
            "cache_creation: input read from or written to the prompt cache).",
            labels=["model", "kind"],
        )
        offline = CounterMetricFamily(
            "vibe_offline_generation_tokens",
            "Tokens the offline model estimates it would have used (never billed), by kind.",
            labels=["kind"],
        )
        for model, usage in sorted(self._totals.usage_by_model.items()):
            for kind, count in _kinds(usage):
                if model == OFFLINE_MODEL:
                    offline.add_metric([kind], count)
                else:
                    billed.add_metric([model, kind], count)
        yield billed
        yield offline
        yield GaugeMetricFamily("vibe_queue_depth", "Generation jobs waiting or running.", value=self._depth)


class _Circuit:
    """The model's circuit breaker (read from its store at scrape time: Redis when shared)."""

    def __init__(self, circuit: Circuit) -> None:
        self._circuit = circuit

    def collect(self) -> Iterator[Metric]:
        state = GaugeMetricFamily(
            "vibe_model_circuit_state",
            "The model's circuit breaker: 1 for its current state (open: generations fail at once).",
            labels=["state"],
        )
        for name in ("closed", "open", "half_open"):
            state.add_metric([name], 1 if self._circuit.state == name else 0)
        yield state
        yield GaugeMetricFamily(
            "vibe_model_circuit_failures",
            "Outage failures of the model's API in a row.",
            value=self._circuit.failures,
        )
        yield CounterMetricFamily(
            "vibe_model_circuit_trips", "Times the model's circuit breaker opened.", value=self._circuit.trips
        )


def _kinds(usage: Usage) -> list[tuple[str, int]]:
    return [
        ("input", usage.input_tokens),
        ("output", usage.output_tokens),
        ("cache_read", usage.cache_read_input_tokens),
        ("cache_creation", usage.cache_creation_input_tokens),
    ]


def _request_metrics() -> bytes:
    REQUEST_METRICS.flush()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@get("/metrics", summary="Prometheus metrics", tags=["health"], include_in_schema=False)
async def metrics(vibe: App) -> Response[bytes]:
    totals, depth = await vibe.generations.totals()
    scrape = CollectorRegistry()
    scrape.register(_Generations(totals, depth))
    circuit = await vibe.model_circuit()
    if circuit is not None:
        scrape.register(_Circuit(circuit))
    return Response(_request_metrics() + generate_latest(scrape), media_type=CONTENT_TYPE_LATEST)
