"""vibe on an in-memory SQLite database: one shared connection, units of work take turns."""

from __future__ import annotations

import asyncio

from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.domain.events import Done, Event
from vibe.domain.users import User
from vibe.testing import FastHasher


async def test_the_library_runs_on_in_memory_sqlite() -> None:
    settings = Settings(database_url="sqlite+aiosqlite://", offline_pace_seconds=0)
    async with connect(settings, hasher=FastHasher()) as app:
        users = await asyncio.gather(
            *(app.accounts.register(f"user{i}@example.com", "correct horse battery") for i in range(10))
        )

        async def generate(user: User) -> list[Event]:
            return [event async for event in app.generate(user, "a blog")]

        runs = await asyncio.gather(*(generate(user) for user in users[:3]))
        assert all(isinstance(events[-1], Done) for events in runs)
        assert (await app.projects.list_projects(users[0], 10, 0)).total == 1
