"""A readiness probe: a name and the call that must succeed before the app takes traffic."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from vibe.domain.ports import ReadinessProbe

__all__ = ["Probe"]


class Probe(ReadinessProbe):
    def __init__(self, name: str, ping: Callable[[], Awaitable[object]]) -> None:
        self.name = name
        self._ping = ping

    async def ping(self) -> None:
        await self._ping()
