"""A Hypothesis state machine over register, login, refresh, reuse, logout, password change and delete:
after every step, every access token the model holds live is accepted and every dead one refused."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.unit.test_accounts import World
from vibe.domain.errors import AuthenticationError, ConflictError
from vibe.domain.users import User

EMAILS = ["ada@example.com", "bob@example.com", "cy@example.com"]
T = TypeVar("T")


@dataclass
class Login:
    """One sign-in (a token family): every access token it was given, live until the family dies."""

    email: str
    accesses: list[str]
    refresh: str
    used_refresh: list[str] = field(default_factory=list)
    alive: bool = True


class Sessions(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.runner = asyncio.Runner()
        self.world = World()
        self.passwords: dict[str, str] = {}
        self.user_ids: dict[str, str] = {}
        self.logins: list[Login] = []

    def teardown(self) -> None:
        if hasattr(self, "runner"):
            self.runner.close()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    def _kill(self, login: Login) -> None:
        login.alive = False

    @rule(email=st.sampled_from(EMAILS), shout=st.booleans())
    def register(self, email: str, shout: bool) -> None:
        typed = email.upper() if shout else email
        try:
            user = self.run(self.world.accounts.register(typed, f"password of {email}"))
        except ConflictError:
            assert email in self.passwords
            return
        assert email not in self.passwords
        self.passwords[email] = f"password of {email}"
        self.user_ids[email] = user.id

    @precondition(lambda self: self.passwords)
    @rule(data=st.data())
    def login(self, data: st.DataObject) -> None:
        email = data.draw(st.sampled_from(sorted(self.passwords)))
        pair = self.run(self.world.accounts.login(email, self.passwords[email]))
        self.logins.append(Login(email, [pair.access_token], pair.refresh_token))

    @precondition(lambda self: any(login.alive for login in self.logins))
    @rule(data=st.data())
    def refresh(self, data: st.DataObject) -> None:
        login = data.draw(st.sampled_from([login for login in self.logins if login.alive]))
        pair = self.run(self.world.accounts.refresh(login.refresh))
        login.used_refresh.append(login.refresh)
        login.accesses.append(pair.access_token)  # the older ones stay valid until they expire
        login.refresh = pair.refresh_token

    @precondition(lambda self: any(login.used_refresh for login in self.logins))
    @rule(data=st.data())
    def reuse(self, data: st.DataObject) -> None:
        login = data.draw(st.sampled_from([login for login in self.logins if login.used_refresh]))
        stale = data.draw(st.sampled_from(login.used_refresh))
        try:
            self.run(self.world.accounts.refresh(stale))
        except AuthenticationError:
            self._kill(login)
        else:
            raise AssertionError("a used refresh token worked again")

    @precondition(lambda self: any(login.alive for login in self.logins))
    @rule(data=st.data())
    def logout(self, data: st.DataObject) -> None:
        login = data.draw(st.sampled_from([login for login in self.logins if login.alive]))
        token = data.draw(st.sampled_from(login.accesses))
        principal = self.run(self.world.accounts.authenticate(token))
        self.run(self.world.accounts.logout(principal))
        self._kill(login)

    @precondition(lambda self: self.passwords)
    @rule(data=st.data(), delete=st.booleans())
    def change_password_or_delete(self, data: st.DataObject, delete: bool) -> None:
        email = data.draw(st.sampled_from(sorted(self.passwords)))
        user = self.run(self.world.accounts.get_user(self._actor(email), self.user_ids[email]))
        if delete:
            self.run(self.world.accounts.delete_user(user, user.id))
            del self.passwords[email], self.user_ids[email]
        else:
            current, self.passwords[email] = self.passwords[email], f"new {self.passwords[email]}"
            self.run(
                self.world.accounts.update_user(
                    user, user.id, password=self.passwords[email], current_password=current
                )
            )
        for login in self.logins:
            if login.email == email:
                self._kill(login)

    def _actor(self, email: str) -> User:
        async def load() -> User:
            async with self.world.db(readonly=True) as uow:
                user = await uow.users.get(self.user_ids[email])
            assert user is not None
            return user

        return self.run(load())

    @invariant()
    def live_tokens_work_and_dead_ones_do_not(self) -> None:
        if not hasattr(self, "world"):
            return
        for login in self.logins:
            for token in login.accesses:
                if login.alive:
                    assert (
                        self.run(self.world.accounts.authenticate(token)).user.email_normalized == login.email
                    )
                    continue
                try:
                    self.run(self.world.accounts.authenticate(token))
                except AuthenticationError:
                    continue
                raise AssertionError("a dead access token was accepted")


Sessions.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestSessions = Sessions.TestCase
