"""Sign-in and sign-up throttles (issue 15, items 1 and 7): counted before any password is hashed, so a
burst gets no more than the limit; counted per account and address, so one address's flood locks out
neither the account's owner elsewhere nor the other accounts signed in to from that address."""

from __future__ import annotations

import asyncio

import pytest

from tests.unit.test_accounts import PASSWORD, World
from vibe.application.throttles import Throttles
from vibe.domain.errors import AuthenticationError, RateLimitedError
from vibe.testing.fakes import FastHasher

LIMITS = Throttles()


class YieldingHasher(FastHasher):
    """A fast hasher that, like argon2 in its thread, lets other tasks run while it hashes."""

    async def verify(self, password_hash: str, password: str) -> bool:
        await asyncio.sleep(0)
        return await super().verify(password_hash, password)


async def fail(world: World, email: str, client: str) -> type[Exception]:
    """A sign-in with a wrong password; which error it got."""
    try:
        await world.accounts.login(email, "wrong password", client=client)
    except (AuthenticationError, RateLimitedError) as error:
        return type(error)
    raise AssertionError("a wrong password signed in")


@pytest.mark.parametrize("unknown", [False, True])
async def test_a_burst_of_150_wrong_passwords_costs_at_most_the_limits_hashes(unknown: bool) -> None:
    world = World(hasher=YieldingHasher())
    await world.user()
    email = "ghost@example.com" if unknown else "ada@example.com"
    before = world.hasher.verifications
    outcomes = await asyncio.gather(*(fail(world, email, "10.0.0.1") for _ in range(150)))
    assert world.hasher.verifications - before == LIMITS.login_failures_per_account_and_address
    assert outcomes.count(AuthenticationError) == LIMITS.login_failures_per_account_and_address
    assert outcomes.count(RateLimitedError) == 150 - LIMITS.login_failures_per_account_and_address


async def test_failures_from_one_address_lock_that_address_out_of_that_account_only() -> None:
    world = World()
    await world.user("ada@example.com")
    await world.user("bob@example.com")
    for _ in range(LIMITS.login_failures_per_account_and_address):
        assert await fail(world, "ada@example.com", "10.0.0.66") is AuthenticationError
    with pytest.raises(RateLimitedError) as caught:
        await world.accounts.login("ada@example.com", PASSWORD, client="10.0.0.66")
    assert 0 < caught.value.retry_after <= LIMITS.login_window_seconds
    # Ada from home, and Bob behind the same address as the flood, still sign in.
    assert await world.accounts.login("ada@example.com", PASSWORD, client="10.0.0.7")
    assert await world.accounts.login("bob@example.com", PASSWORD, client="10.0.0.66")
    world.clock.advance(LIMITS.login_window_seconds)
    assert await world.accounts.login("ada@example.com", PASSWORD, client="10.0.0.66")


async def test_failures_from_many_addresses_lock_the_account() -> None:
    world = World(throttles=Throttles(login_failures_per_account=12))
    await world.user()
    outcomes = [await fail(world, "ada@example.com", f"10.0.{i // 5}.{i}") for i in range(12)]
    assert outcomes == [AuthenticationError] * 12
    with pytest.raises(RateLimitedError):
        await world.accounts.login("ada@example.com", PASSWORD, client="10.9.9.9")


async def test_an_address_failing_on_many_accounts_is_locked_out_of_new_ones() -> None:
    world = World(throttles=Throttles(login_accounts_per_address=5))
    await world.user("ada@example.com")
    for i in range(5):
        assert await fail(world, f"ghost{i}@example.com", "10.0.0.1") is AuthenticationError
    assert await fail(world, "ghost0@example.com", "10.0.0.1") is AuthenticationError  # one it counted
    with pytest.raises(RateLimitedError):
        await world.accounts.login("ada@example.com", PASSWORD, client="10.0.0.1")
    assert await world.accounts.login("ada@example.com", PASSWORD, client="10.0.0.2")


async def test_a_workshop_behind_one_address_signs_in_whatever_the_limits() -> None:
    """Forty people behind one NAT sign in, a few after typos: successes count against nothing."""
    world = World(throttles=Throttles(login_accounts_per_address=5))
    for i in range(40):
        await world.user(f"pupil{i}@school.example")
    for i in range(40):
        if i % 8 == 0:
            assert await fail(world, f"pupil{i}@school.example", "192.0.2.1") is AuthenticationError
        assert await world.accounts.login(f"pupil{i}@school.example", PASSWORD, client="192.0.2.1")


async def test_a_spray_over_many_accounts_from_one_address_gets_the_limit_checked() -> None:
    world = World(hasher=YieldingHasher(), throttles=Throttles(login_accounts_per_address=20))
    outcomes = await asyncio.gather(*(fail(world, f"ghost{i}@example.com", "10.0.0.1") for i in range(100)))
    assert world.hasher.verifications == 20
    assert outcomes.count(AuthenticationError) == 20
    assert outcomes.count(RateLimitedError) == 80


async def test_sign_ins_under_way_at_once_behind_one_address_count_against_nothing() -> None:
    """Sixty people behind one address press "Sign in" at the same moment, with a limit of 5 failed
    accounts per address: being in flight together is not failing."""
    world = World(hasher=YieldingHasher(), throttles=Throttles(login_accounts_per_address=5))
    for i in range(60):
        await world.user(f"pupil{i}@school.example")
    signed_in = await asyncio.gather(
        *(world.accounts.login(f"pupil{i}@school.example", PASSWORD, client="192.0.2.1") for i in range(60))
    )
    assert len(signed_in) == 60


async def test_a_successful_login_clears_the_failures_of_that_account_from_that_address() -> None:
    world = World()
    await world.user()
    for _ in range(LIMITS.login_failures_per_account_and_address - 1):
        assert await fail(world, "ada@example.com", "10.0.0.1") is AuthenticationError
    await world.accounts.login("ada@example.com", PASSWORD, client="10.0.0.1")
    for _ in range(LIMITS.login_failures_per_account_and_address):
        assert await fail(world, "ada@example.com", "10.0.0.1") is AuthenticationError


async def test_registration_is_throttled_per_address() -> None:
    world = World(throttles=Throttles(registrations_per_address=5, registration_window_seconds=60))
    for i in range(5):
        await world.accounts.register(f"user{i}@example.com", PASSWORD, client="10.0.0.1")
    with pytest.raises(RateLimitedError) as caught:
        await world.accounts.register("one.more@example.com", PASSWORD, client="10.0.0.1")
    assert 0 < caught.value.retry_after <= 60
    assert await world.accounts.register("one.more@example.com", PASSWORD, client="10.0.0.2")
    world.clock.advance(60)
    assert await world.accounts.register("and.more@example.com", PASSWORD, client="10.0.0.1")
