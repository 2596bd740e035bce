"""The ASGI factory each ``vibe serve`` worker runs: it builds the app from the environment and moves
the startup heap out of the cyclic collector's sight (``gc.freeze``), so full collections stay short
while many streams are open."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar

from vibe.entrypoints.http import asgi
from vibe.entrypoints.http.access_log import ACCESS_LOG


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No frozen objects before; after, none again, and the logging the factory set up undone (the
    root handlers, and the access log's sink, which a later test may expect to be logging's)."""
    monkeypatch.setattr(ACCESS_LOG, "sink", ACCESS_LOG.sink)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    gc.unfreeze()
    yield
    gc.unfreeze()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_factory_freezes_the_startup_heap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    monkeypatch.setenv("VIBE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}")
    monkeypatch.setenv("VIBE_LOG_LEVEL", "WARNING")
    assert gc.get_freeze_count() == 0
    application = asgi.app()
    assert isinstance(application, Litestar)
    assert gc.get_freeze_count() > 10_000  # the modules and the app: not walked by full collections
    assert gc.isenabled()  # cycles made while serving are still collected
