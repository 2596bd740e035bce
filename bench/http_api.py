"""Benchmarks 1 and 2, measured in one interleaved run: ``GET /ping`` on a bare ASGI app, on bare
Litestar and on vibe, then vibe's authenticated reads ``GET /api/v1/users/me`` and
``GET /api/v1/projects`` (20 items), all with wrk at ``plan.connections`` connections.

The three servers run side by side. Each target gets one warm-up, then ``plan.rounds`` rounds measure
every target once in turn (bare, Litestar, vibe /ping, users/me, projects; then again), so a slow
spell of the machine falls on every target alike rather than on whichever ran then. A ratio is taken
within each round (targets measured a few seconds apart) and the median over the rounds is reported;
absolute figures are medians over the rounds too. p99 / p50 is the tail of one saturated server:
in each round the worst of vibe's three targets; the median of the rounds, and the worst round.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from bench.plan import Plan
from bench.results_model import BenchResult
from bench.seed import Account
from bench.servers import Deployment, Process, cpu_seconds
from bench.wrk import WrkResult, run_wrk

__all__ = ["Measured", "interleaved", "measure"]

TARGETS = (
    ("bare", "/ping"),
    ("litestar", "/ping"),
    ("vibe", "/ping"),
    ("users_me", "/api/v1/users/me"),
    ("projects", "/api/v1/projects"),
)
VIBE_TARGETS = ("vibe", "users_me", "projects")


@dataclass(frozen=True)
class Measured:
    run: WrkResult
    cpu_us: float  # the server's CPU (all its processes) per request

    def as_dict(self) -> dict[str, object]:
        return self.run.as_dict() | {"server_cpu_us_per_request": round(self.cpu_us, 1)}


def measure(process: Process, path: str, seconds: float, plan: Plan, token: str | None = None) -> Measured:
    """wrk against ``process`` for ``seconds``, with the server's CPU time per request."""
    url = process.url + path
    before = cpu_seconds(process.tree())
    result = run_wrk(url, connections=plan.connections, seconds=seconds, token=token)
    used = cpu_seconds(process.tree()) - before
    if result.errors:
        raise RuntimeError(f"{url}: {result.errors} errors under load")
    return Measured(result, used / max(1, result.requests) * 1e6)


def interleaved(deployed: Deployment, vibe: Process, account: Account, plan: Plan) -> list[BenchResult]:
    """Benchmarks 1 and 2 from the same rounds."""
    workers = deployed.setup.serve_workers
    bare = deployed.uvicorn("bench.bare:app", workers)
    litestar = deployed.uvicorn("bench.bare_litestar:app", workers)
    servers = {"bare": bare, "litestar": litestar, "vibe": vibe, "users_me": vibe, "projects": vibe}
    tokens = {"users_me": account.token, "projects": account.token}
    rounds: list[dict[str, Measured]] = []
    with deployed.running(bare, litestar):
        for name, path in TARGETS:
            measure(servers[name], path, plan.warmup_seconds, plan, tokens.get(name))
        for _ in range(plan.rounds):
            rounds.append(
                {
                    name: measure(servers[name], path, plan.round_seconds, plan, tokens.get(name))
                    for name, path in TARGETS
                }
            )
    return [_ping(rounds, deployed), _reads(rounds, deployed)]


def _median(rounds: list[dict[str, Measured]], figure: Callable[[dict[str, Measured]], float]) -> float:
    return statistics.median(figure(one) for one in rounds)


def _rps(name: str) -> Callable[[dict[str, Measured]], float]:
    return lambda one: one[name].run.rps


def _ratio(top: str, bottom: str) -> Callable[[dict[str, Measured]], float]:
    return lambda one: one[top].run.rps / one[bottom].run.rps


