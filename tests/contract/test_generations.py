"""GenerationRepository: the fake and SQL agree on the per-user limit of unfinished sessions, paging
with filters, fenced saves (the attempt must match and the session be unfinished), usage added
whatever the session's state, totals by model, the latest context version, and ``unfinished`` with and
without a lease deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from tests.contract.side_by_side import MISSING, SideBySide, run_machine, ticks
from vibe.domain.generations import Generation, GenerationStatus
from vibe.domain.ports import UnitOfWork
from vibe.domain.projects import Project
from vibe.domain.selection import Selected
from vibe.domain.usage import Usage
from vibe.domain.users import User

prompts = st.text(min_size=1, max_size=60)
leases = st.none() | st.timedeltas(-timedelta(minutes=1), timedelta(minutes=2))
counts = st.integers(0, 10**6)
selections = st.lists(
    st.builds(
        Selected,
        path=st.just("index.html"),
        selector=st.text(min_size=1, max_size=20),
        html=st.none() | st.text(max_size=40),
    ),
    max_size=2,
).map(tuple)
usages = st.builds(
    Usage,
    input_tokens=counts,
    output_tokens=counts,
    cache_creation_input_tokens=counts,
    cache_read_input_tokens=counts,
)


def in_order(generations: list[Generation]) -> list[Generation]:
    """``unfinished`` promises creation order; ties may come either way."""
    return sorted(generations, key=lambda g: (g.created_at, g.id))


class Generations(SideBySide):
    @initialize()
    def world(self) -> None:
        self.people: list[User] = [self.new_user(), self.new_user()]
        self.sites: list[Project] = [self.new_project(u) for u in self.people for _ in range(2)]
        self.sessions: dict[str, Generation] = {}

    @rule(data=st.data(), delta=ticks, prompt=prompts, limit=st.integers(1, 3))
    def add_within_limit(self, data: st.DataObject, delta: timedelta, prompt: str, limit: int) -> None:
        project = data.draw(st.sampled_from(self.sites))
        generation = Generation(
            id=self.ids.new_id(),
            user_id=project.owner_id,
            project_id=project.id,
            prompt=prompt,
            status=GenerationStatus.QUEUED,
            model=data.draw(st.sampled_from(["scripted", "offline"])),
            created_at=self.tick(delta),
            selection=data.draw(selections),
        )
        added = self.both(lambda uow: uow.generations.add_within_limit(generation, limit))
        running = sum(not g.finished and g.user_id == generation.user_id for g in self.sessions.values())
        assert added.value == (running < limit)
        if added.value:
            self.sessions[generation.id] = generation

    @precondition(lambda self: self.sessions)
    @rule(data=st.data(), delta=ticks, lease=leases, stale=st.booleans())
    def save(self, data: st.DataObject, delta: timedelta, lease: timedelta | None, stale: bool) -> None:
        current = self.sessions[data.draw(st.sampled_from(sorted(self.sessions)))]
        now = self.tick(delta)
        move = data.draw(st.sampled_from(["start", "succeed", "fail", "cancel", "lease"]))
        changed = self._moved(current, move, now, None if lease is None else now + lease, data)
        if changed is None:
            return
        expected = current.attempt - 1 if stale else current.attempt
        saved = self.both(lambda uow: uow.generations.save(changed, expected))
        assert saved.value == (not stale and not current.finished)
        if saved.value:
            self.sessions[changed.id] = changed

    @staticmethod
    def _moved(
        g: Generation, move: str, now: datetime, lease: datetime | None, data: st.DataObject
    ) -> Generation | None:
        """The session after ``move``; None when the domain forbids it (no caller would save that)."""
        if move == "start":
            context = data.draw(st.none() | st.integers(1, 9))
            return g.start(now, lease, context) if g.claimable(now) else None
        if move in ("succeed",) and g.status is not GenerationStatus.RUNNING:
            return None
        if move in ("fail", "cancel") and g.finished:
            return msgspec.structs.replace(g, error="late")  # a write the fence must refuse
        if move == "succeed":
            checks = tuple(data.draw(st.lists(st.sampled_from(["links", "a11y", "size"]), max_size=3)))
            return g.succeed(data.draw(st.integers(1, 50)), now, checks)
        if move == "fail":
            return g.fail(data.draw(st.sampled_from(["upstream", "no_output"])), "It failed.", now)
        if move == "cancel":
            return g.cancel(now)
        return msgspec.structs.replace(g, lease_until=lease)

    @precondition(lambda self: self.sessions)
    @rule(data=st.data(), usage=usages)
    def add_usage(self, data: st.DataObject, usage: Usage) -> None:
        """Billed usage is added whatever the session's state or attempt."""
        generation_id = data.draw(st.sampled_from(sorted(self.sessions)))
        self.both(lambda uow: uow.generations.add_usage(generation_id, usage))
        self.sessions[generation_id] = self.sessions[generation_id].add_usage(usage)

    @rule()
    def totals(self) -> None:
        totals = self.read(lambda uow: uow.generations.totals())
        by_model: dict[str, Usage] = {}
        for g in self.sessions.values():
            by_model[g.model] = by_model.get(g.model, Usage()) + g.usage
        assert totals.usage_by_model == by_model

    @rule(data=st.data())
    def last_context(self, data: st.DataObject) -> None:
        project = data.draw(st.sampled_from(self.sites))
        found = self.read(lambda uow: uow.generations.last_context(project.id))
        recorded = [
            g
            for g in self.sessions.values()
            if g.project_id == project.id and g.context_version is not None and g.started_at is not None
        ]
        if not recorded:
            assert found is None
        else:
            assert found is not None
            assert found[1] == max(g.started_at for g in recorded if g.started_at is not None)

    @rule(
        data=st.data(),
        limit=st.integers(1, 4),
        offset=st.integers(0, 4),
        status=st.none() | st.sampled_from(GenerationStatus),
    )
    def page(self, data: st.DataObject, limit: int, offset: int, status: GenerationStatus | None) -> None:
        user = data.draw(st.sampled_from(self.people))
        project_id = data.draw(st.none() | st.sampled_from([p.id for p in self.sites] + [MISSING]))
        page = self.read(lambda uow: uow.generations.page(user.id, limit, offset, project_id, status))
        assert page.total == sum(
            g.user_id == user.id and project_id in (None, g.project_id) and status in (None, g.status)
            for g in self.sessions.values()
        )

    @rule(before=st.none() | st.timedeltas(-timedelta(minutes=3), timedelta(minutes=3)))
    def unfinished(self, before: timedelta | None) -> None:
        deadline = None if before is None else self.now + before
        found = self.read(lambda uow: uow.generations.unfinished(deadline), normalise=in_order)
        assert all(not g.finished for g in found)
        if deadline is None:
            assert len(found) == sum(not g.finished for g in self.sessions.values())

    def snapshot(self) -> None:
        if not hasattr(self, "people"):
            return

        async def everything(uow: UnitOfWork) -> object:
            return (
                [await uow.generations.get(i) for i in [*sorted(self.sessions), MISSING]],
                [await uow.generations.page(u.id, 100, 0) for u in self.people],
                in_order(await uow.generations.unfinished()),
            )

        stored, pages, unfinished = self.read(everything)
        assert stored == [*(self.sessions[i] for i in sorted(self.sessions)), None]
        for user, page in zip(self.people, pages, strict=True):
            mine = [g for g in self.sessions.values() if g.user_id == user.id]
            assert page.items == sorted(mine, key=lambda g: (g.created_at, g.id), reverse=True)
        assert unfinished == in_order([g for g in self.sessions.values() if not g.finished])


def test_the_fake_and_sql_generations_agree(database_url: str) -> None:
    run_machine(lambda: Generations(database_url))
