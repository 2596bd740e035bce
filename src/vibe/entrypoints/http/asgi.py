"""The ASGI factory uvicorn imports in each worker process: settings from the environment, then the app."""

from __future__ import annotations

import gc
import os

from litestar import Litestar

from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.entrypoints.http.app import create_app
from vibe.entrypoints.logs import configure_logging

__all__ = ["app", "freeze_startup_objects"]


def app() -> Litestar:
    settings = Settings.from_env(os.environ)
    configure_logging(settings.log_level, tracing=settings.tracing)
    # `vibe serve` migrated already; a worker process must not race the others doing it again.
    application = create_app(connect(settings, migrate=False))
    freeze_startup_objects()
    return application


def freeze_startup_objects() -> None:
    """Move what exists now (modules, the app: most of the heap, and all of it for good) out of the
    cyclic collector's sight. Otherwise each full collection walks it again: with a thousand open
    streams that is a 60-90 ms pause of the event loop every few seconds, felt by every stream."""
    gc.collect()
    gc.freeze()
