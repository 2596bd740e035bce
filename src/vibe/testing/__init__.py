"""The test harness vibe ships: fakes of every port, Hypothesis strategies, a stand-in Claude server.

``connect_fake()`` gives a complete ``Vibe`` on in-memory fakes (no database file, no network, no
argon2), so an embedder's tests run in milliseconds against the same use cases as production.

- fakes: ``FakeClock``, ``SequentialIds``, ``FastHasher``, the in-memory database behind every
  repository port (``InMemoryDatabase``, ``InMemoryUnitOfWorkFactory``), and ``ScriptedModel`` with
  ``turn`` and ``chunk_text`` to script what the model answers;
- ``MessagesServer``: the Claude Messages API on loopback, answering from a script of ``Reply``;
- ``ChatCompletionsServer``: an OpenAI-compatible Chat Completions API on loopback, answering from a
  script of ``Completion`` in the ``Flavor`` of OpenAI or of a local server;
- ``strategies``: explicit Hypothesis strategies (also registered for ``st.from_type``).

The server and the strategies load on first use, so importing this package needs neither uvicorn's
start-up nor hypothesis. Production code never imports this package (an import-linter contract).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.ports import ModelClient
from vibe.testing.fakes import FakeClock, FastHasher, SequentialIds
from vibe.testing.memory_db import InMemoryDatabase, InMemoryUnitOfWork, InMemoryUnitOfWorkFactory
from vibe.testing.scripted_model import ScriptedModel, chunk_text, turn

__all__ = [
    "FAKE_JWT_SECRET",
    "ChatCompletionsServer",
    "Completion",
    "FakeClock",
    "FastHasher",
    "Flavor",
    "InMemoryDatabase",
    "InMemoryUnitOfWork",
    "InMemoryUnitOfWorkFactory",
    "LoopbackServer",
    "MessagesServer",
    "RecordedRequest",
    "Reply",
    "ScriptedModel",
    "SequentialIds",
    "chunk_text",
    "connect_fake",
    "strategies",
    "turn",
]

_LAZY = {
    "ChatCompletionsServer": "vibe.testing.chat_server",
    "Completion": "vibe.testing.chat_script",
    "Flavor": "vibe.testing.chat_script",
    "LoopbackServer": "vibe.testing.loopback",
    "MessagesServer": "vibe.testing.messages_server",
    "RecordedRequest": "vibe.testing.messages_server",
    "Reply": "vibe.testing.messages_server",
}

FAKE_JWT_SECRET = "vibe-testing-secret-which-is-long-enough"  # noqa: S105 - for fakes only


def __getattr__(name: str) -> Any:
    if name == "strategies":
        return importlib.import_module("vibe.testing.strategies")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'vibe.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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


if TYPE_CHECKING:
    from vibe.testing import strategies
    from vibe.testing.chat_script import Completion, Flavor
    from vibe.testing.chat_server import ChatCompletionsServer
    from vibe.testing.loopback import LoopbackServer
    from vibe.testing.messages_server import MessagesServer, RecordedRequest, Reply
