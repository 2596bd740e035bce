"""The end of a run: one table of every figure (setups side by side, targets checked) and the JSON files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.results_model import BenchResult, Row

__all__ = ["RESULTS", "ratios", "table", "verdicts", "write_json"]

RESULTS = Path(__file__).resolve().parent / "results"


def _value(row: Row | None) -> str:
    if row is None:
        return "n/a"
    value = row.value
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if row.unit == "ratio" else f"{value:.1f}"
    verdict = {True: " ok", False: " MISS", None: ""}[row.passed]
    return f"{text}{verdict}"


def table(runs: dict[str, list[BenchResult]]) -> str:
    """A plain-text table: one line per figure, one column per setup."""
    setups = list(runs)
    by_setup = {s: {(row.bench, row.metric): row for r in runs[s] for row in r.rows} for s in setups}
    keys: list[tuple[str, str]] = []
    for setup in setups:
        keys += [k for k in by_setup[setup] if k not in keys]
    header = ["benchmark", "figure", "unit", *setups, "target"]
    lines = [header]
    for bench, metric in keys:
        rows = [by_setup[s].get((bench, metric)) for s in setups]
        first = next(r for r in rows if r is not None)
        target = f"{first.op} {first.target:g}" if first.target is not None else ""
        lines.append([bench, metric, first.unit, *(_value(r) for r in rows), target])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rule = "-+-".join("-" * w for w in widths)
    out = [" | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines]
    return "\n".join([out[0], rule, *out[1:]])


def ratios(runs: dict[str, list[BenchResult]]) -> str:
    """The checked ratios alone (issue 22's "done when"), one line each: they are measured within
    one run, so unlike the absolute figures they hold from one machine to another."""
    lines = []
    for setup, results in runs.items():
        for row in (row for r in results for row in r.rows if row.unit == "ratio" and row.target is not None):
            lines.append(f"{setup:14} {row.metric:45} {_value(row):12} (target {row.op} {row.target:g})")
    return "\n".join(lines)


def verdicts(runs: dict[str, list[BenchResult]]) -> tuple[int, int]:
    """(targets met, targets checked) over every setup."""
    checked = [row.passed for results in runs.values() for r in results for row in r.rows]
    return sum(1 for p in checked if p), sum(1 for p in checked if p is not None)


def write_json(
    runs: dict[str, list[BenchResult]], meta: dict[str, Any], stamp: str, folder: Path = RESULTS
) -> list[Path]:
    """``<stamp>-<setup>.json`` per setup and ``latest.json`` with all of them."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    everything = meta | {"setups": {}}
    for setup, results in runs.items():
        document = meta | {"setup": setup, "results": [r.as_dict() for r in results]}
        path = folder / f"{stamp}-{setup}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
        everything["setups"][setup] = document["results"]
    latest = folder / "latest.json"
    latest.write_text(json.dumps(everything, indent=2, ensure_ascii=False) + "\n")
    return [*written, latest]
