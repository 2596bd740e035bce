"""Published sites on the real databases (SQLite and MariaDB): the unique slug, an atomic move, the
site going with its project, and the administrators' list."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import JWT_SECRET
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.errors import ConflictError, NotFoundError
from vibe.domain.users import Role, User
from vibe.testing import seams
from vibe.testing.fakes import FastHasher


@pytest.fixture
async def app(any_database_url: str) -> AsyncIterator[Vibe]:
    settings = Settings(
        database_url=any_database_url, jwt_secret=JWT_SECRET, sites_domain="sites.example.com"
    )
    async with connect(settings, migrate=True, hasher=FastHasher()) as vibe:
        yield vibe


async def user(app: Vibe, email: str, admin: bool = False) -> User:
    created = await app.accounts.register(email, "password-123", email.split("@")[0])
    if admin:
        async with seams.database(app)() as uow:
            changed = await uow.users.change(created.id, created.updated_at, role=Role.ADMIN)
            await uow.commit()
        assert changed is not None
        return changed
    return created


async def site_of(app: Vibe, owner: User, name: str, versions: int = 2) -> str:
    project = await app.projects.create(owner, name)
    for n in range(versions):
        await app.projects.commit(project.id, {"index.html": f"<p>{n + 1}</p>"}, "v")
    return project.id


async def test_publish_republish_unpublish(app: Vibe) -> None:
    ada = await user(app, "ada@example.com")
    project_id = await site_of(app, ada, "Ada's Bakery")
    site = await app.sites.publish(ada, project_id, version=1)
    assert (site.slug, site.version) == ("ada-s-bakery", 1)
    moved = await app.sites.publish(ada, project_id, slug="bakery")
    assert (moved.slug, moved.version) == ("bakery", 2)
    assert (await app.sites.state(ada, project_id)).slug == "bakery"
    table = await app.sites.table("bakery")
    assert table is not None
    assert table.version == 2
    assert await app.sites.content(table, "index.html") == b"<p>2</p>"
    assert await app.sites.table("ada-s-bakery") is None
    await app.sites.unpublish(ada, project_id)
    with pytest.raises(NotFoundError):
        await app.sites.state(ada, project_id)


async def test_a_slug_is_held_by_one_site(app: Vibe) -> None:
    ada, bob = await user(app, "ada@example.com"), await user(app, "bob@example.com")
    first, second = await site_of(app, ada, "Shop"), await site_of(app, bob, "Shop")
    await app.sites.publish(ada, first, slug="shop-one")
    with pytest.raises(ConflictError):
        await app.sites.publish(bob, second, slug="shop-one")
    async with seams.database(app)() as uow:  # the database itself refuses, whatever checks before
        site = await uow.sites.get(first)
        assert site is not None
        with pytest.raises(ConflictError):
            await uow.sites.put(
                site.__class__(
                    **{**{f: getattr(site, f) for f in site.__struct_fields__}, "project_id": second}
                )
            )
    assert (await app.sites.publish(bob, second)).slug == "shop"


async def test_the_site_goes_with_its_project_and_admins_see_every_site(app: Vibe) -> None:
    ada, root = await user(app, "ada@example.com"), await user(app, "root@example.com", admin=True)
    kept, dropped = await site_of(app, ada, "Kept"), await site_of(app, ada, "Dropped")
    await app.sites.publish(ada, kept)
    await app.sites.publish(ada, dropped)
    assert (await app.sites.all_sites(root, 10, 0)).total == 2
    assert sorted(await app.sites.slugs_of_owner(ada.id)) == ["dropped", "kept"]
    assert await app.sites.slugs_of_owner(root.id) == []
    await app.projects.delete(ada, dropped)
    page = await app.sites.all_sites(root, 10, 0)
    assert [s.site.slug for s in page.items] == ["kept"]
    await app.sites.take_down(root, kept)
    assert (await app.sites.all_sites(root, 10, 0)).total == 0
