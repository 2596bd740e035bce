"""UserRepository: the fake and SQL agree on adding (unique normalised email), reading, paging,
changing field by field, locking and deleting a user with everything they own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from tests.contract.side_by_side import MISSING, SideBySide, run_machine, ticks
from vibe.domain.auth import TokenFamily
from vibe.domain.ports import UnitOfWork
from vibe.domain.users import Role, User, normalize_email
from vibe.testing.strategies import email_case_variants, users

names = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=1, max_size=100)


class Users(SideBySide):
    def __init__(self, database_url: str) -> None:
        super().__init__(database_url)
        self.users: dict[str, User] = {}  # what both sides should hold
        self.gone: list[str] = []
        self.families: dict[str, str] = {}  # family id -> user id
        self.projects: dict[str, str] = {}  # project id -> owner id

    def _pick(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from([*sorted(self.users), *self.gone, MISSING]))

    @rule(user=users(), variant=email_case_variants(), data=st.data())
    def add(self, user: User, variant: tuple[str, str], data: st.DataObject) -> None:
        user = msgspec.structs.replace(user, id=self.ids.new_id())
        if bool(self.users) and data.draw(st.booleans()):  # another case of a taken email: a conflict
            email = self.users[data.draw(st.sampled_from(sorted(self.users)))].email.swapcase()
        else:
            email = variant[1].strip()
        user = msgspec.structs.replace(user, email=email, email_normalized=normalize_email(email))
        outcome = self.both(lambda uow: uow.users.add(user))
        taken_before = {u.email_normalized for u in self.users.values()}
        assert outcome.ok == (user.email_normalized not in taken_before)
        if outcome.ok:
            self.users[user.id] = user

    @precondition(lambda self: self.users)
    @rule(data=st.data(), delta=ticks)
    def change(self, data: st.DataObject, delta: timedelta) -> None:
        """Only the fields given are written; with an expected hash, only while it is the stored one."""
        current = self.users[data.draw(st.sampled_from(sorted(self.users)))]
        fields: dict[str, Any] = {
            "display_name": data.draw(st.none() | names),
            "role": data.draw(st.none() | st.sampled_from(Role)),
            "password_hash": data.draw(st.none() | st.text("0123456789abcdef$", min_size=10, max_size=80)),
        }
        expected = data.draw(st.none() | st.just(current.password_hash) | st.just("some other hash"))
        now = self.tick(delta)
        outcome = self.both(
            lambda uow: uow.users.change(current.id, now, **fields, if_password_hash=expected)
        )
        if expected not in (None, current.password_hash):
            assert outcome.value is None
            return
        changed = current.with_changes(now, **fields)
        assert outcome.value == changed
        self.users[changed.id] = changed

    @rule(data=st.data(), delta=ticks)
    def change_a_missing_user_changes_nothing(self, data: st.DataObject, delta: timedelta) -> None:
        now = self.tick(delta)
        outcome = self.both(lambda uow: uow.users.change(MISSING, now, display_name=data.draw(names)))
        assert outcome.ok
        assert outcome.value is None

    @precondition(lambda self: self.users)
    @rule(data=st.data())
    def give_them_things(self, data: st.DataObject) -> None:
        """A project and a login for a user, which deleting the user must take along."""
        owner = self.users[data.draw(st.sampled_from(sorted(self.users)))]
        self.projects[self.new_project(owner).id] = owner.id
        family = TokenFamily(
            id=self.ids.new_id(), user_id=owner.id, created_at=self.now, expires_at=self.now + timedelta(1)
        )
        assert self.both(lambda uow: uow.tokens.add_family(family)).ok
        self.families[family.id] = owner.id

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        user_id = self._pick(data)
        assert self.both(lambda uow: uow.users.delete(user_id)).ok
        if self.users.pop(user_id, None) is not None:
            self.gone.append(user_id)

    @rule(data=st.data())
    def lock(self, data: st.DataObject) -> None:
        user_id = self._pick(data)
        assert self.both(lambda uow: uow.users.lock(user_id)).ok

    @rule(limit=st.integers(1, 4), offset=st.integers(0, 6))
    def page(self, limit: int, offset: int) -> None:
        page = self.read(lambda uow: uow.users.page(limit, offset))
        assert page.total == len(self.users)

    @rule(data=st.data())
    def get_by_an_email_as_typed(self, data: st.DataObject) -> None:
        """Lookups are by the normalised key only: the email as typed finds nobody unless it is it."""
        if not self.users:
            return
        user = self.users[data.draw(st.sampled_from(sorted(self.users)))]
        typed = data.draw(st.sampled_from([user.email, user.email.upper(), user.email.title()]))
        found = self.read(lambda uow: uow.users.get_by_email(typed))
        assert (found is not None) == (typed == user.email_normalized)

    def snapshot(self) -> None:
        ids = [*sorted(self.users), *self.gone, MISSING]

        async def everything(uow: UnitOfWork) -> object:
            return (
                await uow.users.page(1000, 0),
                [await uow.users.get(i) for i in ids],
                [await uow.users.get_by_email(u.email_normalized) for u in self.users.values()],
                {i: await uow.tokens.get_family(i) is not None for i in self.families},
                {i: await uow.projects.get(i) is not None for i in self.projects},
            )

        page, by_id, by_email, families, projects = self.read(everything)
        assert page.items == sorted(self.users.values(), key=lambda u: (u.created_at, u.id))
        assert by_id == [self.users.get(i) for i in ids]
        assert by_email == list(self.users.values())
        assert families == {i: owner in self.users for i, owner in self.families.items()}
        assert projects == {i: owner in self.users for i, owner in self.projects.items()}


def test_the_fake_and_sql_users_agree(database_url: str) -> None:
    run_machine(lambda: Users(database_url))
