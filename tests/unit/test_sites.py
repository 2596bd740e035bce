"""Published sites on the in-memory fakes: slug rules, Host headers, publish, republish, unpublish,
access, administrators, and a serving path that does not reach the database per request."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vibe.adapters.memory import InMemoryCache
from vibe.application.projects import Projects
from vibe.application.sites import Sites
from vibe.domain.errors import (
    ConflictError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
)
from vibe.domain.projects import Visibility
from vibe.domain.sites import MAX_SLUG_CHARS, RESERVED_SLUGS, Slug, slug_of_host
from vibe.domain.users import Role, User
from vibe.testing.fakes import FakeClock, SequentialIds
from vibe.testing.memory_db import InMemoryUnitOfWork, InMemoryUnitOfWorkFactory

LABEL_CHARS = string.ascii_lowercase + string.digits + "-"
DOMAIN = b"sites.example.com"


def is_label(value: str) -> bool:
    return (
        3 <= len(value) <= 63
        and all(c in LABEL_CHARS for c in value)
        and value[0] != "-"
        and value[-1] != "-"
        and value[2:4] != "--"
        and value not in RESERVED_SLUGS
    )


labels = st.text(LABEL_CHARS, min_size=3, max_size=63).filter(is_label)


# --- slugs ----------------------------------------------------------------------------------------


@given(st.text(max_size=80) | st.text(LABEL_CHARS + "A_. ", max_size=70))
def test_a_slug_is_exactly_an_unreserved_dns_label(raw: str) -> None:
    if is_label(raw):
        assert Slug.parse(raw) == raw
    else:
        with pytest.raises(InvalidInputError):
            Slug.parse(raw)


@given(labels)
def test_every_valid_label_parses_to_itself(slug: str) -> None:
    assert Slug.parse(Slug.parse(slug)) == slug


@pytest.mark.parametrize(
    "raw",
    [
        "ab",
        "a" * 64,
        "-abc",
        "abc-",
        "Bakery",
        "ba_ke",
        "xn--abc",
        "www",
        "api",
        "admin",
        "app",
        "café",
        "",
        " abc",
    ],
)
def test_bad_and_reserved_slugs_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInputError):
        Slug.parse(raw)


@given(st.text(max_size=200), labels)
def test_a_slug_read_from_any_name_is_valid(name: str, fallback: str) -> None:
    slug = Slug.from_name(name, fallback)
    assert Slug.parse(slug) == slug


@given(labels, st.integers(1, 10**12))
def test_numbered_slugs_stay_labels(base: str, n: int) -> None:
    numbered = Slug.numbered(base, n)
    assert len(numbered) <= MAX_SLUG_CHARS
    assert numbered.endswith(f"-{n}")


def test_names_give_readable_slugs() -> None:
    assert Slug.from_name("Café Menu!", "site-x1") == "cafe-menu"
    assert Slug.from_name("巴黎面包店", "site-x1") == "site-x1"
    assert Slug.from_name("Admin", "site-x1") == "site-x1"


# --- Host headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "slug"),
    [
        (b"bakery.sites.example.com", "bakery"),
        (b"BAKERY.Sites.Example.COM", "bakery"),
        (b"bakery.sites.example.com:8443", "bakery"),
        (b"bakery.sites.example.com.", "bakery"),
        (b"bakery.sites.example.com.:443", "bakery"),
        (b"sites.example.com", ""),
        (b"sites.example.com.", ""),
        (b"a.bakery.sites.example.com", ""),
        (b"www.sites.example.com", ""),
        (b"ba_d.sites.example.com", ""),
        (b"\xff\xfe.sites.example.com", ""),
        (b".sites.example.com", ""),
        (b"example.com", None),
        (b"evilsites.example.com", None),
        (b"bakery.sites.example.com.evil.net", None),
        (b"127.0.0.1:8000", None),
        (b"[::1]:8000", None),
        (b"", None),
    ],
)
def test_hosts_name_a_site_nothing_or_the_app(host: bytes, slug: str | None) -> None:
    assert slug_of_host(host, DOMAIN) == slug


@given(st.binary(max_size=80))
def test_any_host_header_is_answered_without_error(host: bytes) -> None:
    found = slug_of_host(host, DOMAIN)
    assert found is None or found == "" or Slug.parse(found) == found


@given(labels)
def test_every_slug_is_found_in_its_host(slug: str) -> None:
    assert slug_of_host(slug.encode() + b"." + DOMAIN, DOMAIN) == slug
    assert slug_of_host(slug.upper().encode() + b"." + DOMAIN.upper() + b".:80", DOMAIN) == slug


# --- the service ----------------------------------------------------------------------------------


def make_user(user_id: str, role: Role = Role.USER) -> User:
    now = FakeClock().now()
    return User(
        id=user_id,
        email=f"{user_id}@example.com",
        email_normalized=f"{user_id}@example.com",
        display_name=user_id,
        role=role,
        password_hash="x",
        created_at=now,
        updated_at=now,
    )


ADA, BOB, ROOT = make_user("ada"), make_user("bob"), make_user("root", Role.ADMIN)


class CountingUnitOfWorks(InMemoryUnitOfWorkFactory):
    """The in-memory database, counting the units of work opened on it."""

    opened = 0

    def __call__(self, *, readonly: bool = False) -> InMemoryUnitOfWork:
        self.opened += 1
        return super().__call__(readonly=readonly)


@pytest.fixture
def db() -> CountingUnitOfWorks:
    return CountingUnitOfWorks()


@pytest.fixture
def projects(db: CountingUnitOfWorks) -> Projects:
    return Projects(db, FakeClock(), SequentialIds())


@pytest.fixture
def sites(db: CountingUnitOfWorks) -> Sites:
    return Sites(db, FakeClock(), InMemoryCache(), domain="sites.example.com")


async def make_site(
    projects: Projects, owner: User = ADA, name: str = "The Bakery", versions: int = 1
) -> str:
    project = await projects.create(owner, name)
    for n in range(versions):
        await projects.commit(project.id, {"index.html": f"<h1>v{n + 1}</h1>", "style.css": "h1{}"}, "v")
    return project.id


async def test_publish_takes_the_current_version_and_a_slug_from_the_name(
    projects: Projects, sites: Sites
) -> None:
    project_id = await make_site(projects, versions=2)
    site = await sites.publish(ADA, project_id)
    assert (site.slug, site.version) == ("the-bakery", 2)
    assert sites.url(site) == "https://the-bakery.sites.example.com/"
    assert await sites.state(ADA, project_id) == site
    table = await sites.table("the-bakery")
    assert table is not None
    assert (table.version, sorted(table.files)) == (2, ["index.html", "style.css"])
    assert await sites.content(table, "index.html") == b"<h1>v2</h1>"


async def test_republish_moves_the_site_and_unpublish_takes_it_down(projects: Projects, sites: Sites) -> None:
    project_id = await make_site(projects, versions=3)
    await sites.publish(ADA, project_id, version=1)
    assert (await sites.table("the-bakery")).version == 1  # type: ignore[union-attr]
    moved = await sites.publish(ADA, project_id, version=3, slug="bread")
    assert (moved.slug, moved.version) == ("bread", 3)
    assert await sites.table("the-bakery") is None
    assert (await sites.table("bread")).version == 3  # type: ignore[union-attr]
    again = await sites.publish(ADA, project_id)  # keeps its slug
    assert again.slug == "bread"
    await sites.unpublish(ADA, project_id)
    assert await sites.table("bread") is None
    with pytest.raises(NotFoundError):
        await sites.state(ADA, project_id)
    with pytest.raises(NotFoundError):
        await sites.unpublish(ADA, project_id)


async def test_slugs_are_unique_across_the_instance(projects: Projects, sites: Sites) -> None:
    first = await make_site(projects)
    second = await make_site(projects, owner=BOB)
    assert (await sites.publish(ADA, first)).slug == "the-bakery"
    assert (await sites.publish(BOB, second)).slug == "the-bakery-2"  # a free one, from the name
    with pytest.raises(ConflictError):
        await sites.publish(BOB, second, slug="the-bakery")
    with pytest.raises(InvalidInputError):
        await sites.publish(BOB, second, slug="www")


async def test_only_the_owner_publishes(projects: Projects, sites: Sites) -> None:
    project_id = await make_site(projects)
    with pytest.raises(NotFoundError):  # someone else's private project does not exist
        await sites.publish(BOB, project_id)
    await projects.update(ADA, project_id, visibility=Visibility.PUBLIC)
    with pytest.raises(PermissionDeniedError):
        await sites.publish(BOB, project_id)
    with pytest.raises(NotFoundError):
        await sites.publish(ADA, project_id, version=7)
    site = await sites.publish(ADA, project_id)
    assert await sites.state(BOB, project_id) == site  # readable: the site is public anyway
    with pytest.raises(PermissionDeniedError):
        await sites.unpublish(BOB, project_id)


async def test_an_empty_project_or_an_instance_without_a_domain_publishes_nothing(
    db: CountingUnitOfWorks, projects: Projects, sites: Sites
) -> None:
    empty = await projects.create(ADA, "Empty")
    with pytest.raises(InvalidStateError):
        await sites.publish(ADA, empty.id)
    off = Sites(db, FakeClock(), domain=None)
    with pytest.raises(InvalidStateError, match="VIBE_SITES_DOMAIN"):
        await off.publish(ADA, await make_site(projects))


async def test_administrators_list_every_site_and_take_one_down(projects: Projects, sites: Sites) -> None:
    first, second = await make_site(projects), await make_site(projects, owner=BOB, name="Shop")
    await sites.publish(ADA, first)
    await sites.publish(BOB, second)
    with pytest.raises(PermissionDeniedError):
        await sites.all_sites(ADA, 10, 0)
    page = await sites.all_sites(ROOT, 10, 0)
    assert page.total == 2
    assert await sites.slugs_of_owner(BOB.id) == ["shop"]
    assert {s.site.slug for s in page.items} == {"the-bakery", "shop"}
    with pytest.raises(PermissionDeniedError):
        await sites.take_down(ADA, second)
    await sites.take_down(ROOT, second)
    assert await sites.table("shop") is None
    assert (await sites.all_sites(ROOT, 10, 0)).total == 1


async def test_serving_reads_the_table_from_the_cache(
    db: CountingUnitOfWorks, projects: Projects, sites: Sites
) -> None:
    await sites.publish(ADA, await make_site(projects))
    await sites.table("the-bakery")
    await sites.table("nobody-here")
    before = db.opened
    for _ in range(50):
        assert await sites.table("the-bakery") is not None
        assert await sites.table("nobody-here") is None
    assert db.opened == before


async def test_deleting_the_project_deletes_its_site(projects: Projects, sites: Sites) -> None:
    project_id = await make_site(projects)
    await sites.publish(ADA, project_id)
    await projects.delete(ADA, project_id)
    assert (await sites.all_sites(ROOT, 10, 0)).total == 0
