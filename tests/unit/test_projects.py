"""The Projects service on the in-memory fakes: versions, restore, content addressing, access."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vibe.application.projects import Projects
from vibe.domain.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from vibe.domain.projects import Visibility
from vibe.domain.users import Role, User
from vibe.testing.fakes import FakeClock, SequentialIds
from vibe.testing.memory_db import InMemoryUnitOfWorkFactory
from vibe.testing.strategies import safe_paths


def make_user(user_id: str) -> User:
    clock = FakeClock()
    return User(
        id=user_id,
        email=f"{user_id}@example.com",
        email_normalized=f"{user_id}@example.com",
        display_name=user_id,
        role=Role.USER,
        password_hash="x",
        created_at=clock.now(),
        updated_at=clock.now(),
    )


ADA, BOB = make_user("ada"), make_user("bob")


@pytest.fixture
def db() -> InMemoryUnitOfWorkFactory:
    return InMemoryUnitOfWorkFactory()


@pytest.fixture
def projects(db: InMemoryUnitOfWorkFactory) -> Projects:
    clock = FakeClock()
    return Projects(db, clock, SequentialIds())


async def test_a_new_project_is_empty_at_version_0(projects: Projects) -> None:
    project = await projects.create(ADA, "  My   site ", "about it")
    assert project.name == "My site"
    assert project.current_version == 0
    assert project.visibility is Visibility.PRIVATE
    fetched, files = await projects.get(ADA, project.id)
    assert fetched == project
    assert files == []
    assert await projects.versions(ADA, project.id) == []  # versions start at 1
    with pytest.raises(NotFoundError):
        await projects.restore(ADA, project.id, 0)
    with pytest.raises(NotFoundError):
        await projects.snapshot(ADA, project.id, 0)
    assert (await projects.get(ADA, project.id))[0].current_version == 0


async def test_commits_number_versions_and_never_change_old_ones(projects: Projects) -> None:
    project = await projects.create(ADA, "Site")
    one = await projects.commit(
        project.id, {"index.html": "<h1>1</h1>", "style.css": "a{}"}, "first", "gen-1"
    )
    two = await projects.commit(project.id, {"index.html": "<h1>2</h1>", "style.css": "a{}"}, "second")
    assert (one.number, two.number) == (1, 2)
    assert one.generation_id == "gen-1"
    assert (await projects.snapshot(ADA, project.id, 1)).files == {
        "index.html": "<h1>1</h1>",
        "style.css": "a{}",
    }
    assert (await projects.snapshot(ADA, project.id)).files["index.html"] == "<h1>2</h1>"
    entry, data = await projects.read_file(ADA, project.id, "index.html", version=1)
    assert data == b"<h1>1</h1>"
    assert entry.size == len(data)
    assert entry.content_type == "text/html; charset=utf-8"
    assert [v.summary for v in await projects.versions(ADA, project.id)] == [
        "second",
        "first",
    ]


async def test_restore_makes_a_new_version_equal_to_the_old(projects: Projects) -> None:
    project = await projects.create(ADA, "Site")
    await projects.commit(project.id, {"index.html": "v1"}, "one")
    await projects.commit(project.id, {"index.html": "v2", "app.js": "x"}, "two")
    restored = await projects.restore(ADA, project.id, 1)
    assert restored.number == 3
    assert restored.summary == "Restored version 1"
    assert (await projects.snapshot(ADA, project.id)).files == {"index.html": "v1"}
    with pytest.raises(NotFoundError):
        await projects.restore(ADA, project.id, 0)
    assert [v.number for v in await projects.versions(ADA, project.id)] == [3, 2, 1]


async def test_identical_contents_are_stored_once(projects: Projects, db: InMemoryUnitOfWorkFactory) -> None:
    project = await projects.create(ADA, "Site")
    big = "x" * 10_000
    for i in range(5):
        await projects.commit(project.id, {"style.css": big, "index.html": f"<p>{i}</p>"}, f"v{i}")
    blobs = db.database.state.blobs
    assert len(blobs) == 6  # one stylesheet, five pages


async def test_unknown_versions_and_files_are_404(projects: Projects) -> None:
    project = await projects.create(ADA, "Site")
    await projects.commit(project.id, {"index.html": "x"}, "one")
    with pytest.raises(NotFoundError):
        await projects.snapshot(ADA, project.id, 2)
    with pytest.raises(NotFoundError):
        await projects.read_file(ADA, project.id, "missing.html")
    with pytest.raises(NotFoundError):
        await projects.restore(ADA, project.id, 7)


async def test_bad_files_are_refused_and_nothing_is_stored(projects: Projects) -> None:
    project = await projects.create(ADA, "Site")
    for files in ({"../evil.html": "x"}, {"photo.png": "x"}, {"a.txt": "x" * (1024 * 1024 + 1)}):
        with pytest.raises(InvalidInputError):
            await projects.commit(project.id, files, "bad")
    assert (await projects.get(ADA, project.id))[0].current_version == 0


async def test_private_projects_do_not_exist_for_strangers(projects: Projects) -> None:
    project = await projects.create(ADA, "Secret")
    await projects.commit(project.id, {"index.html": "x"}, "one")
    for attempt in (
        projects.get(BOB, project.id),
        projects.get(None, project.id),
        projects.versions(BOB, project.id),
        projects.read_file(BOB, project.id, "index.html"),
        projects.snapshot(None, project.id),
        projects.restore(BOB, project.id, 1),
        projects.update(BOB, project.id, name="mine"),
        projects.delete(BOB, project.id),
    ):
        with pytest.raises(NotFoundError):
            await attempt
    assert (await projects.list_projects(BOB, 10, 0)).total == 0


async def test_public_projects_are_readable_by_anyone_and_writable_by_the_owner(projects: Projects) -> None:
    project = await projects.create(ADA, "Open")
    await projects.commit(project.id, {"index.html": "x"}, "one")
    await projects.update(ADA, project.id, visibility=Visibility.PUBLIC)
    assert (await projects.get(None, project.id))[0].visibility is Visibility.PUBLIC
    assert (await projects.read_file(BOB, project.id, "index.html"))[1] == b"x"
    for attempt in (
        projects.restore(BOB, project.id, 1),
        projects.update(BOB, project.id, name="mine"),
        projects.delete(BOB, project.id),
    ):
        with pytest.raises(PermissionDeniedError):
            await attempt


async def test_the_list_is_the_callers_newest_first(projects: Projects) -> None:
    names = [f"p{i}" for i in range(5)]
    for name in names:
        await projects.create(ADA, name)
    await projects.create(BOB, "bobs")
    page = await projects.list_projects(ADA, 3, 1)
    assert page.total == 5
    assert [p.name for p in page.items] == ["p3", "p2", "p1"]


async def test_delete_removes_everything(projects: Projects, db: InMemoryUnitOfWorkFactory) -> None:
    project = await projects.create(ADA, "Gone")
    await projects.commit(project.id, {"index.html": "x"}, "one")
    await projects.delete(ADA, project.id)
    with pytest.raises(NotFoundError):
        await projects.get(ADA, project.id)
    state = db.database.state
    assert not state.versions
    assert not state.files
    assert not state.blobs


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.dictionaries(safe_paths(), st.text(max_size=50), max_size=5),
        min_size=1,
        max_size=4,
    )
)
async def test_any_history_restores_exactly(history: list[dict[str, str]]) -> None:
    projects = Projects(InMemoryUnitOfWorkFactory(), FakeClock(), SequentialIds())
    project = await projects.create(ADA, "History")
    for files in history:
        await projects.commit(project.id, files, "step")
    for number, files in enumerate(history, start=1):
        await projects.restore(ADA, project.id, number)
        assert (await projects.snapshot(ADA, project.id)).files == files
        assert (await projects.snapshot(ADA, project.id, number)).files == files
