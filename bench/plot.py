"""The figure of BENCHMARKS.md: throughput and latency of each setup, from ``latest.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["plot"]

THROUGHPUT = [
    ("1 ping", "bare ASGI /ping", "bare ASGI\n/ping"),
    ("1 ping", "bare Litestar /ping", "bare Litestar\n/ping"),
    ("1 ping", "vibe /ping", "vibe\n/ping"),
    ("2 reads", "GET /users/me", "vibe\n/users/me"),
    ("2 reads", "GET /projects (20 items)", "vibe\n/projects"),
]
LATENCY = [
    ("1 ping", "bare ASGI /ping p99", "/ping p99\n(bare)"),
    ("1 ping", "vibe /ping p99", "/ping p99"),
    ("2 reads", "GET /users/me p99", "users/me\np99"),
    ("2 reads", "GET /projects p99", "projects\np99"),
    ("3 login", "login p50 at 20/s", "login p50\n@20/s"),
    ("3 login", "/ping p99 during logins", "/ping p99\nduring login"),
    ("4 SSE fan-out", "first-event overhead p99", "SSE first\nevent p99"),
    ("5 generation overhead", "POST -> done p50", "generation\np50"),
]


def _values(results: list[dict[str, Any]], wanted: list[tuple[str, str, str]]) -> list[float]:
    rows = {(r["bench"], r["metric"]): r["value"] for result in results for r in result["rows"]}
    return [float(rows.get((bench, metric), 0.0)) for bench, metric, _ in wanted]


def plot(latest: Path, output: Path) -> Path:
    import matplotlib  # type: ignore[import-not-found, unused-ignore]

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import-not-found, unused-ignore]

    document = json.loads(latest.read_text())
    setups: dict[str, list[dict[str, Any]]] = document["setups"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), dpi=90)
    width = 0.8 / max(1, len(setups))
    for index, (setup, results) in enumerate(setups.items()):
        for axis, wanted in ((left, THROUGHPUT), (right, LATENCY)):
            values = _values(results, wanted)
            positions = [i + (index - (len(setups) - 1) / 2) * width for i in range(len(wanted))]
            bars = axis.bar(positions, values, width, label=setup)
            axis.bar_label(bars, fmt="%.0f", fontsize=7, padding=1)
    left.set_xticks(range(len(THROUGHPUT)), [label for *_, label in THROUGHPUT], fontsize=8)
    left.set_ylabel("requests/s (wrk, 64 connections)")
    left.set_title("Throughput")
    right.set_xticks(range(len(LATENCY)), [label for *_, label in LATENCY], fontsize=8)
    right.set_ylabel("milliseconds")
    right.set_yscale("log")
    right.set_title("Latency (log scale)")
    for axis in (left, right):
        axis.legend(fontsize=8)
        axis.grid(axis="y", alpha=0.3)
    machine = document.get("machine", {})
    figure.suptitle(
        f"vibe benchmarks, {document.get('timestamp', '')} - {machine.get('cpu', '')}, "
        f"{machine.get('cores', '?')} cores",
        fontsize=10,
    )
    figure.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output)
    plt.close(figure)
    return output
