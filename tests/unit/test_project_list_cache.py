"""The project list is served from the read cache (one entry per owner, the newest 100 projects), and
every write to an owner's projects, a generation's new project included, shows in their next list."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from vibe.adapters.memory import InMemoryCache
from vibe.application.projects import LISTED_PROJECTS_CACHED, Projects
from vibe.domain.projects import Visibility
from vibe.domain.users import Role, User
from vibe.testing import ScriptedModel, connect_fake, turn
from vibe.testing.fakes import FakeClock, SequentialIds
from vibe.testing.memory_db import InMemoryUnitOfWorkFactory


def make_user(user_id: str) -> User:
    now = FakeClock().now()
    return User(
        id=user_id,
        email=f"{user_id}@example.com",
        email_normalized=f"{user_id}@example.com",
        display_name=user_id,
        role=Role.USER,
        password_hash="x",
        created_at=now,
        updated_at=now,
    )


ADA, BOB = make_user("ada"), make_user("bob")


class CountingUow:
    """The in-memory unit of work factory, counting the units of work opened."""

    def __init__(self) -> None:
        self.inner = InMemoryUnitOfWorkFactory()
        self.opened = 0

    def __call__(self, **options: Any) -> Any:
        self.opened += 1
        return self.inner(**options)


@pytest.fixture
def uow() -> CountingUow:
    return CountingUow()


@pytest.fixture
def projects(uow: CountingUow) -> Projects:
    clock = FakeClock()
    return Projects(uow, clock, SequentialIds(), InMemoryCache(now=lambda: clock.now().timestamp()))


async def names(projects: Projects, user: User, limit: int = 20, offset: int = 0) -> list[str]:
    return [p.name for p in (await projects.list_projects(user, limit, offset)).items]


async def test_repeated_lists_read_the_database_once(projects: Projects, uow: CountingUow) -> None:
    for index in range(25):
        await projects.create(ADA, f"Site {index}")
    first = await projects.list_projects(ADA, 20, 0)
    opened = uow.opened
    for _ in range(10):
        assert await projects.list_projects(ADA, 20, 0) == first
    assert uow.opened == opened
    second_page = await projects.list_projects(ADA, 20, 20)
    assert [p.name for p in second_page.items] == [f"Site {i}" for i in range(4, -1, -1)]
    assert second_page.total == 25
    assert uow.opened == opened  # any page within the newest 100 comes from the same entry


async def test_pages_beyond_the_cached_ones_read_the_database(projects: Projects, uow: CountingUow) -> None:
    await projects.create(ADA, "Only")
    opened = uow.opened
    page = await projects.list_projects(ADA, 20, LISTED_PROJECTS_CACHED)
    assert page.items == []
    assert page.total == 1
    assert uow.opened == opened + 1


async def test_every_write_shows_in_the_next_list(projects: Projects) -> None:
    assert await names(projects, ADA) == []
    site = await projects.create(ADA, "First")
    assert await names(projects, ADA) == ["First"]
    await projects.update(ADA, site.id, name="Renamed", visibility=Visibility.PUBLIC)
    listed = (await projects.list_projects(ADA, 20, 0)).items
    assert [(p.name, p.visibility) for p in listed] == [("Renamed", Visibility.PUBLIC)]
    await projects.commit(site.id, {"index.html": "<!doctype html><p>hi</p>"}, "v1")
    assert [p.current_version for p in (await projects.list_projects(ADA, 20, 0)).items] == [1]
    await projects.restore(ADA, site.id, 1)
    assert [p.current_version for p in (await projects.list_projects(ADA, 20, 0)).items] == [2]
    await projects.delete(ADA, site.id)
    assert await names(projects, ADA) == []


async def test_owners_lists_are_kept_apart(projects: Projects) -> None:
    await projects.create(ADA, "Ada's")
    assert await names(projects, BOB) == []
    await projects.create(BOB, "Bob's")
    assert await names(projects, ADA) == ["Ada's"]
    assert await names(projects, BOB) == ["Bob's"]


async def test_a_generation_that_makes_a_project_shows_in_the_list_at_once() -> None:
    page = "<!doctype html><title>x</title><p>hi</p>"
    model = ScriptedModel(
        [turn("", [("write_file", {"path": "index.html", "content": page})]), turn("Done.")]
    )
    model.gate = asyncio.Event()  # the model waits: the generation is started, not finished
    async with connect_fake(model) as app:
        ada = await app.accounts.register("ada@example.com", "correct horse battery")
        assert (await app.projects.list_projects(ada, 20, 0)).items == []  # cached: empty
        started = await app.generations.start(ada, "A page for a bakery")
        listed = (await app.projects.list_projects(ada, 20, 0)).items
        assert [(p.id, p.current_version) for p in listed] == [(started.project_id, 0)]
        model.gate.set()
        events = [e async for e in await app.generations.events(ada, started.id) if e is not None]
        assert events[-1].name == "done"
        listed = (await app.projects.list_projects(ada, 20, 0)).items
        assert [(p.id, p.current_version) for p in listed] == [(started.project_id, 1)]
