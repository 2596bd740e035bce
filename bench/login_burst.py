"""Benchmark 7: a burst of 150 concurrent wrong passwords for one account while other people sign in.

Other users sign in at 20 a second on a fixed schedule (open loop, cycling over 40 accounts); two
seconds in, 150 sign-ins with a wrong password for one account arrive at once, all from the same
address as everybody else (loopback). Each 401 of the burst is a password that was checked (hashed);
each 429 was refused before any hashing. Targets: the burst gets no more passwords checked than the
limit (``VIBE_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS``, 10), and the others' sign-in p99 stays under
200 ms.

``python -m bench.login_burst [--setup embedded|mariadb-redis] [--quick]`` runs it alone; ``python -m
bench --only 7`` runs it with the others.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import secrets
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.openloop import open_loop, percentile
from bench.plan import Plan
from bench.results_model import BenchResult
from bench.seed import PASSWORD
from bench.servers import SETUPS, Deployment, deployment

__all__ = ["BURST", "OTHERS", "login_burst", "main"]

BURST = 150
OTHERS = 40
LIMIT = 10  # VIBE_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS, default
# When the burst comes, seconds into the others' sign-ins: its connections, opened beforehand, are idle
# until then, and uvicorn closes a connection idle for 5 s (``timeout_keep_alive``); a request sent on
# one as it closes gets no answer (httpx ReadError), which would count as a burst request unanswered.
BURST_AT = 2.0


async def _register(client: httpx.AsyncClient, emails: list[str]) -> None:
    for email in emails:
        made = await client.post("/api/v1/users", json={"email": email, "password": PASSWORD})
        made.raise_for_status()


async def _fire(url: str, victim: str) -> list[int]:
    """The burst's own process: open BURST connections, say "ready", wait for a line on stdin, then
    send BURST wrong passwords for ``victim`` at once; their statuses (0: no answer)."""
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=BURST)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        await asyncio.gather(*(client.get("/ping") for _ in range(BURST)))  # the connections, warm
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        body = {"email": victim, "password": "not the password at all"}
        answers = await asyncio.gather(
            *(client.post("/api/v1/auth/login", json=body) for _ in range(BURST)), return_exceptions=True
        )
    for answer in answers:
        if not isinstance(answer, httpx.Response):
            print(f"burst request without an answer: {answer!r}", file=sys.stderr)
    return [a.status_code if isinstance(a, httpx.Response) else 0 for a in answers]


class Burst:
    """The burst, fired from a process of its own, started and connected before the measurement, so
    neither making 150 requests nor starting Python holds up the other users' client."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def ready(cls, url: str, victim: str) -> Burst:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.login_burst",
            "--fire",
            url,
            victim,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None
        if (await process.stdout.readline()).strip() != b"ready":
            raise RuntimeError("the burst process did not start")
        return cls(process)

    async def fire(self, delay: float) -> tuple[list[int], float]:
        """After ``delay``: the statuses, and how long until the last answer."""
        await asyncio.sleep(delay)
        started = time.monotonic()
        out, _ = await self._process.communicate(b"go\n")
        return json.loads(out), time.monotonic() - started


async def _measure(
    url: str, rate: float, seconds: float
) -> tuple[list[float], dict[int, int], list[int], float]:
    tag = secrets.token_hex(3)
    victim = f"victim-{tag}@example.com"
    others = [f"user{i}-{tag}@example.com" for i in range(OTHERS)]
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        await _register(client, [victim, *others])
        await client.post("/api/v1/auth/login", json={"email": others[0], "password": PASSWORD})  # warm
        turn = itertools.cycle(others)
        refused: dict[int, int] = {}

        async def sign_in(c: httpx.AsyncClient) -> httpx.Response:
            response = await c.post("/api/v1/auth/login", json={"email": next(turn), "password": PASSWORD})
            if not response.is_success:
                refused[response.status_code] = refused.get(response.status_code, 0) + 1
            return response

        burst = asyncio.create_task((await Burst.ready(url, victim)).fire(min(BURST_AT, seconds / 3)))
        run = await open_loop(client, rate, seconds, sign_in)
        statuses, burst_seconds = await burst
    return run.latencies_ms, refused, statuses, burst_seconds


def login_burst(deployed: Deployment, plan: Plan) -> BenchResult:
    result = BenchResult("7 login burst")
    vibe = deployed.vibe_serve(deployed.setup.serve_workers, {"VIBE_REGISTRATIONS_PER_ADDRESS": "100000"})
    with deployed.running(vibe):
        latencies, failed, statuses, burst_seconds = asyncio.run(
            _measure(vibe.url, plan.login_rate, plan.login_seconds)
        )
    if failed:
        raise RuntimeError(f"sign-ins of other users refused during the burst (status: count): {failed}")
    checked = statuses.count(401)
    result.add(f"burst: passwords checked of {BURST}", checked, "hashes", "<=", LIMIT)
    result.add("burst: refused before hashing (429)", statuses.count(429), "requests")
    result.add("burst: all answered within", burst_seconds * 1000, "ms")
    result.add(f"others' login p99 at {plan.login_rate:g}/s", percentile(latencies, 99), "ms", "<=", 200)
    result.add(f"others' login p50 at {plan.login_rate:g}/s", percentile(latencies, 50), "ms")
    result.details = {
        "burst": BURST,
        "burst_statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "others_offered_per_second": plan.login_rate,
        "others_seconds": plan.login_seconds,
        "others_ok": len(latencies),
        "others_latency_ms": {q: round(percentile(latencies, q), 2) for q in (50, 90, 99, 100)},
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.login_burst", description=__doc__)
    parser.add_argument("--setup", choices=list(SETUPS), default="embedded")
    parser.add_argument("--quick", action="store_true", help="a shorter run of the other users' sign-ins")
    parser.add_argument("--fire", nargs=2, metavar=("URL", "EMAIL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.fire:  # the burst's own process
        print(json.dumps(asyncio.run(_fire(*args.fire))))
        return 0
    plan = Plan.quick() if args.quick else Plan()
    with (
        tempfile.TemporaryDirectory(prefix="vibe-bench-") as folder,
        deployment(SETUPS[args.setup], Path(folder) / args.setup) as deployed,
    ):
        result = login_burst(deployed, plan)
    for row in result.rows:
        target = f"  (target {row.op} {row.target:g}: {'met' if row.passed else 'NOT met'})" if row.op else ""
        print(f"{row.metric:45} {row.value:10.1f} {row.unit}{target}")
    print(f"details: {result.details}")
    return 0 if all(row.passed is not False for row in result.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
