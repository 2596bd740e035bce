"""The ASGI factory each ``vibe serve`` worker runs: it builds the app from the environment, moves the
startup heap out of the cyclic collector's sight (``gc.freeze``) before and after the app starts, so
full collections stay short while many streams are open, and lets the young generation grow (a
request's objects in flight no longer set off a collection every few requests)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from vibe.entrypoints.http import asgi
from vibe.entrypoints.http.access_log import ACCESS_LOG


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No frozen objects before; after, none again, and the logging the factory set up undone (the
    root handlers, and the access log's sink, which a later test may expect to be logging's)."""
    monkeypatch.setattr(ACCESS_LOG, "sink", ACCESS_LOG.sink)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
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
    assert gc.get_threshold()[0] == asgi.YOUNG_GENERATION > 700


def test_what_the_app_makes_as_it_starts_is_frozen_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    monkeypatch.setenv("VIBE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}")
    monkeypatch.setenv("VIBE_LOG_LEVEL", "WARNING")
    application = asgi.app()
    frozen = gc.get_freeze_count()
    with TestClient(application) as client:  # runs the startup hooks: vibe starts, then the freeze
        assert client.get("/ping").status_code == 200
        started = gc.get_freeze_count()
    assert started > frozen
