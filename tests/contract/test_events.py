"""EventStore: the fake and SQL agree on numbering (1, 2, 3... per session, atomically with the
fence), on refusing appends from a stale attempt or to a finished session, and on reading after N."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from tests.contract.side_by_side import MISSING, SideBySide, run_machine
from vibe.domain.events import Event, StoredEvent, encode
from vibe.domain.generations import Generation, GenerationStatus
from vibe.domain.ports import UnitOfWork
from vibe.testing.strategies import events


class Events(SideBySide):
    @initialize()
    def open_sessions(self) -> None:
        user = self.new_user()
        project = self.new_project(user)
        self.sessions: dict[str, Generation] = {}
        self.log: dict[str, list[StoredEvent]] = {}
        for _ in range(3):
            generation = Generation(
                id=self.ids.new_id(),
                user_id=user.id,
                project_id=project.id,
                prompt="a page",
                status=GenerationStatus.QUEUED,
                model="scripted",
                created_at=self.now,
            )
            assert self.both(lambda uow: uow.generations.add_within_limit(generation, 10)).value  # noqa: B023 - run at once
            self.sessions[generation.id] = generation
            self.log[generation.id] = []

    @rule(data=st.data(), batch=st.lists(events(), max_size=6), stale=st.booleans())
    def append(self, data: st.DataObject, batch: list[Event], stale: bool) -> None:
        session_id = data.draw(st.sampled_from([*sorted(self.sessions), MISSING]))
        session = self.sessions.get(session_id)
        attempt = (session.attempt if session else 0) - (1 if stale else 0)
        appended = self.both(lambda uow: uow.events.append(session_id, attempt, batch))
        if session is None or stale or session.finished:
            assert appended.value is None
            return
        log = self.log[session_id]
        assert appended.value == [StoredEvent(len(log) + 1 + i, *encode(e)) for i, e in enumerate(batch)]
        log.extend(appended.value)

    @rule(data=st.data(), move=st.sampled_from(["start", "cancel"]))
    def move_on(self, data: st.DataObject, move: str) -> None:
        """Claim again (a new attempt fences the old one out) or end the session."""
        session = self.sessions[data.draw(st.sampled_from(sorted(self.sessions)))]
        if session.finished or (move == "start" and not session.claimable(self.now)):
            return
        moved = session.start(self.now) if move == "start" else session.cancel(self.now)
        assert self.both(lambda uow: uow.generations.save(moved, session.attempt)).value
        self.sessions[moved.id] = moved

    @rule(data=st.data(), after=st.integers(0, 25), limit=st.integers(1, 8))
    def after(self, data: st.DataObject, after: int, limit: int) -> None:
        session_id = data.draw(st.sampled_from([*sorted(self.sessions), MISSING]))
        found = self.read(lambda uow: uow.events.after(session_id, after, limit))
        assert found == self.log.get(session_id, [])[after : after + limit]

    def snapshot(self) -> None:
        if not hasattr(self, "log"):
            return

        async def everything(uow: UnitOfWork) -> object:
            return {i: await uow.events.after(i, 0) for i in [*self.log, MISSING]}

        assert self.read(everything) == self.log | {MISSING: []}


def test_the_fake_and_sql_event_logs_agree(database_url: str) -> None:
    run_machine(lambda: Events(database_url))
