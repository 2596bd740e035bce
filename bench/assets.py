"""Benchmark 11, assets: upload throughput, serving an asset (200s and 304s), and memory.

One ``vibe serve`` (the setup's workers) and a signed-in user. Measured:
- sequential uploads of distinct 1 MiB PNGs (``PUT .../files/{path}``): uploads/s and MiB/s;
- 10 concurrent uploads of distinct 1 MiB PNGs to one project, each its own version: the serve
  workers' resident memory above idle, less the assets' own bytes (target: at most 64 MiB);
- serving one 5 MiB asset: requests/s of full 200 answers and the worker's memory above its idle
  level while serving them (target: under 64 MiB), then requests/s of ``304`` revalidations
  (``If-None-Match``: the answer comes from the file row, no bytes read).
The client is Python (threads of ``httpx``): request rates are a lower bound of the server's.
"""

from __future__ import annotations

import contextlib
import io
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from PIL import Image

from bench.plan import Plan
from bench.results_model import BenchResult
from bench.seed import Account, sign_up
from bench.servers import Deployment, Process, rss_bytes

__all__ = ["assets"]

MIB = 1024 * 1024
NAME = "11 assets"


def noise_png(target_bytes: int, seed: int) -> bytes:
    """A PNG of about ``target_bytes`` that does not compress (random pixels)."""
    side = int((target_bytes / 3) ** 0.5)
    rng = random.Random(seed)
    picture = Image.frombytes("RGB", (side, side), rng.randbytes(3 * side * side))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


class _Peak(threading.Thread):
    """The highest resident memory of any of ``pids``, sampled every 50 ms."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = {pid: 0 for pid in pids}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for pid in self.pids:
                with contextlib.suppress(OSError):
                    self.peak[pid] = max(self.peak[pid], rss_bytes(pid))
            self.stop.wait(0.05)

    def __enter__(self) -> _Peak:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.join()


def _workers(server: Process) -> list[int]:
    """The processes that answer requests: uvicorn's workers, or the server itself with one."""
    tree = server.tree()
    return [pid for pid in tree if pid != server.popen.pid] or [server.popen.pid]


def _project(client: httpx.Client, name: str) -> str:
    made = client.post("/api/v1/projects", json={"name": name})
    made.raise_for_status()
    return str(made.json()["id"])


def _put(client: httpx.Client, project: str, path: str, data: bytes) -> None:
    answer = client.put(
        f"/api/v1/projects/{project}/files/{path}", content=data, headers={"Content-Type": "image/png"}
    )
    if answer.status_code != 201:
        raise RuntimeError(f"upload of {path}: {answer.status_code} {answer.text[:200]}")


def _rate(url: str, headers: dict[str, str], seconds: float, threads: int, expect: int) -> tuple[float, int]:
    """Requests/s of GET ``url`` from ``threads`` keep-alive clients for ``seconds``; and the errors."""
    deadline = time.monotonic() + seconds
    counts = [0] * threads
    errors = [0] * threads

    def loop(index: int) -> None:
        with httpx.Client(headers=headers, timeout=30) as client:
            while time.monotonic() < deadline:
                answer = client.get(url)
                if answer.status_code == expect:
                    counts[index] += 1
                else:
                    errors[index] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(loop, range(threads)))
    return sum(counts) / (time.monotonic() - started), sum(errors)


def assets(deployed: Deployment, plan: Plan) -> BenchResult:
    result = BenchResult(NAME)
    server = deployed.vibe_serve(
        deployed.setup.serve_workers, {"VIBE_MAX_PROJECT_BYTES": str(4 * 1024 * MIB)}
    )
    with deployed.running(server):
        account = sign_up(server.url, "assets")
        details = _measure(server, account, plan, result)
    result.details = details
    return result


def _measure(server: Process, account: Account, plan: Plan, result: BenchResult) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {account.token}"}
    uploads = 8 if plan.rounds < 3 else 24
    images = [noise_png(MIB, seed) for seed in range(uploads + 10)]
    big = noise_png(5 * MIB - 64 * 1024, 999)
    workers = _workers(server)
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        # Sequential uploads.
        project = _project(client, "uploads")
        started = time.monotonic()
        for index in range(uploads):
            _put(client, project, f"images/photo-{index}.png", images[index])
        took = time.monotonic() - started
        sent = sum(len(i) for i in images[:uploads])
        result.add("uploads of 1 MiB, one after another", uploads / took, "uploads/s")
        result.add("upload throughput", sent / MIB / took, "MiB/s")

        # Ten concurrent uploads to one project: each its own version, memory beyond the bytes.
        crowd = _project(client, "concurrent")
        idle = {pid: rss_bytes(pid) for pid in workers}
        batch = images[uploads : uploads + 10]
        with _Peak(workers) as peak, ThreadPoolExecutor(10) as pool:
            list(pool.map(lambda n: _put(client, crowd, f"images/c-{n}.png", batch[n]), range(10)))
        versions = client.get(f"/api/v1/projects/{crowd}/versions").json()["items"]
        grown = sum(max(0, peak.peak[pid] - idle[pid]) for pid in workers)
        beyond = max(0, grown - sum(len(b) for b in batch))
        result.add("10 concurrent uploads: memory beyond the assets", beyond / MIB, "MiB", "<=", 64)

        # Serving a 5 MiB asset.
        _put(client, project, "images/big.png", big)
        url = f"{server.url}/api/v1/projects/{project}/files/images/big.png"
        first = client.get(url)
        etag = first.headers["etag"]
        idle_serve = {pid: rss_bytes(pid) for pid in workers}
        with _Peak(workers) as peak:
            full_rps, full_errors = _rate(url, headers, plan.round_seconds, 4, 200)
        serve_grown = max(max(0, peak.peak[pid] - idle_serve[pid]) for pid in workers)
        result.add("5 MiB asset, full answers", full_rps, "req/s")
        result.add("5 MiB asset: serve worker memory above idle", serve_grown / MIB, "MiB", "<=", 64)
        not_modified, nm_errors = _rate(url, headers | {"If-None-Match": etag}, plan.round_seconds, 8, 304)
        result.add("5 MiB asset, 304 revalidations", not_modified, "req/s")
    return {
        "serve_workers": len(workers),
        "sequential_uploads": uploads,
        "sequential_seconds": round(took, 2),
        "concurrent_versions": len(versions),
        "concurrent_memory_grown_mib": round(grown / MIB, 1),
        "big_asset_bytes": len(big),
        "full_errors": full_errors,
        "not_modified_errors": nm_errors,
        "client": "python httpx threads (rates are a lower bound)",
    }
