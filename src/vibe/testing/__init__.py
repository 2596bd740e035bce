"""The test harness vibe ships: fakes of every port, Hypothesis strategies, a stand-in Claude server.

``connect_fake()`` gives a complete ``Vibe`` on in-memory fakes (no database file, no network, no
argon2), so an embedder's tests run in milliseconds against the same use cases as production.
Production code never imports this package (an import-linter contract enforces it).
"""

from __future__ import annotations

from typing import Any

from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.ports import ModelClient
from vibe.testing.fakes import FakeClock, FastHasher, SequentialIds
from vibe.testing.memory_db import InMemoryDatabase, InMemoryUnitOfWorkFactory
from vibe.testing.scripted_model import ScriptedModel, chunk_text, turn

__all__ = [
    "FakeClock",
    "FastHasher",
    "InMemoryDatabase",
    "InMemoryUnitOfWorkFactory",
    "ScriptedModel",
    "SequentialIds",
    "chunk_text",
    "connect_fake",
    "turn",
]

FAKE_JWT_SECRET = "vibe-testing-secret-which-is-long-enough"  # noqa: S105 - for fakes only


def connect_fake(
    model: ModelClient | None = None, *, settings: Settings | None = None, **overrides: Any
) -> Vibe:
    """``vibe.connect`` on fakes: in-memory database, fast hasher, and ``model`` (default: the
    offline model at full speed). Use it as ``async with connect_fake() as app:``. Any provider of
    the container can still be overridden by name, e.g. ``clock=FakeClock()``."""
    settings = settings or Settings(
        database_url="sqlite+aiosqlite://", jwt_secret=FAKE_JWT_SECRET, offline_pace_seconds=0
    )
    fakes: dict[str, Any] = {"uow": InMemoryUnitOfWorkFactory(), "hasher": FastHasher()}
    if model is not None:
        fakes["model"] = model
    return connect(settings, migrate=False, **(fakes | overrides))
