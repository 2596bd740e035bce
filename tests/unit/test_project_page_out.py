"""The project list's API shape: each project the read cache hands out again is converted once (the
same object gives the same conversion), a changed project is converted anew, and few are kept."""

from __future__ import annotations

from datetime import UTC, datetime

from vibe.domain.ports import Page
from vibe.domain.projects import Project, Visibility
from vibe.entrypoints.http import project_schemas
from vibe.entrypoints.http.project_schemas import project_out, project_page_out

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def project(number: int, name: str = "Bakery") -> Project:
    return Project(
        id=f"p{number}",
        owner_id="u1",
        name=name,
        description="",
        visibility=Visibility.PRIVATE,
        current_version=1,
        created_at=NOW,
        updated_at=NOW,
    )


def test_the_same_projects_are_converted_once_and_a_changed_one_again() -> None:
    cached = [project(n) for n in range(3)]
    first = project_page_out(Page(items=cached[:2], total=3))
    again = project_page_out(Page(items=cached, total=3))  # another page of the same objects
    assert first.items == [project_out(p) for p in cached[:2]]
    assert again.items[0] is first.items[0]
    assert again.items[1] is first.items[1]
    assert again.total == 3
    renamed = project(0, "Bakery and café")  # after a write: a new object
    assert project_page_out(Page(items=[renamed], total=3)).items[0].name == "Bakery and café"


def test_few_conversions_are_kept() -> None:
    for number in range(project_schemas._PROJECTS_KEPT * 2):
        project_page_out(Page(items=[project(number)], total=1))
    assert len(project_schemas._converted) == project_schemas._PROJECTS_KEPT
