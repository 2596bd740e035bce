"""The account feed of one process (the embedded default): every listener is in this process."""

from __future__ import annotations

from vibe.adapters.feed_window import FeedWindow
from vibe.domain.events import StoredEvent
from vibe.domain.ports import AccountFeed

__all__ = ["InMemoryAccountFeed"]


class InMemoryAccountFeed(AccountFeed):
    """The last ``window`` events of each account, numbered in this process."""

    def __init__(self, window: int = 512) -> None:
        self._accounts: dict[str, FeedWindow] = {}
        self._size = window

    def _window(self, user_id: str) -> FeedWindow:
        window = self._accounts.get(user_id)
        if window is None:
            window = self._accounts[user_id] = FeedWindow(size=self._size)
        return window

    async def publish(self, user_id: str, name: str, data: bytes) -> None:
        window = self._window(user_id)
        window.add([StoredEvent(window.seen + 1, name, data)])

    async def last(self, user_id: str) -> int:
        return self._window(user_id).seen

    async def read(self, user_id: str, after: int, timeout: float) -> list[StoredEvent]:
        window = self._window(user_id)
        found = window.since(after)
        if found is None:
            return list(window.events)  # older than the window: what it still holds
        if found or timeout <= 0:
            return found
        await window.wait(after, timeout)
        return window.since(after) or []

    async def aclose(self) -> None:
        return None
