"""The last events of one account as a process holds them, and the wake-up of its listeners.

Shared by the in-process feed and the Redis one: listeners of an account in a process wait on one
``asyncio.Event`` (replaced at each batch), so a batch costs one wake-up per listener and no query.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

from vibe.domain.events import StoredEvent

__all__ = ["FeedWindow"]


class FeedWindow:
    """``floor``: the window holds every event of its account numbered above it (numbers may skip, as
    they do when several accounts share one sequence)."""

    __slots__ = ("events", "floor", "last_read", "seen", "size", "waiters", "wake")

    def __init__(self, seen: int = 0, size: int = 512) -> None:
        self.seen = seen
        self.floor = seen
        self.size = size
        self.events: list[StoredEvent] = []
        self.wake = asyncio.Event()
        self.waiters = 0
        self.last_read = time.monotonic()

    def add(self, fresh: Sequence[StoredEvent]) -> None:
        fresh = [event for event in fresh if event.seq > self.seen]
        if not fresh:
            return
        kept = self.events + fresh
        if len(kept) > self.size:
            self.floor = kept[-self.size - 1].seq
            kept = kept[-self.size :]
        self.events = kept
        self.seen = fresh[-1].seq
        wake, self.wake = self.wake, asyncio.Event()
        wake.set()

    def since(self, after: int) -> list[StoredEvent] | None:
        """The events after ``after`` (clamped to what was seen); None when the window does not reach
        back that far (then the caller may look further back, or take what the window holds)."""
        self.last_read = time.monotonic()
        after = min(after, self.seen)
        if after == self.seen:
            return []
        if after < self.floor:
            return None
        return [event for event in self.events if event.seq > after]

    async def wait(self, after: int, timeout: float) -> None:
        """Until an event past ``after`` (clamped to what was seen) arrives, or ``timeout``."""
        after = min(after, self.seen)
        self.waiters += 1
        wake = self.wake
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    while self.seen <= after:
                        await wake.wait()
                        wake = self.wake
        finally:
            self.waiters -= 1
            self.last_read = time.monotonic()
