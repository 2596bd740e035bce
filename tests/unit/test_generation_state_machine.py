"""A Hypothesis state machine over generations on ``connect_fake``: start (within the per-user limit,
new projects and follow-ups), let time pass, read the stream from a random ``Last-Event-ID`` and hang
up mid-way, cancel, and wait for the end. Every model turn is scripted and cut at arbitrary places.

After every read: ids run 1..n without a gap, no event comes twice or differs between reconnections,
and nothing follows the one terminal event. Once a session ends: a succeeded one added exactly one
version, which its ``done`` event names; a cancelled or failed one added none; and the ``file_delta``
deltas of each write join to what the model wrote, whose files (after its edits) are the version's.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec
from hypothesis import HealthCheck, settings
from hypothesis import event as tally
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from vibe.bootstrap import Vibe
from vibe.domain.conversation import ModelChunk, ModelRequest, TextBlock
from vibe.domain.errors import InvalidStateError, RateLimitedError, UpstreamError
from vibe.domain.events import TERMINAL_EVENTS, Done, ErrorEvent, Event, StoredEvent, decode
from vibe.domain.generations import GenerationStatus
from vibe.domain.ports import ModelClient
from vibe.domain.users import User
from vibe.testing import connect_fake
from vibe.testing.strategies import ModelScript, model_scripts

T = TypeVar("T")
LIMIT = 2  # VIBE_MAX_CONCURRENT_GENERATIONS, the default
TAG = re.compile(r"\[session (\d+)\]")
WAIT = 10.0  # seconds before a stream that should move is declared stuck


class Scripts(ModelClient):
    """Answers each session from its own script (found by the tag in its prompt), one turn per call,
    yielding to the event loop between chunks so sessions interleave."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[list[ModelChunk] | BaseException]] = {}

    @property
    def name(self) -> str:
        return "scripted"

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        texts = [block.text for block in request.messages[0].content if isinstance(block, TextBlock)]
        tag = next(match.group(1) for text in texts if (match := TAG.search(text)))
        script = self.scripts[tag][sum(m.role == "assistant" for m in request.messages)]
        if isinstance(script, BaseException):
            raise script
        for chunk in script:
            await asyncio.sleep(0)
            yield chunk


@dataclass
class Session:
    id: str
    project_id: str
    script: ModelScript
    fails: bool
    base: dict[str, str]  # the project's files when it starts (no other session may change them)
    events: dict[int, StoredEvent] = field(default_factory=dict)  # every event seen, by id
    cancelled: bool = False
    checked: bool = False


