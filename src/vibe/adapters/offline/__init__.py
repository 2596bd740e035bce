"""The offline model: a deterministic, network-free stand-in for Claude that writes and edits real
multi-file sites through the same streaming tool-call protocol."""

from __future__ import annotations

from vibe.adapters.offline.model import OfflineModel

__all__ = ["OfflineModel"]