def _cpu_ratio(top: str, bottom: str) -> Callable[[dict[str, Measured]], float]:
    """``top`` / ``bottom`` in requests per CPU second of the server: less swayed by a busy machine
    than requests per second, since it does not count the time the server waited for a core."""
    return lambda one: one[bottom].cpu_us / one[top].cpu_us


def _tail(run: WrkResult) -> float:
    return run.p99_ms / max(run.p50_ms, 1e-3)


def _ping(rounds: list[dict[str, Measured]], deployed: Deployment) -> BenchResult:
    result = BenchResult("1 ping")
    result.add("vibe /ping", _median(rounds, _rps("vibe")), "req/s")
    result.add("vibe /ping p99", _median(rounds, lambda one: one["vibe"].run.p99_ms), "ms")
    result.add("bare ASGI /ping", _median(rounds, _rps("bare")), "req/s")
    result.add("bare ASGI /ping p99", _median(rounds, lambda one: one["bare"].run.p99_ms), "ms")
    result.add("bare Litestar /ping", _median(rounds, _rps("litestar")), "req/s")
    result.add("vibe / Litestar (/ping)", _median(rounds, _ratio("vibe", "litestar")), "ratio", ">=", 0.8)
    result.add(
        "vibe / Litestar by server CPU (reference)", _median(rounds, _cpu_ratio("vibe", "litestar")), "ratio"
    )
    result.add("vibe / bare (reference)", _median(rounds, _ratio("vibe", "bare")), "ratio")
    result.add("Litestar / bare (reference)", _median(rounds, _ratio("litestar", "bare")), "ratio")
    # The tail of one saturated server: in each round the worst p99 / p50 of vibe's three targets; the
    # median of the rounds is checked (one noisy spell of the machine should not decide it), the worst
    # round is shown beside it. The target is one embedded worker's; with two workers it is a reference.
    tails = [max(_tail(one[name].run) for name in VIBE_TARGETS) for one in rounds]
    target = None if deployed.setup.services else 5.0
    result.add(
        "vibe p99 / p50 at 64 connections", statistics.median(tails), "ratio", "<=" if target else "", target
    )
    result.add("vibe p99 / p50, worst round (reference)", max(tails), "ratio")
    result.details = {
        "rounds": [{name: measured.as_dict() for name, measured in one.items()} for one in rounds],
        "ratios_per_round": [
            {
                "vibe/litestar": one["vibe"].run.rps / one["litestar"].run.rps,
                "users_me/ping": one["users_me"].run.rps / one["vibe"].run.rps,
                "projects/ping": one["projects"].run.rps / one["vibe"].run.rps,
            }
            for one in rounds
        ],
    }
    return result


def _reads(rounds: list[dict[str, Measured]], deployed: Deployment) -> BenchResult:
    result = BenchResult("2 reads")
    sqlite = not deployed.setup.services
    result.add("GET /users/me", _median(rounds, _rps("users_me")), "req/s")
    result.add("GET /users/me p99", _median(rounds, lambda one: one["users_me"].run.p99_ms), "ms")
    result.add("users/me / ping", _median(rounds, _ratio("users_me", "vibe")), "ratio", ">=", 0.6)
    result.add(
        "users/me / ping by server CPU (reference)", _median(rounds, _cpu_ratio("users_me", "vibe")), "ratio"
    )
    result.add(
        "GET /projects (20 items)", _median(rounds, _rps("projects")), "req/s", ">=", 3000 if sqlite else None
    )
    result.add("GET /projects p99", _median(rounds, lambda one: one["projects"].run.p99_ms), "ms")
    result.add("projects / ping", _median(rounds, _ratio("projects", "vibe")), "ratio", ">=", 0.5)
    result.add(
        "projects / ping by server CPU (reference)", _median(rounds, _cpu_ratio("projects", "vibe")), "ratio"
    )
    result.details = {
        "server_cpu_us_per_request": {
            name: _median(rounds, lambda one, name=name: one[name].cpu_us) for name, _ in TARGETS
        }
    }
    return result
