"""Benchmark 10: account-events fan-out. 500 listeners of one account on ``GET /api/v1/events`` and one
writer renaming a project of that account; per event, the time from sending the write to its arrival
at each listener (write -> delivery, so the write's own commit is included).

The listeners read on raw asyncio streams (``bench.sse_client``'s chunked reader) so that the client
costs little; they are spread over the serve workers by the kernel like any client's connections.
"""

from __future__ import annotations

import asyncio
import os
import time
from urllib.parse import urlsplit

import httpx

from bench.openloop import percentile
from bench.plan import Plan
from bench.results_model import BenchResult
from bench.seed import Account, sign_up
from bench.servers import Deployment
from bench.sse_client import _chunks

__all__ = ["account_events"]

LISTENERS = int(os.environ.get("BENCH_EVENT_LISTENERS", "500"))  # fewer: to see the base latency
WRITES = 40
WRITE_EVERY = 0.1  # seconds between renames: well apart, so each delivery is measured on its own


async def _listen(
    url: str, token: str, arrivals: list[float], opened: asyncio.Event, ready: list[int]
) -> None:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(
        f"GET /api/v1/events HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
    ready[0] += 1
    if ready[0] == LISTENERS:
        opened.set()
    buffer = b""
    try:
        while len(arrivals) < WRITES:
            piece = await _chunks(reader)
            if not piece:
                return
            now = time.monotonic()
            buffer += piece
            *frames, buffer = buffer.split(b"\n\n")
            arrivals.extend(now for frame in frames if b"\nevent: project" in b"\n" + frame)
    finally:
        writer.close()


async def _run(url: str, account: Account, project_id: str) -> tuple[list[float], list[list[float]]]:
    opened = asyncio.Event()
    ready = [0]
    arrivals: list[list[float]] = [[] for _ in range(LISTENERS)]
    tasks = [
        asyncio.create_task(_listen(url, account.token, arrivals[i], opened, ready)) for i in range(LISTENERS)
    ]
    await asyncio.wait_for(opened.wait(), 60)
    await asyncio.sleep(1.0)  # every handler has read where the feed stands
    sent: list[float] = []
    headers = {"Authorization": f"Bearer {account.token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        for index in range(WRITES):
            sent.append(time.monotonic())
            answer = await client.patch(f"/api/v1/projects/{project_id}", json={"name": f"Renamed {index}"})
            answer.raise_for_status()
            await asyncio.sleep(WRITE_EVERY)
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
    return sent, arrivals


def account_events(deployed: Deployment, plan: Plan) -> BenchResult:
    result = BenchResult("10 account events")
    server = deployed.vibe_serve(deployed.setup.serve_workers)
    with deployed.running(server):
        account = sign_up(server.url, "events")
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {account.token}"}
        ) as client:
            project = client.post("/api/v1/projects", json={"name": "Watched"}).json()
        sent, arrivals = asyncio.run(_run(server.url, account, project["id"]))
    latencies = [
        (at - sent[index]) * 1000 for listener in arrivals for index, at in enumerate(listener[:WRITES])
    ]
    delivered = sum(len(listener) for listener in arrivals)
    result.add("listeners", LISTENERS, "streams")
    result.add("events delivered", delivered, "events", ">=", LISTENERS * WRITES)
    result.add("write -> delivery p50", percentile(latencies, 50), "ms")
    result.add("write -> delivery p99", percentile(latencies, 99), "ms", "<=", 100)
    return result
