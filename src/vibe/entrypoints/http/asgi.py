"""The ASGI factory uvicorn imports in each worker process: settings from the environment, then the app."""

from __future__ import annotations

import gc
import os

from litestar import Litestar

from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.entrypoints.http.app import create_app
from vibe.entrypoints.logs import configure_logging

__all__ = ["YOUNG_GENERATION", "app", "freeze_startup_objects", "serving"]


def app() -> Litestar:
    settings = Settings.from_env(os.environ)
    configure_logging(settings.log_level, tracing=settings.tracing)
    # `vibe serve` migrated already; a worker process must not race the others doing it again.
    return serving(create_app(connect(settings, migrate=False)))


# Objects the cyclic collector lets pile up before it looks at the young generation (CPython's default
# is 700). Under load each request's objects live across turns of the event loop, so at the default
# a worker ran a young collection every few requests, each walking the requests in flight, and moved
# them to the older generations, which set off a full collection (10-20 ms of stopped loop) every
# half second: 7 % of a worker's time on `GET /api/v1/users/me` with two workers on MariaDB and Redis
# (BENCHMARKS.md, issue 22). Garbage cycles still go within 10,000 allocations.
YOUNG_GENERATION = 10_000


def serving(application: Litestar) -> Litestar:
    """Tune the collector of a serving process for ``application``: the heap is frozen now and again
    once the app has started (its pools, connections and background tasks live as long)."""
    freeze_startup_objects()
    application.on_startup.append(freeze_startup_objects)  # after `vibe.start`, the first hook
    return application


def freeze_startup_objects() -> None:
    """Move what exists now (modules, the app: most of the heap, and all of it for good) out of the
    cyclic collector's sight, and let the young generation grow to ``YOUNG_GENERATION``. Otherwise
    each full collection walks it again: with a thousand open streams that is a 60-90 ms pause of the
    event loop every few seconds, felt by every stream."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION, 10, 10)
