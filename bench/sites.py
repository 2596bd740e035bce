"""Benchmark 9: a published site served by Host, against ``/ping`` on the same ``vibe serve``.

A project with a realistic ``index.html`` (about 6 KB) and a hashed asset is published at
``bench.sites.bench``; wrk sends that ``Host`` header. Three targets are measured in interleaved
rounds (as benchmarks 1-2 are): ``/ping`` through the app, the site's ``index.html`` (200, the full
body), and its asset revalidated with ``If-None-Match`` (304). The target: each at least 0.8 x
``/ping`` on the same worker(s); the site layer sits in front of the app, so it should beat it.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable

import httpx

from bench.plan import Plan
from bench.results_model import BenchResult
from bench.seed import sign_up
from bench.servers import Deployment, Process, cpu_seconds
from bench.wrk import WrkResult, run_wrk

__all__ = ["sites"]

DOMAIN = "sites.bench"
HOST = f"bench.{DOMAIN}"
ASSET = "app.3f9a1c2b.js"
FILES = {
    "index.html": "<!doctype html><html lang=en><meta charset=utf-8><title>Bench bakery</title>"
    f"<link rel=stylesheet href=style.css><script src={ASSET} defer></script>"
    + "<section><h2>Fresh bread</h2><p>Baked by hand every morning, with flour from the valley.</p></section>"
    * 60,
    "style.css": "body { font: 16px system-ui; margin: 0 } h2 { color: #7a4b1d }\n" * 20,
    ASSET: "document.querySelectorAll('h2').forEach((h) => h.classList.add('ready'));\n" * 20,
}


def _seed(deployed: Deployment, vibe: Process) -> str:
    """A user, a project holding ``FILES`` as version 1 (written through the library, on the same
    database), published as ``bench``; the asset's ETag."""
    from vibe.bootstrap import connect
    from vibe.config import Settings

    account = sign_up(vibe.url, "sites")
    headers = {"Authorization": f"Bearer {account.token}"}
    with httpx.Client(base_url=vibe.url, timeout=30, headers=headers) as client:
        project = client.post("/api/v1/projects", json={"name": "Bench bakery"}).json()

        async def commit() -> None:
            async with connect(Settings.from_env(deployed.env), migrate=False) as library:
                await library.projects.commit(project["id"], FILES, "bench")

        asyncio.run(commit())
        client.post(f"/api/v1/projects/{project['id']}/publish", json={"slug": "bench"}).raise_for_status()
        asset = client.get(f"/{ASSET}", headers={"Host": HOST})
        asset.raise_for_status()
    return asset.headers["etag"]


def _measure(
    process: Process, path: str, seconds: float, plan: Plan, headers: dict[str, str]
) -> tuple[WrkResult, float]:
    before = cpu_seconds(process.tree())
    result = run_wrk(process.url + path, connections=plan.connections, seconds=seconds, headers=headers)
    used = cpu_seconds(process.tree()) - before
    if result.errors:
        raise RuntimeError(f"{path} ({headers}): {result.errors} errors under load")
    return result, used / max(1, result.requests) * 1e6


def sites(deployed: Deployment, plan: Plan) -> BenchResult:
    vibe = deployed.vibe_serve(deployed.setup.serve_workers, {"VIBE_SITES_DOMAIN": DOMAIN})
    with deployed.running(vibe):
        etag = _seed(deployed, vibe)
        targets = {
            "ping": ("/ping", {}),
            "index": ("/", {"Host": HOST}),
            "asset_304": (f"/{ASSET}", {"Host": HOST, "If-None-Match": etag}),
        }
        for path, headers in targets.values():
            _measure(vibe, path, plan.warmup_seconds, plan, headers)
        rounds = [
            {
                name: _measure(vibe, path, plan.round_seconds, plan, headers)
                for name, (path, headers) in targets.items()
            }
            for _ in range(plan.rounds)
        ]

    def median(figure: Callable[[dict[str, tuple[WrkResult, float]]], float]) -> float:
        return statistics.median(figure(one) for one in rounds)

    result = BenchResult("9 published site")
    result.add("vibe /ping", median(lambda one: one["ping"][0].rps), "req/s")
    result.add("site index.html (200)", median(lambda one: one["index"][0].rps), "req/s")
    result.add("site index.html p99", median(lambda one: one["index"][0].p99_ms), "ms")
    result.add("site asset (304)", median(lambda one: one["asset_304"][0].rps), "req/s")
    result.add("site asset (304) p99", median(lambda one: one["asset_304"][0].p99_ms), "ms")
    result.add(
        "index.html / ping", median(lambda one: one["index"][0].rps / one["ping"][0].rps), "ratio", ">=", 0.8
    )
    result.add(
        "asset 304 / ping",
        median(lambda one: one["asset_304"][0].rps / one["ping"][0].rps),
        "ratio",
        ">=",
        0.8,
    )
    result.details = {
        "rounds": [
            {
                name: run.as_dict() | {"server_cpu_us_per_request": round(cpu, 1)}
                for name, (run, cpu) in one.items()
            }
            for one in rounds
        ]
    }
    return result
