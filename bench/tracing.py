"""Benchmark 7: what tracing costs on the request path. Two ``vibe serve`` of the same setup, one
with no OpenTelemetry variable (tracing off, as before tracing existed: nothing of it is loaded) and
one with ``OTEL_TRACES_EXPORTER=console`` (every request a server span and its SQL and Redis spans,
written as JSON lines to the process's output), answer the authenticated read ``GET
/api/v1/users/me`` in turns: off, on, off, on... The machine is shared, so the turns interleave and
each mode's figure is its median turn: a burst of load from elsewhere hits both modes alike."""

from __future__ import annotations

import statistics

from bench.http_api import measure
from bench.plan import Plan
from bench.results_model import BenchResult
from bench.seed import sign_up
from bench.servers import Deployment

__all__ = ["TRACED", "tracing_overhead"]

TRACED = {"OTEL_TRACES_EXPORTER": "console", "OTEL_SERVICE_NAME": "vibe-bench"}
PATH = "/api/v1/users/me"


def tracing_overhead(deployed: Deployment, plan: Plan) -> BenchResult:
    result = BenchResult("8 tracing")
    workers = deployed.setup.serve_workers
    off = deployed.vibe_serve(workers)
    on = deployed.vibe_serve(workers, extra=TRACED)
    rps: dict[str, list[float]] = {"off": [], "console": []}
    cpu: dict[str, list[float]] = {"off": [], "console": []}
    with deployed.running(off, on):
        account = sign_up(off.url, "tracing")  # the two servers share the database and Redis
        for _ in range(plan.tracing_turns):
            for mode, server in (("off", off), ("console", on)):
                measured = measure(server, PATH, plan.round_seconds, plan, account.token)
                rps[mode].append(measured.run.rps)
                cpu[mode].append(measured.cpu_us)
    median = {mode: statistics.median(values) for mode, values in rps.items()}
    cpu_median = {mode: statistics.median(values) for mode, values in cpu.items()}
    result.add("users/me, tracing off", median["off"], "req/s")
    result.add("users/me, console exporter", median["console"], "req/s")
    result.add("console / off", median["console"] / median["off"], "ratio")
    result.add("server CPU per request, tracing off", cpu_median["off"], "µs")
    result.add("server CPU per request, console exporter", cpu_median["console"], "µs")
    result.details = {
        "turns": plan.tracing_turns,
        "rps_by_turn": {mode: [round(v, 1) for v in values] for mode, values in rps.items()},
        "cpu_us_by_turn": {mode: [round(v, 1) for v in values] for mode, values in cpu.items()},
        "spread_off_pct": round(100 * (max(rps["off"]) - min(rps["off"])) / median["off"], 1),
    }
    return result
