"""Benchmark 5: what a generation costs vibe itself. The model answers instantly
(``bench.models.InstantModel``: a sentence, one small page, a closing sentence), so the time from
``POST /api/generate`` to the stream's ``done`` and the server CPU per generation are vibe's own:
queueing, claiming, the agent loop, the durable and live event logs, the new version, the stream."""

from __future__ import annotations

import asyncio
import time

import httpx

from bench.openloop import percentile
from bench.plan import Plan
from bench.results_model import BenchResult
from bench.seed import sign_up
from bench.servers import Deployment, Process, cpu_seconds
from bench.sse_client import follow_stream

__all__ = ["generation_overhead"]

WORKER_CONCURRENCY = 4


def _serve(deployed: Deployment) -> tuple[Process, list[Process]]:
    model = {"BENCH_MODEL": "instant"}
    workers = deployed.setup.serve_workers
    if not deployed.setup.services:  # inline: generations run inside serve
        return deployed.uvicorn("bench.apps:app", workers, factory=True, extra=model), []
    deployed.reset_redis()
    runners = [deployed.bench_worker(WORKER_CONCURRENCY, extra=model) for _ in range(2)]
    return deployed.vibe_serve(workers), runners


async def _one(client: httpx.AsyncClient, url: str, token: str, index: int) -> float:
    started = time.monotonic()
    answer = await client.post("/api/generate", json={"prompt": f"Overhead {index}"})
    answer.raise_for_status()
    record = await follow_stream(url, answer.json()["session_id"], token, timeout=60)
    if record.error or record.last_event != "done":
        raise RuntimeError(f"generation {index}: {record.error or record.last_event}")
    return (time.monotonic() - started) * 1000


async def _generate(url: str, token: str, count: int) -> list[float]:
    """``count`` generations one after another (so each latency is free of queueing behind others)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        await _one(client, url, token, -1)  # warm: first connections, first compiled statements
        return [await _one(client, url, token, index) for index in range(count)]


def generation_overhead(deployed: Deployment, plan: Plan) -> BenchResult:
    result = BenchResult("5 generation overhead")
    server, workers = _serve(deployed)
    with deployed.running(server, *workers):
        account = sign_up(server.url, "overhead")
        time.sleep(0.5)
        processes = [server, *workers]
        before = sum(cpu_seconds(p.tree()) for p in processes)
        latencies = asyncio.run(_generate(server.url, account.token, plan.generations))
        used = sum(cpu_seconds(p.tree()) for p in processes) - before
    per_generation = used / plan.generations * 1000
    result.add("POST -> done p50", percentile(latencies, 50), "ms", "<=", 100)
    result.add("POST -> done p99", percentile(latencies, 99), "ms")
    result.add("server CPU per generation", per_generation, "ms")
    result.details = {
        "generations": plan.generations,
        "latency_ms": {q: round(percentile(latencies, q), 1) for q in (50, 90, 99, 100)},
        "cpu_ms_per_generation": round(per_generation, 2),
        "cpu_counted": "serve processes" + (" and vibe workers" if workers else ""),
    }
    return result
