"""The Accounts service on the in-memory fakes: registration, throttles, rotation, revocation, users."""

from __future__ import annotations

import pytest

from vibe.adapters.memory import InMemoryDenylist, InMemoryRateLimiter
from vibe.adapters.security import JwtTokenService
from vibe.application.accounts import Accounts
from vibe.application.throttles import Throttles
from vibe.domain.auth import Principal, TokenPair
from vibe.domain.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from vibe.domain.users import Role, User
from vibe.testing.fakes import FakeClock, FastHasher, SequentialIds
from vibe.testing.memory_db import InMemoryUnitOfWorkFactory

PASSWORD = "correct horse battery"


class World:
    """Accounts on fakes, plus a way to 'restart' the process on the same database."""

    def __init__(self, hasher: FastHasher | None = None, throttles: Throttles | None = None) -> None:
        self.clock = FakeClock()
        self.ids = SequentialIds()
        self.db = InMemoryUnitOfWorkFactory()
        self.hasher = hasher or FastHasher()
        self.throttles = throttles or Throttles()
        self.limiter = InMemoryRateLimiter(self.clock)
        self.accounts = self.restart()

    def restart(self) -> Accounts:
        self.accounts = Accounts(
            uow=self.db,
            hasher=self.hasher,
            tokens=JwtTokenService("s" * 64, self.ids),
            denylist=InMemoryDenylist(self.clock),
            limiter=self.limiter,
            clock=self.clock,
            ids=self.ids,
            throttles=self.throttles,
        )
        return self.accounts

    async def user(self, email: str = "ada@example.com", role: Role = Role.USER) -> User:
        if role is Role.ADMIN:
            return await self.accounts.create_admin(email, PASSWORD)
        return await self.accounts.register(email, PASSWORD)

    async def login(self, email: str = "ada@example.com") -> tuple[TokenPair, Principal]:
        pair = await self.accounts.login(email, PASSWORD, client="10.0.0.1")
        return pair, await self.accounts.authenticate(pair.access_token)


@pytest.fixture
def world() -> World:
    return World()


async def test_register_normalises_and_refuses_duplicates_in_any_case(world: World) -> None:
    user = await world.accounts.register("  Ada@Example.COM ", PASSWORD, "Ada")
    assert user.email == "Ada@Example.COM"
    assert user.role is Role.USER
    assert user.display_name == "Ada"
    with pytest.raises(ConflictError):
        await world.accounts.register("ada@example.com", PASSWORD)
    with pytest.raises(InvalidInputError):
        await world.accounts.register("bob@example.com", "short")


async def test_login_gives_a_working_pair(world: World) -> None:
    await world.user()
    pair, principal = await world.login("ADA@example.com")
    assert pair.token_type == "bearer"
    assert pair.expires_in == 900
    assert principal.user.email == "ada@example.com"


async def test_unknown_email_and_wrong_password_fail_alike_after_the_same_work(world: World) -> None:
    await world.user()
    messages = []
    for email, password in (("nobody@example.com", PASSWORD), ("ada@example.com", "wrong password")):
        before = world.hasher.verifications
        with pytest.raises(AuthenticationError) as caught:
            await world.accounts.login(email, password, client="10.0.0.1")
        assert world.hasher.verifications - before == 1
        messages.append(caught.value.detail)
    assert messages[0] == messages[1]


async def test_login_rehashes_when_the_parameters_changed(world: World) -> None:
    user = await world.user()
    world.hasher.version = 2
    await world.login()
    async with world.db(readonly=True) as uow:
        stored = await uow.users.get(user.id)
    assert stored is not None
    assert stored.password_hash.startswith("fast$2$")
    assert await world.login()


