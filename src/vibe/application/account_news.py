"""Telling an account's listeners what changed (docs/api.md, "Live changes of your account").

Every write that a user's other tabs, devices or processes should see calls one method here after
its commit; ``follow`` is what ``GET /api/v1/events`` streams. Nothing here reads the database: an
event names what changed, and the feed fans it out to the account's listeners.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

from vibe.domain.account_events import ProjectAction, ProjectNews, SessionNews, VersionNews
from vibe.domain.events import Event, StoredEvent, encode
from vibe.domain.generations import Generation
from vibe.domain.ports import AccountFeed
from vibe.domain.users import User

__all__ = ["AccountNews"]

log = logging.getLogger("vibe.news")


class AccountNews:
    def __init__(self, feed: AccountFeed | None, heartbeat_seconds: float = 15.0) -> None:
        self._feed = feed
        self._heartbeat = heartbeat_seconds

    async def _tell(self, user_id: str, event: Event) -> None:
        if self._feed is None:
            return
        name, data = encode(event)
        try:
            await self._feed.publish(user_id, name, data)
        except Exception:  # the change is made; a lost notice must not turn it into an error
            log.exception("could not tell %s's listeners of a %s", user_id, name)

    async def project(self, owner_id: str, project_id: str, action: ProjectAction) -> None:
        await self._tell(owner_id, ProjectNews(id=project_id, action=action))

    async def version(self, owner_id: str, project_id: str, number: int) -> None:
        await self._tell(owner_id, VersionNews(project_id=project_id, number=number))

    async def session(self, generation: Generation) -> None:
        news = SessionNews(id=generation.id, project_id=generation.project_id, status=generation.status.value)
        await self._tell(generation.user_id, news)

    async def follow(self, actor: User, after: int | None) -> AsyncIterator[StoredEvent | None]:
        """The account's events after ``after`` (None: from now on), then live ones, for ever;
        ``None`` marks a quiet heartbeat (the caller sends a comment line)."""
        if self._feed is None:
            return _quiet(self._heartbeat)
        last = await self._feed.last(actor.id)
        # An id past the last (the feed's numbering started again): from now on.
        cursor = last if after is None else min(max(0, after), last)
        return _follow(self._feed, actor.id, cursor, self._heartbeat)


async def _follow(
    feed: AccountFeed, user_id: str, cursor: int, heartbeat: float
) -> AsyncIterator[StoredEvent | None]:
    quiet_since = time.monotonic()
    while True:
        batch = await feed.read(user_id, cursor, timeout=heartbeat)
        for event in batch:
            if event.seq > cursor:
                yield event
                cursor = event.seq
        if batch:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= heartbeat * 0.9:
            quiet_since = time.monotonic()
            yield None


async def _quiet(heartbeat: float) -> AsyncIterator[StoredEvent | None]:
    while True:
        await asyncio.sleep(heartbeat)
        yield None
