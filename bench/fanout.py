"""Benchmark 4: SSE fan-out. A thousand streams on one ``serve`` worker, fed at model pace.

Sessions run ``bench.models.PacedModel`` (20 text deltas a second, each stamped with the time it was
due). The streams are spread evenly over the sessions and opened at a steady ramp before the model
starts. Per stream: the first-event overhead (request sent -> first event, the replay of ``status``)
and, for every live delta, its lateness against the model's schedule; the delivery slip is how much
longer the stream took to deliver its live deltas than the model took to send them. The server's
resident memory is sampled from /proc all along.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Coroutine
from typing import Any

import httpx

from bench.openloop import percentile
from bench.plan import Plan
from bench.results_model import BenchResult
from bench.seed import sign_up
from bench.servers import Deployment, Process, cpu_seconds, rss_bytes
from bench.sse_client import StreamRecord, follow_stream

__all__ = ["fanout"]

RAMP_PER_SECOND = 100.0  # new streams a second: a steady arrival, not a thundering herd
MIB = 1024 * 1024


class _RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, rss_bytes(self.pid))
            except OSError:
                return
            self.stop.wait(0.2)


def _serve(deployed: Deployment, plan: Plan, delay: float) -> tuple[Process, list[Process]]:
    model = {
        "BENCH_MODEL": "paced",
        "BENCH_PACE_RATE": str(plan.stream_rate),
        "BENCH_PACE_CHUNKS": str(plan.stream_events),
        "BENCH_PACE_DELAY": str(delay),
    }
    if not deployed.setup.services:  # generations run inside the one serve worker
        return deployed.uvicorn("bench.apps:app", 1, factory=True, extra=model), []
    deployed.reset_redis()
    workers = [deployed.bench_worker(plan.stream_sessions, extra=model) for _ in range(2)]
    return deployed.vibe_serve(1), workers


async def _run(url: str, token: str, sessions: list[str], plan: Plan, timeout: float) -> list[StreamRecord]:
    for session in sessions:  # warm the path (first connections to the database, first statements)
        await follow_stream(url, session, token, timeout, first_only=True)
    tasks = []
    start = time.monotonic()
    for index in range(plan.streams):
        pause = start + index / RAMP_PER_SECOND - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        session = sessions[index % len(sessions)]
        tasks.append(asyncio.create_task(follow_stream(url, session, token, timeout)))
    return list(await asyncio.gather(*tasks))


def _client_run(work: Coroutine[Any, Any, list[StreamRecord]]) -> list[StreamRecord]:
    """Run the client on uvloop (when installed) with the cyclic GC off: with a thousand streams a
    full collection of the client's heap pauses it for 100 ms or more, which would count as server
    latency. The client makes no reference cycles worth collecting in one run."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        try:
            import uvloop

            return uvloop.run(work)
        except ImportError:
            return asyncio.run(work)
    finally:
        gc.enable()
        gc.unfreeze()


def _start_sessions(url: str, token: str, count: int) -> list[str]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        answers = [client.post("/api/generate", json={"prompt": f"Fan-out {i}"}) for i in range(count)]
    for answer in answers:
        answer.raise_for_status()
    return [answer.json()["session_id"] for answer in answers]


def _slip(record: StreamRecord, connected: float) -> tuple[float | None, list[float]]:
    live = [(due, at) for due, at in record.stamps if due >= connected]
    lateness = [(at - due) * 1000 for due, at in live]
    if len(live) < 2 or live[-1][0] == live[0][0]:
        return None, lateness
    return (live[-1][1] - live[0][1]) / (live[-1][0] - live[0][0]) - 1, lateness


def fanout(deployed: Deployment, plan: Plan) -> BenchResult:
    result = BenchResult("4 SSE fan-out")
    ramp = plan.streams / RAMP_PER_SECOND
    delay = ramp + 4.0  # every stream is open before the first delta is due
    server, workers = _serve(deployed, plan, delay)
    with deployed.running(server, *workers):
        account = sign_up(server.url, "fanout")
        pid = server.popen.pid
        idle_rss = rss_bytes(pid)
        sampler = _RssSampler(pid)
        sampler.start()
        cpu_before = cpu_seconds(server.tree())
        sessions = _start_sessions(server.url, account.token, plan.stream_sessions)
        timeout = delay + plan.stream_events / plan.stream_rate + 60
        records = _client_run(_run(server.url, account.token, sessions, plan, timeout))
        cpu_used = cpu_seconds(server.tree()) - cpu_before
        sampler.stop.set()
        sampler.join()
        peak = max(sampler.peak, rss_bytes(pid, "VmHWM"))
    failed = [r for r in records if r.error or r.last_event != "done"]
    slips, lateness, first = [], [], []
    for record in records:
        if record.first_event_at is None:
            continue
        first.append((record.first_event_at - record.sent_at) * 1000)
        slip, late = _slip(record, record.first_event_at)
        lateness.extend(late)
        if slip is not None:
            slips.append(slip * 100)
    complete = sum(1 for r in records if len(r.stamps) == plan.stream_events)
    result.add("streams completed", len(records) - len(failed), "streams")
    result.add("delivery slip p99", percentile(slips, 99), "%", "<=", 10)
    result.add("event lateness p50", percentile(lateness, 50), "ms")
    result.add("event lateness p99", percentile(lateness, 99), "ms")
    result.add("first-event overhead p99", percentile(first, 99), "ms", "<=", 50)
    result.add("serve worker peak RSS", peak / MIB, "MiB", "<=", 300)
    result.details = {
        "streams": plan.streams,
        "sessions": plan.stream_sessions,
        "events_per_stream": plan.stream_events,
        "rate_per_stream": plan.stream_rate,
        "streams_failed": len(failed),
        "first_failures": [r.error or f"ended with {r.last_event!r}" for r in failed[:5]],
        "streams_with_every_delta": complete,
        "slip_percent": {q: round(percentile(slips, q), 2) for q in (50, 99, 100)},
        "lateness_ms": {q: round(percentile(lateness, q), 1) for q in (50, 90, 99, 100)},
        "first_event_ms": {q: round(percentile(first, q), 1) for q in (50, 90, 99, 100)},
        "idle_rss_mib": round(idle_rss / MIB, 1),
        "peak_rss_mib": round(peak / MIB, 1),
        "serve_cpu_seconds": round(cpu_used, 2),
        "events_delivered": sum(r.events for r in records),
    }
    return result
