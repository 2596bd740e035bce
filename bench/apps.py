"""Bench-only entry points: vibe's own app and worker, with a bench model instead of the configured one.

``app()`` is an ASGI factory for uvicorn, the twin of ``vibe.entrypoints.http.asgi:app``:
``create_app(connect(settings, model=...))``. ``python -m bench.apps worker`` is the twin of
``vibe worker``. The model comes from ``BENCH_MODEL`` (``instant`` or ``paced``, see ``bench.models``);
the rest of the configuration is read from the environment exactly as vibe reads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys

from litestar import Litestar

from bench.models import InstantModel, PacedModel
from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.domain.ports import ModelClient
from vibe.entrypoints.http.app import create_app
from vibe.entrypoints.http.asgi import serving
from vibe.entrypoints.logs import configure_logging
from vibe.entrypoints.worker import run_worker

__all__ = ["app", "bench_model", "main"]


def bench_model() -> ModelClient:
    kind = os.environ.get("BENCH_MODEL", "instant")
    if kind == "instant":
        return InstantModel()
    if kind == "paced":
        return PacedModel(
            rate=float(os.environ.get("BENCH_PACE_RATE", "20")),
            chunks=int(os.environ.get("BENCH_PACE_CHUNKS", "200")),
            delay=float(os.environ.get("BENCH_PACE_DELAY", "0")),
        )
    raise SystemExit(f"BENCH_MODEL must be instant or paced, not {kind!r}")


def app() -> Litestar:
    """What ``vibe serve`` builds in each worker process, with the bench model."""
    settings = Settings.from_env(os.environ)
    configure_logging(settings.log_level, tracing=settings.tracing)
    return serving(create_app(connect(settings, migrate=False, model=bench_model())))


async def _worker(concurrency: int) -> None:
    """``vibe worker`` with the bench model."""
    settings = Settings.from_env(os.environ)
    configure_logging(settings.log_level, tracing=settings.tracing)
    await run_worker(settings, concurrency, model=bench_model())


def main(argv: list[str]) -> None:
    if argv[:1] != ["worker"]:
        raise SystemExit("usage: python -m bench.apps worker [CONCURRENCY]")
    concurrency = int(argv[1]) if len(argv) > 1 else 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_worker(concurrency))


if __name__ == "__main__":
    main(sys.argv[1:])