async def test_refresh_rotates_and_a_reused_token_revokes_the_whole_login(world: World) -> None:
    await world.user()
    first, _ = await world.login()
    second = await world.accounts.refresh(first.refresh_token)
    assert await world.accounts.authenticate(second.access_token)
    with pytest.raises(AuthenticationError):
        await world.accounts.refresh(first.refresh_token)  # reuse
    for dead in (second.access_token, first.access_token):
        with pytest.raises(AuthenticationError):
            await world.accounts.authenticate(dead)
    with pytest.raises(AuthenticationError):
        await world.accounts.refresh(second.refresh_token)
    other, _ = await world.login()  # another login is untouched
    assert await world.accounts.authenticate(other.access_token)


async def test_a_login_lives_at_most_30_days(world: World) -> None:
    await world.user()
    pair, _ = await world.login()
    for _ in range(29):
        world.clock.advance(days=1)
        pair = await world.accounts.refresh(pair.refresh_token)
    world.clock.advance(days=1)
    with pytest.raises(AuthenticationError):
        await world.accounts.refresh(pair.refresh_token)


async def test_access_tokens_expire_after_15_minutes(world: World) -> None:
    await world.user()
    pair, _ = await world.login()
    world.clock.advance(minutes=15)
    with pytest.raises(AuthenticationError):
        await world.accounts.authenticate(pair.access_token)


async def test_logout_ends_the_access_token_and_its_refresh_token(world: World) -> None:
    await world.user()
    pair, principal = await world.login()
    await world.accounts.logout(principal)
    with pytest.raises(AuthenticationError):
        await world.accounts.authenticate(pair.access_token)
    with pytest.raises(AuthenticationError):
        await world.accounts.refresh(pair.refresh_token)


async def test_revocations_survive_a_restart_of_the_in_process_denylist(world: World) -> None:
    await world.user()
    pair, principal = await world.login()
    await world.accounts.logout(principal)
    world.restart()
    with pytest.raises(AuthenticationError):
        await world.accounts.authenticate(pair.access_token)


async def test_a_password_change_ends_every_session_of_that_user(world: World) -> None:
    user = await world.user()
    one, principal = await world.login()
    two, _ = await world.login()
    await world.accounts.update_user(
        principal.user, user.id, password="a brand new password", current_password=PASSWORD
    )
    for pair in (one, two):
        with pytest.raises(AuthenticationError):
            await world.accounts.authenticate(pair.access_token)
        with pytest.raises(AuthenticationError):
            await world.accounts.refresh(pair.refresh_token)
    with pytest.raises(AuthenticationError):
        await world.accounts.login("ada@example.com", PASSWORD)
    assert await world.accounts.login("ada@example.com", "a brand new password")


async def test_deleting_a_user_ends_their_sessions(world: World) -> None:
    user = await world.user()
    pair, principal = await world.login()
    await world.accounts.delete_user(principal.user, user.id)
    with pytest.raises(AuthenticationError):
        await world.accounts.authenticate(pair.access_token)
    with pytest.raises(AuthenticationError):
        await world.accounts.refresh(pair.refresh_token)


async def test_who_may_see_and_change_whom(world: World) -> None:
    ada = await world.user("ada@example.com")
    bob = await world.user("bob@example.com")
    admin = await world.user("root@example.com", Role.ADMIN)
    assert await world.accounts.get_user(ada, ada.id) == ada
    assert await world.accounts.get_user(admin, ada.id) == ada
    with pytest.raises(NotFoundError):
        await world.accounts.get_user(bob, ada.id)
    with pytest.raises(NotFoundError):
        await world.accounts.update_user(bob, ada.id, display_name="pwned")
    with pytest.raises(NotFoundError):
        await world.accounts.delete_user(bob, ada.id)
    with pytest.raises(PermissionDeniedError):
        await world.accounts.list_users(ada, 10, 0)
    with pytest.raises(PermissionDeniedError):
        await world.accounts.update_user(ada, ada.id, role=Role.ADMIN)
    promoted = await world.accounts.update_user(admin, bob.id, role=Role.ADMIN)
    assert promoted.role is Role.ADMIN
    page = await world.accounts.list_users(admin, 2, 1)
    assert page.total == 3
    assert [u.id for u in page.items] == [bob.id, admin.id]
