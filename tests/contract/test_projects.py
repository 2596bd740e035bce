"""ProjectRepository: the fake and SQL agree on projects, their numbered versions and the files in
each, contents stored once per SHA-256 (also across versions), and deleting a project with them all."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from tests.contract.side_by_side import MISSING, SideBySide, run_machine, ticks
from vibe.domain.ports import UnitOfWork
from vibe.domain.projects import Project, Visibility
from vibe.domain.users import User
from vibe.testing.strategies import file_sets, safe_paths

names = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=1, max_size=120)


class Projects(SideBySide):
    @initialize()
    def make_owners(self) -> None:
        self.owners: list[User] = [self.new_user(), self.new_user()]
        self.projects: dict[str, Project] = {}
        self.gone: list[str] = []
        self.files: dict[tuple[str, int], dict[str, str]] = {}  # (project, version) -> files

    def _any_project(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from([*sorted(self.projects), *self.gone, MISSING]))

    @rule(data=st.data(), delta=ticks)
    def add(self, data: st.DataObject, delta: timedelta) -> None:
        owner = data.draw(st.sampled_from(self.owners))
        self.tick(delta)
        project = self.new_project(owner, data.draw(names))
        self.projects[project.id] = project
        self.files[(project.id, 0)] = {}

    @precondition(lambda self: self.projects)
    @rule(data=st.data(), delta=ticks)
    def update(self, data: st.DataObject, delta: timedelta) -> None:
        project = self.projects[data.draw(st.sampled_from(sorted(self.projects)))]
        changed = project.with_changes(
            self.tick(delta),
            name=data.draw(st.none() | names),
            description=data.draw(st.none() | st.text(max_size=200)),
            visibility=data.draw(st.none() | st.sampled_from(Visibility)),
        )
        assert self.both(lambda uow: uow.projects.update(changed)).ok
        self.projects[changed.id] = changed

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        project_id = self._any_project(data)
        assert self.both(lambda uow: uow.projects.delete(project_id)).ok
        if self.projects.pop(project_id, None) is not None:
            self.gone.append(project_id)

    @rule(data=st.data(), delta=ticks, summary=st.text(max_size=80), from_generation=st.booleans())
    def add_version(self, data: st.DataObject, delta: timedelta, summary: str, from_generation: bool) -> None:
        project_id = self._any_project(data)
        project = self.projects.get(project_id)
        files = data.draw(file_sets(min_size=0))
        if project is not None and data.draw(st.booleans()):  # keep some files: contents repeat
            files = self.files[(project_id, project.current_version)] | files
        generation_id = self.ids.new_id() if from_generation else None
        now = self.tick(delta)
        added = self.both(
            lambda uow: uow.projects.add_version(project_id, files, summary, generation_id, now)
        )
        if project is None:
            assert added.value is None
            return
        assert added.value.number == project.current_version + 1
        self.projects[project_id] = project.next_version(now)
        self.files[(project_id, added.value.number)] = files

    @precondition(lambda self: self.projects)
    @rule(data=st.data())
    def read_a_file(self, data: st.DataObject) -> None:
        project = self.projects[data.draw(st.sampled_from(sorted(self.projects)))]
        number = data.draw(st.integers(0, project.current_version + 1))
        known = sorted(self.files.get((project.id, number), {}))
        path = data.draw(st.sampled_from(known) | safe_paths() if known else safe_paths())
        found = self.read(lambda uow: uow.projects.read_file(project.id, number, path))
        expected = self.files.get((project.id, number), {}).get(path)
        assert (found[1].decode() if found else None) == expected

    @rule(owner=st.integers(0, 1), limit=st.integers(1, 4), offset=st.integers(0, 5))
    def page(self, owner: int, limit: int, offset: int) -> None:
        owner_id = self.owners[owner].id
        page = self.read(lambda uow: uow.projects.page(owner_id, limit, offset))
        assert page.total == sum(p.owner_id == owner_id for p in self.projects.values())

    def snapshot(self) -> None:
        if not hasattr(self, "owners"):
            return

        async def everything(uow: UnitOfWork) -> object:
            seen = {}
            for project_id in [*sorted(self.projects), *self.gone, MISSING]:
                project = await uow.projects.get(project_id)
                versions = await uow.projects.versions(project_id)
                seen[project_id] = (project, versions, {
                    v.number: (await uow.projects.files(project_id, v.number),
                               await uow.projects.read_all(project_id, v.number))
                    for v in versions
                })  # fmt: skip
            pages = [await uow.projects.page(o.id, 100, 0) for o in self.owners]
            return seen, pages

        seen, pages = self.read(everything)
        for project_id, (project, versions, contents) in seen.items():
            assert project == self.projects.get(project_id)
            assert [v.number for v in versions] == list(
                range(project.current_version, 0, -1) if project else []  # from 1: none when empty
            )
            for number, (entries, files) in contents.items():
                assert files == self.files[(project_id, number)]
                assert [e.path for e in entries] == sorted(files)
                assert [e.size for e in entries] == [len(files[e.path].encode()) for e in entries]
        mine = [sorted((p for p in self.projects.values() if p.owner_id == o.id),
                       key=lambda p: (p.created_at, p.id), reverse=True) for o in self.owners]  # fmt: skip
        assert [page.items for page in pages] == mine


def test_the_fake_and_sql_projects_agree(database_url: str) -> None:
    run_machine(lambda: Projects(database_url))
