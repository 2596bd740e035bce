"""vibe on uvicorn (``vibe serve``) against vibe on granian, interleaved (not in the plan).

    python -m bench.servers_compare [--setup embedded|mariadb-redis] [--rounds 3] [--seconds 5]

Both servers run the same app (``vibe.entrypoints.http.asgi:app``, the same worker count, a fresh
Prometheus multiprocess folder each), bare Litestar on uvicorn runs beside them as the yardstick, and
wrk measures ``/ping``, ``/api/v1/users/me`` and ``/api/v1/projects`` on each, every target once per
round. Printed per server: requests/s, server CPU per request and p99 / p50, medians over the rounds.
Needs granian (``pip install granian``); the behaviours uvicorn keeps and granian does not are in
BENCHMARKS.md ("The server").
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.http_api import Measured, measure
from bench.plan import Plan
from bench.seed import create_projects, sign_up
from bench.servers import SETUPS, Deployment, Process, deployment, free_port, ready

__all__ = ["main"]

PATHS = {"ping": "/ping", "users/me": "/api/v1/users/me", "projects": "/api/v1/projects"}


def granian(deployed: Deployment, workers: int) -> Process:
    binary = shutil.which("granian") or str(Path(sys.executable).with_name("granian"))
    port = free_port()
    argv = [binary, "--interface", "asgi", "--factory", "--workers", str(workers), "--loop", "uvloop"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "vibe.entrypoints.http.asgi:app"]
    folder = tempfile.mkdtemp(prefix="vibe-metrics-")
    process = deployed.start(f"granian-{port}", argv, {"PROMETHEUS_MULTIPROC_DIR": folder})
    return ready(process, f"http://127.0.0.1:{port}", "/readyz")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--setup", choices=list(SETUPS), default="embedded")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    setup = SETUPS[args.setup]
    plan = Plan(round_seconds=args.seconds)
    with (
        tempfile.TemporaryDirectory(prefix="vibe-bench-") as folder,
        deployment(setup, Path(folder)) as deployed,
    ):
        servers = {
            "Litestar (uvicorn)": deployed.uvicorn("bench.bare_litestar:app", setup.serve_workers),
            "vibe on uvicorn": deployed.vibe_serve(setup.serve_workers),
            "vibe on granian": granian(deployed, setup.serve_workers),
        }
        account = sign_up(servers["vibe on uvicorn"].url)
        create_projects(servers["vibe on uvicorn"].url, account, 20)
        targets = [("Litestar (uvicorn)", "ping")]
        targets += [(server, name) for server in list(servers)[1:] for name in PATHS]
        for server, name in targets:  # warm-up
            measure(servers[server], PATHS[name], plan.warmup_seconds, plan, account.token)
        rounds: list[dict[tuple[str, str], Measured]] = []
        for _ in range(args.rounds):
            rounds.append(
                {
                    (server, name): measure(
                        servers[server], PATHS[name], plan.round_seconds, plan, account.token
                    )
                    for server, name in targets
                }
            )
    print(
        f"{setup.name}, {setup.serve_workers} worker(s), "
        f"{args.rounds} interleaved rounds of {args.seconds:g} s:"
    )
    for server, name in targets:
        runs = [one[(server, name)] for one in rounds]
        rps = statistics.median(m.run.rps for m in runs)
        cpu = statistics.median(m.cpu_us for m in runs)
        tail = statistics.median(m.run.p99_ms / max(m.run.p50_ms, 1e-3) for m in runs)
        print(f"  {server:20} {name:9} {rps:9,.0f} req/s  {cpu:6.1f} µs CPU/request  p99/p50 {tail:5.1f}")


if __name__ == "__main__":
    main()
