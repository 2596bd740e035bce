"""``python -m bench [--quick] [--setup NAME] [--only N ...]``: run the benchmarks (``nox -s bench``).

Each setup gets fresh stores and its own servers on loopback; at the end one table compares the setups
and checks the targets, the results go to ``bench/results/<timestamp>-<setup>.json`` and
``latest.json`` and the figure to ``throughput-latency.png`` beside them; a ``--quick`` or partial run
writes to ``bench/results/partial/`` instead (not kept in git), so only a complete run replaces the
record.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench.account_events import account_events
from bench.assets import assets
from bench.fanout import fanout
from bench.http_api import interleaved
from bench.login import logins
from bench.login_burst import login_burst
from bench.machine import describe
from bench.overhead import generation_overhead
from bench.plan import Plan
from bench.plot import plot
from bench.report import RESULTS, ratios, table, verdicts, write_json
from bench.results_model import BenchResult
from bench.seed import create_projects, sign_up
from bench.servers import SETUPS, Deployment, Setup, deployment
from bench.sites import sites
from bench.tokens import token_economy
from bench.tracing import tracing_overhead

ALL = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _guarded(name: str, work: Callable[[], BenchResult]) -> BenchResult:
    """Run one benchmark; a crash becomes a result that says so instead of ending the run."""
    _say(f"{name}...")
    try:
        return work()
    except Exception as error:
        traceback.print_exc()
        return BenchResult(name, details={"error": f"{type(error).__name__}: {error}"})


def _api_benchmarks(deployed: Deployment, plan: Plan, only: set[int]) -> list[BenchResult]:
    """1-3 share one ``vibe serve`` (real CLI) with a signed-in user owning 20 projects; 1 and 2 are
    measured together, interleaved (``bench.http_api``)."""
    results: list[BenchResult] = []
    vibe = deployed.vibe_serve(deployed.setup.serve_workers)
    with deployed.running(vibe):
        account = sign_up(vibe.url)
        create_projects(vibe.url, account, 20)
        if only & {1, 2}:
            try:
                _say("1-2 ping and reads, interleaved...")
                both = interleaved(deployed, vibe, account, plan)
            except Exception as error:
                traceback.print_exc()
                both = [
                    BenchResult(name, details={"error": f"{type(error).__name__}: {error}"})
                    for name in ("1 ping", "2 reads")
                ]
            results += [r for r, number in zip(both, (1, 2), strict=True) if number in only]
        if 3 in only:
            results.append(_guarded("3 login", lambda: logins(vibe, account, plan)))
    return results


def run_setup(setup: Setup, plan: Plan, only: set[int], folder: Path) -> list[BenchResult]:
    _say(f"setup {setup.name}: {setup.serve_workers} serve worker(s)")
    results: list[BenchResult] = []
    with deployment(setup, folder / setup.name) as deployed:
        if only & {1, 2, 3}:
            results += _api_benchmarks(deployed, plan, only)
        if 4 in only:
            results.append(_guarded("4 SSE fan-out", lambda: fanout(deployed, plan)))
        if 5 in only:
            results.append(_guarded("5 generation overhead", lambda: generation_overhead(deployed, plan)))
        if 7 in only:
            results.append(_guarded("7 login burst", lambda: login_burst(deployed, plan)))
        if 8 in only:
            results.append(_guarded("8 tracing", lambda: tracing_overhead(deployed, plan)))
        if 11 in only:
            results.append(_guarded("11 assets", lambda: assets(deployed, plan)))
        if 9 in only:
            results.append(_guarded("9 published site", lambda: sites(deployed, plan)))
        if 10 in only:
            results.append(_guarded("10 account events", lambda: account_events(deployed, plan)))
    if 6 in only and not setup.services:  # in-process and independent of the stores: run once
        results.append(_guarded("6 token economy", token_economy))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, fewer streams (about 2 minutes)")
    parser.add_argument("--setup", choices=[*SETUPS, "all"], default="all")
    parser.add_argument("--only", type=int, nargs="+", choices=ALL, default=list(ALL), metavar="N")
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan()
    setups = list(SETUPS.values()) if args.setup == "all" else [SETUPS[args.setup]]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    meta = {
        "timestamp": stamp,
        "quick": args.quick,
        "command": "nox -s bench" + (" -- --quick" if args.quick else ""),
        "machine": describe(),
        "plan": dataclasses.asdict(plan),
    }
    runs: dict[str, list[BenchResult]] = {}
    with tempfile.TemporaryDirectory(prefix="vibe-bench-") as folder:
        for setup in setups:
            runs[setup.name] = run_setup(setup, plan, set(args.only), Path(folder))
    complete = not args.quick and args.setup == "all" and set(args.only) == set(ALL)
    out = RESULTS if complete else RESULTS / "partial"  # only a complete run replaces the record
    paths = write_json(runs, meta, stamp, out)
    try:
        paths.append(plot(out / "latest.json", out / "throughput-latency.png"))
    except ImportError:
        _say("matplotlib is not installed (pip install -e '.[bench]'): no figure this time")
    print()
    print(table(runs))
    print("\nratios (within one run, interleaved):\n" + ratios(runs))
    met, checked = verdicts(runs)
    print(f"\ntargets met: {met} of {checked}")
    print("results: " + ", ".join(str(p.relative_to(RESULTS.parent.parent)) for p in paths))
    errors = [r.name for results in runs.values() for r in results if "error" in r.details]
    if errors:
        print(f"benchmarks that crashed: {', '.join(errors)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
