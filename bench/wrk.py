"""Closed-loop load with wrk: requests/s and latency percentiles of one URL.

wrk runs with ``--latency`` and ``wrk_report.lua``, whose ``done`` hook prints the exact figures as one
JSON line (wrk's text rounds them); the Lua script also adds the ``Authorization`` header.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["WrkResult", "run_wrk", "start_wrk"]

SCRIPT = Path(__file__).with_name("wrk_report.lua")
_MARK = "BENCH_JSON "


@dataclass(frozen=True)
class WrkResult:
    url: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    errors: int  # connect, read, write and timeout errors, and non-2xx/3xx answers

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _command(
    url: str,
    connections: int,
    seconds: float,
    threads: int,
    token: str | None,
    rate: float | None,
    headers: dict[str, str] | None = None,
) -> list[str]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install -y wrk; nox -s bench does it)")
    return [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "--latency",
        *(f"-H{name}: {value}" for name, value in (headers or {}).items()),
        "-s",
        str(SCRIPT),
        url,
        "--",
        token or "",
        # paced: each connection waits so that all of them together offer about `rate` requests/s
        str(round(connections / rate * 1000)) if rate else "",
    ]


def start_wrk(
    url: str,
    *,
    connections: int,
    seconds: float,
    threads: int = 1,
    token: str | None = None,
    rate: float | None = None,
) -> subprocess.Popen[str]:
    """Start wrk in the background (at full speed, or paced to about ``rate`` requests/s);
    ``finish_wrk`` reads its result."""
    return subprocess.Popen(
        _command(url, connections, seconds, threads, token, rate),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish_wrk(process: subprocess.Popen[str], url: str, connections: int) -> WrkResult:
    output, _ = process.communicate(timeout=600)
    return parse(output, url, connections)


def run_wrk(
    url: str,
    *,
    connections: int,
    seconds: float,
    threads: int = 1,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> WrkResult:
    """wrk against ``url`` for ``seconds`` (with extra request ``headers``); raise if it could not run."""
    process = subprocess.Popen(
        _command(url, connections, seconds, threads, token, None, headers),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return finish_wrk(process, url, connections)


def parse(output: str, url: str, connections: int) -> WrkResult:
    line = next((ln for ln in output.splitlines() if ln.startswith(_MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    raw = json.loads(line[len(_MARK) :])
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in raw if k.startswith("errors_"))
    text_rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    rps = raw["requests"] / seconds if seconds else float(text_rps.group(1) if text_rps else 0)
    return WrkResult(
        url=url,
        connections=connections,
        seconds=round(seconds, 3),
        requests=raw["requests"],
        rps=round(rps, 1),
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        p999_ms=raw["p999_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        errors=errors,
    )
