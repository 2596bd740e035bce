"""The machine and software a run was made on, for the results file and BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, version
from typing import Any

__all__ = ["describe"]

PACKAGES = (
    "vibe",
    "uvicorn",
    "litestar",
    "uvloop",
    "httptools",
    "sqlalchemy",
    "aiosqlite",
    "redis",
    "hiredis",
)


def _read(path: str) -> str:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return ""


def _cpu_model() -> str:
    found = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.MULTILINE)
    return found.group(1).strip() if found else platform.processor()


def _memory_gib() -> float:
    found = re.search(r"^MemTotal:\s+(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    return round(int(found.group(1)) / 1024**2, 1) if found else 0.0


def _versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def _wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        return "absent"
    output = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    return (output.stdout or output.stderr).split("\n", 1)[0].strip()


def describe() -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "os": platform.freedesktop_os_release().get("PRETTY_NAME", platform.system())
        if hasattr(platform, "freedesktop_os_release")
        else platform.system(),
        "python": platform.python_version(),
        "packages": _versions(),
        "wrk": _wrk(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
