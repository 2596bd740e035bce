"""Run the ``vibe`` command as a subprocess, the way users do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

VIBE = [sys.executable, "-m", "vibe.entrypoints.cli"]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment minus every VIBE_/ANTHROPIC_/OPENAI_/OTEL_ variable, plus ``extra``."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("VIBE_", "ANTHROPIC_", "OPENAI_", "OTEL_"))
    }
    return env | extra


def run_vibe(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, input: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*VIBE, *args],
        cwd=cwd,
        env=dict(env or clean_env()),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_ready(url: str, timeout: float) -> float:
    """Seconds until ``url`` answered 200; raise TimeoutError after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer 200 within {timeout}s")


@contextmanager
def serving(cwd: Path, env: Mapping[str, str] | None = None, *args: str) -> Iterator[str]:
    """``vibe serve`` on a free port; yields its base URL and stops it after."""
    with serve_process(cwd, env, *args) as (url, _process):
        yield url


@contextmanager
def serve_process(
    cwd: Path, env: Mapping[str, str] | None = None, *args: str, port: int | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Like ``serving``, also yielding the process (to kill it)."""
    port = port or free_port()
    log = (cwd / "serve.log").open("a")
    process = subprocess.Popen(
        [*VIBE, "serve", "--port", str(port), *args],
        cwd=cwd,
        env=dict(env or clean_env()),
        stdout=log,
        stderr=log,
    )
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
