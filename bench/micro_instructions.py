"""Instructions per request through the ASGI app, counted by valgrind (a micro-benchmark, not in the plan).

    python -m bench.micro_instructions [--route /ping ...] [--src OTHER/src] [--bare] [--repeat K]

Seconds on a shared virtual machine move with its neighbours (this host has served the same code at
half the speed from one hour to the next); instructions do not. For each route this runs the app of
``python -m bench.micro_request_path`` (``create_app`` on a throwaway SQLite file, the access log on
and written to ``/dev/null``, the heap frozen as a serving worker freezes it) under ``valgrind
--tool=cachegrind`` twice, with 200 and with 1,200 requests after the same warm-up, and prints the
difference over 1,000: what one more request costs, the start-up cancelled out (nearly: run alone,
estimates of the same code agree within 0.3 %; with another valgrind beside it the shared start-up
costs differently and they moved by up to 2.5 %; ``--repeat K`` gives the median and range of K).
``--src`` counts another checkout's ``src`` instead (an A/B: run it once for each, alone);
``--bare`` counts benchmark 1's bare Litestar app (``/ping`` only). Each estimate takes 2-3 minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEW, MANY, WARM_UP = 200, 1200, 300

__all__ = ["main"]


def count(route: str, src: Path, bare: bool) -> int:
    """Instructions one request of ``route`` costs (one estimate)."""
    totals = [_instructions(route, src, bare, requests) for requests in (FEW, MANY)]
    return (totals[1] - totals[0]) // (MANY - FEW)


def summary(figures: list[int]) -> str:
    """One estimate as it is; several as their median and range."""
    if len(figures) == 1:
        return f"{figures[0]:>9,}"
    ordered = sorted(figures)
    median = int(statistics.median(ordered))
    return f"{median:>9,} (median of {len(ordered)}: {ordered[0]:,} to {ordered[-1]:,})"


def _instructions(route: str, src: Path, bare: bool, requests: int) -> int:
    env = os.environ | {"PYTHONPATH": f"{src}{os.pathsep}{ROOT}", "PYTHONHASHSEED": "0"}
    argv = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    argv += [sys.executable, "-m", "bench.micro_instructions", "--child", route, str(requests)]
    done = subprocess.run([*argv, "--bare"] if bare else argv, env=env, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def child(route: str, requests: int, bare: bool) -> None:
    """The process valgrind watches: the app, warmed up, then ``requests`` requests of ``route``."""
    import tempfile

    import uvloop

    from bench.bare_litestar import app as bare_litestar
    from bench.micro_request_path import call, seed
    from bench.servers import BENCH_JWT_SECRET
    from vibe.bootstrap import connect
    from vibe.config import Settings
    from vibe.entrypoints.http.access_log import ACCESS_LOG
    from vibe.entrypoints.http.app import create_app
    from vibe.entrypoints.http.asgi import freeze_startup_objects
    from vibe.entrypoints.logs import configure_logging

    async def run(folder: str) -> None:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{folder}/vibe.db", jwt_secret=BENCH_JWT_SECRET)
        vibe = connect(settings)
        await vibe.start()
        try:
            app = bare_litestar if bare else create_app(vibe)
            headers = [] if route == "/ping" else await seed(app)
            for _ in range(WARM_UP):
                await call(app, "GET", route, headers)
            freeze_startup_objects()
            for _ in range(requests):
                await call(app, "GET", route, headers)
            ACCESS_LOG.flush()
        finally:
            await vibe.aclose()

    with (
        tempfile.TemporaryDirectory() as folder,
        open(os.devnull, "w") as devnull,
        contextlib.redirect_stderr(devnull),
    ):
        configure_logging("INFO")  # as `vibe serve` does: the access log on
        uvloop.run(run(folder))
        ACCESS_LOG.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--route", action="append", help="default: /ping, /api/v1/users/me, /api/v1/projects")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the vibe to count (its src folder)")
    parser.add_argument("--bare", action="store_true", help="bare Litestar instead of vibe")
    parser.add_argument("--repeat", type=int, default=1, help="estimates per route (median and range)")
    parser.add_argument("--child", nargs=2, metavar=("ROUTE", "REQUESTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.bare)
        return
    routes = args.route or (["/ping"] if args.bare else ["/ping", "/api/v1/users/me", "/api/v1/projects"])
    for route in routes:
        figures = [count(route, args.src.resolve(), args.bare) for _ in range(max(1, args.repeat))]
        print(f"{route:24} {summary(figures)} instructions/request", flush=True)


if __name__ == "__main__":
    main()
