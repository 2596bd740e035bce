"""The base of the contract machines: one operation, applied to the fake and to the SQL adapter.

Each machine owns an ``asyncio.Runner`` (Hypothesis rules cannot be async), an in-memory database and
an engine on an already migrated SQL database, which it empties first. ``both`` runs an operation in
a unit of work on each side and asserts that the results, or the errors, are equal; every machine's
``snapshot`` invariant then reads both stores back through the port after every step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, run_state_machine_as_test
from sqlalchemy import delete

from vibe.adapters.sql.engine import create_engine
from vibe.adapters.sql.tables import metadata
from vibe.adapters.sql.uow import SqlUnitOfWorkFactory
from vibe.domain.ports import UnitOfWork, UnitOfWorkFactory
from vibe.domain.projects import Project, Visibility
from vibe.domain.users import Role, User
from vibe.testing import InMemoryUnitOfWorkFactory, SequentialIds

T = TypeVar("T")
Operation = Callable[[UnitOfWork], Awaitable[Any]]
START = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
MISSING = "zzzzzzzzzzzzzzzzzzzzzzzzzz"  # a well-formed id that is never issued

# Moves of the clock, biggest first (Hypothesis favours early choices): lifetimes run out often, equal
# moments happen, and microseconds count (the SQL side keeps them).
STEPS = [timedelta(hours=1), timedelta(0), timedelta(microseconds=1), timedelta(seconds=1), timedelta(days=1)]
ticks = st.one_of(st.sampled_from(STEPS), st.timedeltas(timedelta(microseconds=1), timedelta(days=3)))


@dataclass(frozen=True)
class Outcome:
    """What an operation gave: its value, or the type and message of the error it raised."""

    value: Any = None
    error: tuple[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class SideBySide(RuleBasedStateMachine):
    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.engine = create_engine(database_url)
        self.fake: UnitOfWorkFactory = InMemoryUnitOfWorkFactory()
        self.sql: UnitOfWorkFactory = SqlUnitOfWorkFactory(self.engine)
        self.ids = SequentialIds()
        self.now = START
        self.run(self._wipe())

    def teardown(self) -> None:
        try:
            self.run(self.engine.dispose())
        finally:
            self.runner.close()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    async def _wipe(self) -> None:
        async with self.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(delete(table))

    # --- applying operations ----------------------------------------------------------------------

    def both(
        self, operation: Operation, *, write: bool = True, normalise: Callable[[Any], Any] = lambda v: v
    ) -> Outcome:
        """Apply ``operation`` to each side (committing a write) and assert the outcomes are equal."""
        fake = self.run(self._apply(self.fake, operation, write))
        real = self.run(self._apply(self.sql, operation, write))
        fake = Outcome(normalise(fake.value), fake.error) if fake.ok else fake
        real = Outcome(normalise(real.value), real.error) if real.ok else real
        assert fake == real, f"the fake and SQL disagree:\n  fake: {fake}\n  sql:  {real}"
        return fake

    def read(self, operation: Operation, normalise: Callable[[Any], Any] = lambda v: v) -> Any:
        outcome = self.both(operation, write=False, normalise=normalise)
        assert outcome.ok, outcome.error
        return outcome.value

    @staticmethod
    async def _apply(factory: UnitOfWorkFactory, operation: Operation, write: bool) -> Outcome:
        try:
            async with factory(readonly=not write) as uow:
                value = await operation(uow)
                if write:
                    await uow.commit()
        except Exception as error:
            return Outcome(error=(type(error).__name__, str(error)))
        return Outcome(value)

    # --- the world the machines share -------------------------------------------------------------

    def tick(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now

    def new_user(self, role: Role = Role.USER) -> User:
        user_id = self.ids.new_id()
        user = User(
            id=user_id,
            email=f"u{user_id[-4:]}@example.com",
            email_normalized=f"u{user_id[-4:]}@example.com",
            display_name="User",
            role=role,
            password_hash="fast$1$00$00",
            created_at=self.now,
            updated_at=self.now,
        )
        assert self.both(lambda uow: uow.users.add(user)).ok
        return user

    def new_project(self, owner: User, name: str = "Site") -> Project:
        project = Project(
            id=self.ids.new_id(),
            owner_id=owner.id,
            name=name,
            description="",
            visibility=Visibility.PRIVATE,
            current_version=0,
            created_at=self.now,
            updated_at=self.now,
        )
        assert self.both(lambda uow: uow.projects.add(project)).ok
        return project

    @invariant()
    def the_stores_agree(self) -> None:
        self.snapshot()

    def snapshot(self) -> None:
        """Read everything the machine knows of back from both sides (``read`` compares them)."""
        raise NotImplementedError


def run_machine(machine: Callable[[], SideBySide], *, examples_share: int = 10) -> None:
    """Run a machine under the loaded profile, with ``1 / examples_share`` of its examples."""
    profile = settings()
    run_state_machine_as_test(
        cast("type[RuleBasedStateMachine]", machine),  # any factory of a machine will do
        settings=settings(
            profile,
            max_examples=max(5, profile.max_examples // examples_share),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
