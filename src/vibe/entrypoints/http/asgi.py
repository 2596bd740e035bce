"""The ASGI factory uvicorn imports in each worker process: settings from the environment, then the app."""

from __future__ import annotations

import os

from litestar import Litestar

from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.entrypoints.http.app import create_app
from vibe.entrypoints.logs import configure_logging

__all__ = ["app"]


def app() -> Litestar:
    settings = Settings.from_env(os.environ)
    configure_logging(settings.log_level)
    # `vibe serve` migrated already; a worker process must not race the others doing it again.
    return create_app(connect(settings, migrate=False))
