"""Request metrics are counted in plain cells and moved into prometheus-client in bulk: what reaches
the registry equals what counting each request with prometheus-client itself gives."""

from __future__ import annotations

import asyncio

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from vibe.entrypoints.http.request_metrics import BUCKETS, FLUSH_SECONDS, RequestMetrics


def _metrics(registry: CollectorRegistry) -> tuple[Counter, Histogram]:
    requests = Counter("t_requests_total", "r", ["method", "route", "status"], registry=registry)
    latency = Histogram("t_latency_seconds", "l", ["method", "route"], buckets=BUCKETS, registry=registry)
    return requests, latency


def _exposed(registry: CollectorRegistry) -> list[str]:
    return sorted(
        line
        for line in generate_latest(registry).decode().splitlines()
        if not line.startswith("#") and "_created" not in line
    )


requests_seen = st.lists(
    st.tuples(
        st.sampled_from(["GET", "POST"]),
        st.sampled_from(["/ping", "/api/v1/projects", "unmatched"]),
        st.sampled_from([200, 404, 500]),
        st.one_of(st.sampled_from(BUCKETS), st.floats(0, 100, allow_nan=False)),
    ),
    max_size=60,
)


@given(requests_seen)
def test_flushed_cells_equal_counting_each_request(seen: list[tuple[str, str, int, float]]) -> None:
    direct, cells = CollectorRegistry(), CollectorRegistry()
    d_requests, d_latency = _metrics(direct)
    counted = RequestMetrics(*_metrics(cells))
    for method, route, status, seconds in seen:
        d_requests.labels(method, route, str(status)).inc()
        d_latency.labels(method, route).observe(seconds)
        counted.observe(method, route, status, seconds)
    counted.flush()
    ours, theirs = _exposed(cells), _exposed(direct)
    assert [line.rsplit(" ", 1)[0] for line in ours] == [line.rsplit(" ", 1)[0] for line in theirs]
    for mine, reference in zip(ours, theirs, strict=True):
        assert abs(float(mine.rsplit(" ", 1)[1]) - float(reference.rsplit(" ", 1)[1])) < 1e-6


async def test_counts_reach_the_registry_within_a_flush_period() -> None:
    registry = CollectorRegistry()
    requests, _ = _metrics(registry)
    counted = RequestMetrics(requests, _metrics(CollectorRegistry())[1])
    counted.observe("GET", "/ping", 200, 0.001)
    assert (
        registry.get_sample_value("t_requests_total", {"method": "GET", "route": "/ping", "status": "200"})
        is None
    )
    await asyncio.sleep(FLUSH_SECONDS + 0.2)
    assert (
        registry.get_sample_value("t_requests_total", {"method": "GET", "route": "/ping", "status": "200"})
        == 1
    )
