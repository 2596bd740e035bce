"""Benchmark 3: sign-ins are bound by argon2. 20 logins/s offered on a fixed schedule (open loop),
while wrk probes ``/ping`` on the same server with 64 connections paced to 1,000 requests/s: the login
p50, and the /ping p99 that shows whether the event loop was ever blocked by the hashing.

The probe is paced rather than full speed: on this 2-core machine a full-speed wrk takes one core and
the server's event loop the other, and the hashing thread would then be measuring CPU starvation, not
vibe. The full-speed figures are benchmark 1's.
"""

from __future__ import annotations

import asyncio

import httpx

from bench.openloop import open_loop, percentile
from bench.plan import Plan
from bench.results_model import BenchResult
from bench.seed import PASSWORD, Account
from bench.servers import Process, cpu_seconds
from bench.wrk import finish_wrk, start_wrk

__all__ = ["PROBE_RATE", "logins"]

PROBE_RATE = 1000.0


async def _offer(url: str, account: Account, rate: float, seconds: float) -> tuple[list[float], int, int]:
    body = {"email": account.email, "password": PASSWORD}
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        await client.post("/api/v1/auth/login", json=body)  # the connection and the dummy hash, warm
        run = await open_loop(client, rate, seconds, lambda c: c.post("/api/v1/auth/login", json=body))
    return run.latencies_ms, run.ok, run.failed


def logins(vibe: Process, account: Account, plan: Plan) -> BenchResult:
    result = BenchResult("3 login")
    ping_url = vibe.url + "/ping"
    baseline = finish_wrk(
        start_wrk(ping_url, connections=plan.connections, seconds=plan.seconds / 2, rate=PROBE_RATE),
        ping_url,
        plan.connections,
    )
    seconds = plan.login_seconds + 2
    wrk = start_wrk(ping_url, connections=plan.connections, seconds=seconds, rate=PROBE_RATE)
    before = cpu_seconds(vibe.tree())
    latencies, ok, failed = asyncio.run(_offer(vibe.url, account, plan.login_rate, plan.login_seconds))
    used = cpu_seconds(vibe.tree()) - before
    ping = finish_wrk(wrk, ping_url, plan.connections)
    if not ok:
        raise RuntimeError(f"all {failed} logins failed")
    # A refused login (the hashing queue full: 503, issue 15) is a figure of its own, not a crash.
    result.add("logins refused or failed", failed, "requests", "<=", 0)
    result.add("login p50 at 20/s", percentile(latencies, 50), "ms", "<=", 40)
    result.add("login p99 at 20/s", percentile(latencies, 99), "ms")
    result.add("/ping p99 during logins", ping.p99_ms, "ms", "<=", 20)
    result.add("/ping p99, same probe, no logins", baseline.p99_ms, "ms")
    result.add("/ping probe during logins (paced)", ping.rps, "req/s")
    result.details = {
        "offered_per_second": plan.login_rate,
        "logins_ok": ok,
        "login_latency_ms": {q: round(percentile(latencies, q), 2) for q in (50, 90, 99, 100)},
        "ping_probe_offered_per_second": PROBE_RATE,
        "ping_during_logins": ping.as_dict(),
        "ping_without_logins": baseline.as_dict(),
        "server_cpu_seconds": round(used, 2),
    }
    return result
