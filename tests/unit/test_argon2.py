"""argon2id at the OWASP minimum, hashed off the event loop, one hash at a time per process."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from vibe.adapters.security import Argon2Hasher


@pytest.fixture
def hasher() -> Argon2Hasher:
    return Argon2Hasher()


async def test_parameters_are_the_owasp_minimum(hasher: Argon2Hasher) -> None:
    assert (await hasher.hash("correct horse")).startswith("$argon2id$v=19$m=19456,t=2,p=1$")


async def test_verify_and_never_truncate(hasher: Argon2Hasher) -> None:
    password = "ü" * 127 + "x"
    stored = await hasher.hash(password)
    assert await hasher.verify(stored, password)
    assert not await hasher.verify(stored, password[:-1])
    assert not await hasher.verify(stored, password + "x")
    assert not await hasher.verify("not a hash", password)


async def test_other_parameters_need_a_rehash(hasher: Argon2Hasher) -> None:
    old = await Argon2Hasher(time_cost=1, memory_cost=8192).hash("password1")
    assert hasher.needs_rehash(old)
    assert not hasher.needs_rehash(await hasher.hash("password1"))


async def test_hashing_leaves_the_event_loop_free_and_runs_one_at_a_time(hasher: Argon2Hasher) -> None:
    running, most, lock = 0, 0, threading.Lock()
    real = hasher._argon2

    class Counting:
        def hash(self, password: str) -> str:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            try:
                return real.hash(password)
            finally:
                with lock:
                    running -= 1

    hasher._argon2 = Counting()  # type: ignore[assignment]
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    tick_task = asyncio.create_task(ticker())
    started = time.perf_counter()
    await asyncio.gather(*(hasher.hash(f"password{i}") for i in range(6)))
    elapsed = time.perf_counter() - started
    tick_task.cancel()
    assert most == 1
    # the loop kept turning while six hashes ran: at least a tick for every 10 ms of hashing
    assert ticks >= elapsed * 1000 / 10


async def test_unknown_emails_cost_a_real_verification(hasher: Argon2Hasher) -> None:
    calls = 0
    real_verify = hasher._verify

    def counting(stored: str, password: str) -> bool:
        nonlocal calls
        calls += 1
        assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        return real_verify(stored, password)

    hasher._verify = counting  # type: ignore[method-assign, assignment]
    await hasher.verify_dummy("whatever1")
    assert calls == 1
