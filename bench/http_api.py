"""Benchmarks 1 and 2: ``GET /ping`` against a bare ASGI app on the same server, then the authenticated
reads ``GET /api/v1/users/me`` and ``GET /api/v1/projects`` (20 items), all with wrk."""

from __future__ import annotations

from bench.plan import Plan
from bench.results_model import BenchResult
from bench.seed import Account
from bench.servers import Deployment, Process, cpu_seconds
from bench.wrk import WrkResult, run_wrk

__all__ = ["measure", "ping_vs_bare", "reads"]


def measure(process: Process, path: str, plan: Plan, token: str | None = None) -> tuple[WrkResult, float]:
    """Warm up, then wrk for ``plan.seconds``; the result and the server's CPU µs per request."""
    url = process.url + path
    run_wrk(url, connections=plan.connections, seconds=plan.warmup_seconds, token=token)
    before = cpu_seconds(process.tree())
    result = run_wrk(url, connections=plan.connections, seconds=plan.seconds, token=token)
    used = cpu_seconds(process.tree()) - before
    if result.errors:
        raise RuntimeError(f"{url}: {result.errors} errors under load")
    return result, used / max(1, result.requests) * 1e6


def ping_vs_bare(deployed: Deployment, vibe: Process, plan: Plan) -> BenchResult:
    """vibe's /ping beside the bare app on identical uvicorn; for reference, bare Litestar and vibe
    with its per-request access log off (``VIBE_LOG_LEVEL=WARNING``), which split what vibe costs
    between the framework, the access log and the rest."""
    result = BenchResult("1 ping")
    workers = deployed.setup.serve_workers
    runs: dict[str, tuple[WrkResult, float]] = {}
    for name, target in (("bare", "bench.bare:app"), ("litestar", "bench.bare_litestar:app")):
        server = deployed.uvicorn(target, workers)
        with deployed.running(server):
            runs[name] = measure(server, "/ping", plan)
    quiet = deployed.vibe_serve(workers, extra={"VIBE_LOG_LEVEL": "WARNING"})
    with deployed.running(quiet):
        runs["vibe_without_access_log"] = measure(quiet, "/ping", plan)
    runs["vibe"] = measure(vibe, "/ping", plan)
    vibe_run, bare_run, litestar_run = runs["vibe"][0], runs["bare"][0], runs["litestar"][0]
    result.add("vibe /ping", vibe_run.rps, "req/s")
    result.add("vibe /ping p99", vibe_run.p99_ms, "ms")
    result.add("bare ASGI /ping", bare_run.rps, "req/s")
    result.add("bare ASGI /ping p99", bare_run.p99_ms, "ms")
    result.add("bare Litestar /ping (reference)", litestar_run.rps, "req/s")
    result.add("vibe /ping, access log off (reference)", runs["vibe_without_access_log"][0].rps, "req/s")
    result.add("vibe / bare", vibe_run.rps / bare_run.rps, "ratio", ">=", 0.6)
    result.add("bare Litestar / bare (reference)", litestar_run.rps / bare_run.rps, "ratio")
    result.details = {
        name: run.as_dict() | {"server_cpu_us_per_request": round(cpu, 1)}
        for name, (run, cpu) in runs.items()
    }
    return result


def reads(vibe: Process, account: Account, ping_rps: float, plan: Plan, sqlite: bool) -> BenchResult:
    result = BenchResult("2 reads")
    me, me_cpu = measure(vibe, "/api/v1/users/me", plan, account.token)
    listing, list_cpu = measure(vibe, "/api/v1/projects", plan, account.token)
    result.add("GET /users/me", me.rps, "req/s")
    result.add("GET /users/me p99", me.p99_ms, "ms")
    result.add("users/me / ping", me.rps / ping_rps, "ratio", ">=", 0.5)
    result.add("GET /projects (20 items)", listing.rps, "req/s", ">=", 3000 if sqlite else None)
    result.add("GET /projects p99", listing.p99_ms, "ms")
    result.details = {
        "users_me": me.as_dict() | {"server_cpu_us_per_request": round(me_cpu, 1)},
        "projects": listing.as_dict() | {"server_cpu_us_per_request": round(list_cpu, 1)},
    }
    return result
