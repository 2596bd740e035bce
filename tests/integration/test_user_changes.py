"""Changing a user loses no concurrent change (issue 15, item 2), on the fakes, SQLite and MariaDB.

A password hash is slow; the races the live probe lost are replayed here deterministically by holding
that hash while the other change happens: a rename during a password change, an administrator's
demotion and reset of a rogue administrator during the rogue's own changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import JWT_SECRET
from vibe.application.fair_queue import FairQueue
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from vibe.domain.users import Role, User
from vibe.testing import FastHasher, connect_fake

PASSWORD = "correct horse battery"


class HeldHasher(FastHasher):
    """A fast hasher whose next ``hash``, once ``hold()`` is called, waits until ``release()``."""

    def __init__(self) -> None:
        super().__init__()
        self._held = False
        self.entered = asyncio.Event()
        self._gate = asyncio.Event()

    def hold(self) -> None:
        self._held, self._gate = True, asyncio.Event()
        self.entered.clear()

    def release(self) -> None:
        self._gate.set()

    async def hash(self, password: str) -> str:
        if self._held:
            self._held = False
            self.entered.set()
            await self._gate.wait()
        return await super().hash(password)


@pytest.fixture(params=["memory", "sqlite", "mariadb"])
async def world(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[tuple[Vibe, HeldHasher]]:
    # Two turns at hashing, as two processes have: a held hash must not hold up the other change's.
    fakes: dict[str, Any] = {"hasher": (hasher := HeldHasher()), "hash_queue": FairQueue(concurrency=2)}
    if request.param == "memory":
        app = connect_fake(**fakes)
    else:
        url = sqlite_url if request.param == "sqlite" else str(request.getfixturevalue("mysql_url"))
        app = connect(Settings(database_url=url, jwt_secret=JWT_SECRET), migrate=True, **fakes)
    async with app:
        yield app, hasher


async def during_the_hash(hasher: HeldHasher, slow: asyncio.Task[User], meanwhile: object) -> None:
    """Let ``slow`` reach its password hash, run ``meanwhile`` to its end, then let ``slow`` go on."""
    await asyncio.wait_for(hasher.entered.wait(), 5)
    await meanwhile  # type: ignore[misc]
    hasher.release()
    await asyncio.gather(slow, return_exceptions=True)


async def test_a_rename_during_a_password_change_is_kept_and_so_is_the_password(
    world: tuple[Vibe, HeldHasher],
) -> None:
    vibe, hasher = world
    ada = await vibe.accounts.register("ada@example.com", PASSWORD)
    hasher.hold()
    change = asyncio.create_task(
        vibe.accounts.update_user(ada, ada.id, password="a brand new password", current_password=PASSWORD)
    )
    await during_the_hash(hasher, change, vibe.accounts.update_user(ada, ada.id, display_name="Countess"))
    assert change.result().display_name == "Countess"
    assert (await vibe.accounts.get_user(ada, ada.id)).display_name == "Countess"
    assert await vibe.accounts.login("ada@example.com", "a brand new password")


async def test_a_demotion_and_reset_of_a_rogue_admin_holds_against_the_rogues_own_change(
    world: tuple[Vibe, HeldHasher],
) -> None:
    vibe, hasher = world
    root = await vibe.accounts.create_admin("root@example.com", PASSWORD)
    rogue = await vibe.accounts.create_admin("rogue@example.com", PASSWORD)
    hasher.hold()
    own = asyncio.create_task(
        vibe.accounts.update_user(
            rogue, rogue.id, password="the rogue's new one", current_password=PASSWORD, display_name="Me"
        )
    )
    demote = vibe.accounts.update_user(root, rogue.id, role=Role.USER, password="reset by root 123")
    await during_the_hash(hasher, own, demote)
    assert isinstance(own.exception(), ConflictError)
    stored = await vibe.accounts.get_user(root, rogue.id)
    assert stored.role is Role.USER
    assert stored.display_name != "Me"
    assert await vibe.accounts.login("rogue@example.com", "reset by root 123")
    with pytest.raises(AuthenticationError):
        await vibe.accounts.login("rogue@example.com", "the rogue's new one")


async def test_a_rogue_admins_change_in_flight_when_demoted_is_refused(
    world: tuple[Vibe, HeldHasher],
) -> None:
    vibe, hasher = world
    root = await vibe.accounts.create_admin("root@example.com", PASSWORD)
    rogue = await vibe.accounts.create_admin("rogue@example.com", PASSWORD)
    hasher.hold()
    attack = asyncio.create_task(
        vibe.accounts.update_user(rogue, root.id, role=Role.USER, password="owned 1234")
    )
    await during_the_hash(hasher, attack, vibe.accounts.update_user(root, rogue.id, role=Role.USER))
    assert isinstance(attack.exception(), NotFoundError)
    assert (await vibe.accounts.get_user(root, root.id)).role is Role.ADMIN
    assert await vibe.accounts.login("root@example.com", PASSWORD)


async def test_changing_ones_own_password_needs_the_current_one(world: tuple[Vibe, HeldHasher]) -> None:
    vibe, _ = world
    ada = await vibe.accounts.register("ada@example.com", PASSWORD)
    with pytest.raises(InvalidInputError) as missing:
        await vibe.accounts.update_user(ada, ada.id, password="a brand new password")
    assert missing.value.field == "current_password"
    with pytest.raises(PermissionDeniedError):
        await vibe.accounts.update_user(
            ada, ada.id, password="a brand new password", current_password="not my password"
        )
    assert await vibe.accounts.login("ada@example.com", PASSWORD)


async def test_an_admin_resets_someone_elses_password_without_it_but_not_their_own(
    world: tuple[Vibe, HeldHasher],
) -> None:
    vibe, _ = world
    root = await vibe.accounts.create_admin("root@example.com", PASSWORD)
    ada = await vibe.accounts.register("ada@example.com", PASSWORD)
    await vibe.accounts.update_user(root, ada.id, password="reset by root 123")
    assert await vibe.accounts.login("ada@example.com", "reset by root 123")
    with pytest.raises(InvalidInputError):
        await vibe.accounts.update_user(root, root.id, password="a brand new password")