class Generations(RuleBasedStateMachine):
    @initialize()
    def start_app(self) -> None:
        self.runner = asyncio.Runner()
        self.model = Scripts()
        self.app: Vibe = connect_fake(self.model)
        self.run(self.app.start())
        self.ada: User = self.run(self.app.accounts.register("ada@example.com", "correct horse battery"))
        self.sessions: list[Session] = []

    def teardown(self) -> None:
        if not hasattr(self, "runner"):
            return
        try:
            for session in self.sessions:
                self._check_ended(session)
        finally:
            self.run(self.app.aclose())
            self.runner.close()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    def _status(self, session: Session) -> GenerationStatus:
        return self.run(self.app.generations.get(self.ada, session.id)).status

    def _unfinished(self) -> int:
        return sum(not self._status(s).finished for s in self.sessions)

    # --- rules ------------------------------------------------------------------------------------

    @precondition(lambda self: hasattr(self, "app"))
    @rule(data=st.data(), fails=st.booleans(), follow_up=st.booleans())
    def start(self, data: st.DataObject, fails: bool, follow_up: bool) -> None:
        # Nothing drawn may depend on what the concurrent sessions did by now (Hypothesis replays
        # draws): the script is drawn on its own and the project chosen after.
        script = data.draw(model_scripts(max_files=3))
        project_id, base = self._follow_up_target() if follow_up else (None, {})
        turns: list[list[ModelChunk] | BaseException] = list(script.turns)
        fails = fails and data.draw(st.booleans())  # a quarter of the sessions fail
        if fails:
            cut = data.draw(st.integers(0, len(turns) - 1))
            turns[cut] = UpstreamError("The model is overloaded.", code="overloaded")
        tag = str(len(self.sessions))
        self.model.scripts[tag] = turns
        before = self._unfinished()
        try:
            generation = self.run(self.app.generations.start(self.ada, f"[session {tag}] a site", project_id))
        except RateLimitedError:
            assert before >= LIMIT, "refused below the limit"
            tally("start refused at the limit")
            return
        tally("follow-up" if project_id else "new project")
        assert before < LIMIT or self._unfinished() <= LIMIT, "started beyond the limit"
        self.sessions.append(Session(generation.id, generation.project_id, script, fails, base))

    def _follow_up_target(self) -> tuple[str | None, dict[str, str]]:
        """A project none of whose sessions is running (so its files are known when the next one
        claims it), else a new project."""
        projects = {s.project_id for s in self.sessions}
        busy = {s.project_id for s in self.sessions if not self._status(s).finished}
        idle = sorted(projects - busy)
        if not idle:
            return None, {}
        project_id = idle[0]
        return project_id, self.run(self.app.projects.snapshot(self.ada, project_id)).files

    @precondition(lambda self: hasattr(self, "app"))
    @rule(seconds=st.sampled_from([0, 0.001, 0.04]))
    def time_passes(self, seconds: float) -> None:
        self.run(asyncio.sleep(seconds))

    @precondition(lambda self: bool(getattr(self, "sessions", None)))
    @rule(data=st.data(), count=st.integers(1, 12))
    def reconnect(self, data: st.DataObject, count: int) -> None:
        """Read from a random Last-Event-ID (up to what was seen, or a little past) and hang up."""
        session = self._pick(data)
        after = min(data.draw(st.integers(0, 40)), max(session.events, default=0) + 2)
        self._read(session, after, count)

    @precondition(lambda self: bool(getattr(self, "sessions", None)))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        running = [s for s in self.sessions if not self._status(s).finished]
        session = self._pick(data, running or self.sessions)
        try:
            cancelled = self.run(self.app.generations.cancel(self.ada, session.id))
        except InvalidStateError:
            assert self._status(session).finished
            return
        assert cancelled.status is GenerationStatus.CANCELLED
        session.cancelled = True

    @precondition(lambda self: bool(getattr(self, "sessions", None)))
    @rule(data=st.data())
    def wait_for_the_end(self, data: st.DataObject) -> None:
        session = self._pick(data)
        self._read(session, min(data.draw(st.integers(0, 40)), max(session.events, default=0)), None)
        self._check_ended(session)

    def _pick(self, data: st.DataObject, among: list[Session] | None = None) -> Session:
        # An index, not sampled_from(self.sessions): how many sessions the limit let in, or are still
        # running, depends on timing, and a draw's bounds must not.
        among = among or self.sessions
        return among[data.draw(st.integers(0, 15)) % len(among)]

    # --- reading and checking ---------------------------------------------------------------------

    def _read(self, session: Session, after: int, count: int | None) -> None:
        """Follow the stream after ``after`` for ``count`` events (None: to its end), then hang up."""

        async def follow() -> list[StoredEvent]:
            got: list[StoredEvent] = []
            stream = await self.app.generations.events(self.ada, session.id, after)
            try:
                async with asyncio.timeout(WAIT):
                    async for event in stream:
                        if event is not None:
                            got.append(event)
                        if count is not None and len(got) >= count:
                            break
            finally:
                await stream.aclose()  # type: ignore[attr-defined]
            return got

        got = self.run(follow())
        if count is not None and got and not got[-1].terminal:
            tally("hung up mid-stream")
        assert [e.seq for e in got] == list(range(after + 1, after + 1 + len(got))), "a gap or a repeat"
        for event in got:
            seen = session.events.setdefault(event.seq, event)
            assert seen == event, f"event {event.seq} changed between reconnections"
        if count is None or len(got) < count:  # the stream ended by itself: its last event is terminal
            assert got[-1].terminal if got else max(session.events, default=0) <= after, "ended early"
        terminal = [seq for seq, e in session.events.items() if e.terminal]
        assert len(terminal) <= 1, "two terminal events"
        assert not terminal or max(session.events) == terminal[0], "an event after the terminal one"

    def _check_ended(self, session: Session) -> None:
        if session.checked:
            return
        session.checked = True
        self._read(session, 0, None)  # the whole log, which must agree with every partial read
        log = [session.events[seq] for seq in sorted(session.events)]
        assert [e.seq for e in log] == list(range(1, len(log) + 1)), "ids are not 1..n"
        assert [e.name for e in log].count("done") + [e.name for e in log].count("error") == 1
        assert log[-1].name in TERMINAL_EVENTS
        generation = self.run(self.app.generations.get(self.ada, session.id))
        tally(f"ended {generation.status.value}")
        versions = self.run(self.app.projects.versions(self.ada, session.project_id))
        mine = [v for v in versions if v.generation_id == session.id]
        events = [decode(e.name, e.data) for e in log]
        if generation.status is GenerationStatus.SUCCEEDED:
            assert not session.cancelled
            assert not session.fails
            done = events[-1]
            assert isinstance(done, Done)
            assert [v.number for v in mine] == [generation.version] == [done.version]
            assert done.project_id == session.project_id
            self._check_files(session, events, done)
        else:
            assert generation.status is (
                GenerationStatus.CANCELLED if session.cancelled else GenerationStatus.FAILED
            )
            assert session.cancelled or session.fails
            assert mine == [], "a session that did not succeed added a version"
            error = events[-1]
            assert isinstance(error, ErrorEvent)
            assert error.code == ("cancelled" if session.cancelled else "overloaded")

    def _check_files(self, session: Session, events: list[Event], done: Done) -> None:
        writes: list[tuple[str, str]] = []
        open_writes: dict[str, list[str]] = {}
        for event in events:
            data = msgspec.structs.asdict(event)
            if event.name == "file_start":
                open_writes[data["path"]] = []
            elif event.name == "file_delta":
                open_writes[data["path"]].append(data["delta"])
            elif event.name == "file_end":
                content = "".join(open_writes.pop(data["path"]))
                assert data["size"] == len(content.encode())
                writes.append((data["path"], content))
        assert writes == session.script.writes, "the deltas of a write do not join to what was written"
        files = self.run(self.app.projects.snapshot(self.ada, session.project_id, done.version)).files
        assert sorted(files) == done.files
        assert files == session.base | session.script.files

    @invariant()
    def at_most_the_limit_is_unfinished(self) -> None:
        if getattr(self, "sessions", None):
            assert self._unfinished() <= LIMIT


def test_generations_keep_their_event_log_invariants() -> None:
    profile = settings()
    Generations.TestCase.settings = settings(
        profile,
        max_examples=max(5, profile.max_examples // 5),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    Generations.TestCase().runTest()
