"""``vibe worker``: a process that runs queued generations (VIBE_QUEUE=redis).

It takes jobs from the Redis consumer group, runs each through ``Vibe.generations.run`` and re-queues
sessions nobody runs any more. SIGTERM or Ctrl-C stop it: it takes no new job and gives the running
ones a grace period before cancelling them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from typing import Any

from vibe.bootstrap import connect
from vibe.config import Settings

__all__ = ["run_worker"]

log = logging.getLogger("vibe.worker")


async def run_worker(
    settings: Settings, concurrency: int, stop: asyncio.Event | None = None, **overrides: Any
) -> None:
    """Run until ``stop`` is set (or SIGTERM/SIGINT); ``overrides`` replace container providers as in
    ``vibe.connect`` (the benchmarks pass their own model)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with connect(settings, **overrides) as app:
        log.info("worker %s-%d ready (concurrency %d)", socket.gethostname(), os.getpid(), concurrency)
        await app.run_worker(concurrency, stop, consumer=f"{socket.gethostname()}-{os.getpid()}")
