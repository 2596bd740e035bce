"""How a model adapter waits between tries of a call: exponential backoff with jitter, and at least
what the server asked for in ``retry-after`` (capped, so a wild header cannot park a run)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

__all__ = ["Backoff"]

MAX_RETRY_AFTER = 60.0


class Backoff:
    def __init__(
        self,
        *,
        max_tries: int = 4,
        base_delay: float = 1.0,
        max_delay: float = 20.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.max_tries = max_tries
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._sleep = sleep
        self._jitter = jitter

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based)."""
        backoff: float = min(self._max_delay, self._base_delay * 2.0 ** (attempt - 1)) * (
            0.5 + self._jitter()
        )
        return max(backoff, min(retry_after, MAX_RETRY_AFTER)) if retry_after is not None else backoff

    async def wait(self, attempt: int, retry_after: float | None) -> None:
        await self._sleep(self.delay(attempt, retry_after))

    def gave_up(self, reason: str) -> str:
        return f"{reason} It failed {self.max_tries} times; please try again later."
