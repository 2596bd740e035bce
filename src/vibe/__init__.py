"""vibe: describe a web page, get a small multi-file site written by Claude, streamed live and versioned.

The public API, imported lazily: ``import vibe`` reads no environment, opens no connection and starts
no thread. ``vibe.connect(settings)`` builds the application; see the README for an example.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "InvalidInputError",
    "InvalidStateError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "Settings",
    "SettingsError",
    "UnavailableError",
    "UpstreamError",
    "Vibe",
    "VibeError",
    "__version__",
    "connect",
]

_LAZY = {
    "connect": "vibe.bootstrap",
    "Vibe": "vibe.bootstrap",
    "Settings": "vibe.config",
    "SettingsError": "vibe.config",
} | {
    name: "vibe.domain.errors"
    for name in (
        "AuthenticationError",
        "ConflictError",
        "InvalidInputError",
        "InvalidStateError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitedError",
        "UnavailableError",
        "UpstreamError",
        "VibeError",
    )
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'vibe' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from vibe.bootstrap import Vibe, connect
    from vibe.config import Settings, SettingsError
    from vibe.domain.errors import (
        AuthenticationError,
        ConflictError,
        InvalidInputError,
        InvalidStateError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitedError,
        UnavailableError,
        UpstreamError,
        VibeError,
    )
