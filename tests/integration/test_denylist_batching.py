"""The Redis denylist answers the checks asked together with one MGET (those of one turn of the event
loop, and those asked while an MGET is out), and each check exactly as if it had been asked alone: a
revocation Redis holds when a check is asked counts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from vibe.adapters.redis.client import redis_client
from vibe.adapters.redis.denylist import RedisDenylist
from vibe.domain.errors import UnavailableError
from vibe.domain.ports import DenylistForgotten

DEADLINE = 10.0


class MgetSpy:
    """The client, with every MGET the denylist sends counted and, when ``hold`` is set, held after
    Redis answered. The denylist sends them on a connection of its own, made by the client's pool."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self.mgets: list[int] = []  # keys per MGET
        self.hold: asyncio.Event | None = None
        self.answered = asyncio.Event()
        self.connections: list[SpyConnection] = []
        self.connection_pool = self

    def make_connection(self) -> SpyConnection:
        connection = SpyConnection(self, self._redis.connection_pool.make_connection())  # type: ignore[no-untyped-call]
        self.connections.append(connection)
        return connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._redis, name)


class SpyConnection:
    def __init__(self, spy: MgetSpy, connection: Any) -> None:
        self._spy = spy
        self._connection = connection
        self.disconnected = False

    async def send_command(self, *args: Any) -> None:
        assert args[0] == "MGET"
        self._spy.mgets.append(len(args) - 1)
        await self._connection.send_command(*args)

    async def read_response(self) -> Any:
        values = await self._connection.read_response()
        self._spy.answered.set()
        if self._spy.hold is not None:
            await self._spy.hold.wait()
        return values

    async def client_id(self) -> int:
        await self._connection.send_command("CLIENT", "ID")
        return int(await self._connection.read_response())

    async def disconnect(self, nowait: bool = False) -> None:
        self.disconnected = True
        await self._connection.disconnect(nowait=nowait)


@pytest.fixture
async def redis(redis_test_url: str) -> AsyncIterator[Redis]:
    async with redis_client(redis_test_url) as client:
        yield client


async def restored(redis: Redis) -> tuple[RedisDenylist, MgetSpy]:
    spy = MgetSpy(redis)
    denylist = RedisDenylist(spy)  # type: ignore[arg-type]
    await denylist.mark_restored()
    return denylist, spy


async def test_checks_asked_together_share_one_mget(redis: Redis) -> None:
    async with asyncio.timeout(DEADLINE):
        denylist, spy = await restored(redis)
        await denylist.deny("fam:1", 900)
        await denylist.deny("jti:7", 900)
        queries = [(f"jti:{i}", f"fam:{i % 3}") for i in range(100)]
        answers = await asyncio.gather(*(denylist.is_denied(*keys) for keys in queries))
        assert answers == [keys[0] == "jti:7" or keys[1] == "fam:1" for keys in queries]
        assert spy.mgets == [1 + 100 + 3]  # the marker, each key once
        assert await denylist.is_denied("fam:1")
        assert not await denylist.is_denied("fam:2")
        assert len(spy.mgets) == 3  # alone, a check is one MGET of its own


async def test_a_full_batch_is_sent_and_the_rest_waits_for_the_next(redis: Redis) -> None:
    async with asyncio.timeout(DEADLINE):
        denylist, spy = await restored(redis)
        count = RedisDenylist.MAX_BATCH * 2 + 5
        answers = await asyncio.gather(*(denylist.is_denied(f"jti:{i}") for i in range(count)))
        assert answers == [False] * count
        assert spy.mgets == [1 + RedisDenylist.MAX_BATCH] * 2 + [1 + 5]


async def test_a_check_asked_after_the_read_is_not_answered_by_it(redis: Redis) -> None:
    async with asyncio.timeout(DEADLINE):
        denylist, spy = await restored(redis)
        spy.hold = asyncio.Event()
        first = asyncio.create_task(denylist.is_denied("fam:1"))
        await spy.answered.wait()  # Redis has answered the first check: fam:1 was not denied then
        await denylist.deny("fam:1", 900)  # a sign-out in another process
        second = asyncio.create_task(denylist.is_denied("fam:1"))
        await asyncio.sleep(0.01)
        spy.hold.set()
        assert await first is False
        assert await second is True
        assert len(spy.mgets) == 2


async def test_a_forgotten_denylist_fails_every_check_of_the_batch(redis: Redis) -> None:
    async with asyncio.timeout(DEADLINE):
        spy = MgetSpy(redis)
        denylist = RedisDenylist(spy)  # type: ignore[arg-type]
        await denylist.deny("fam:1", 900)  # an entry, but no marker: a restore under way
        answers = await asyncio.gather(
            *(denylist.is_denied(f"fam:{i}") for i in range(5)), return_exceptions=True
        )
        assert all(isinstance(answer, DenylistForgotten) for answer in answers)
        assert len(spy.mgets) == 1


async def test_every_check_of_the_batch_fails_closed_when_redis_is_down() -> None:
    async with asyncio.timeout(DEADLINE):
        redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
        denylist = RedisDenylist(redis)
        answers = await asyncio.gather(
            *(denylist.is_denied(f"jti:{i}") for i in range(5)), return_exceptions=True
        )
        assert all(isinstance(answer, UnavailableError) for answer in answers)
        await redis.aclose()


async def test_a_request_that_went_away_does_not_disturb_the_others(redis: Redis) -> None:
    async with asyncio.timeout(DEADLINE):
        denylist, spy = await restored(redis)
        await denylist.deny("jti:2", 900)
        spy.hold = asyncio.Event()
        checks = [asyncio.create_task(denylist.is_denied(f"jti:{i}")) for i in range(4)]
        await spy.answered.wait()
        checks[1].cancel()
        spy.hold.set()
        answers = await asyncio.gather(*checks, return_exceptions=True)
        assert [answers[0], answers[2], answers[3]] == [False, True, False]
        assert isinstance(answers[1], asyncio.CancelledError)
        assert await denylist.is_denied("jti:2")


async def test_checks_go_on_one_connection_of_the_denylist_and_it_closes(redis: Redis) -> None:
    async with asyncio.timeout(DEADLINE):
        denylist, spy = await restored(redis)
        for i in range(3):
            assert not await denylist.is_denied(f"jti:{i}")
        assert len(spy.connections) == 1
        await denylist.aclose()
        assert spy.connections[0].disconnected


async def test_a_connection_redis_dropped_is_replaced_and_the_check_answered(redis: Redis) -> None:
    async with asyncio.timeout(DEADLINE):
        denylist, spy = await restored(redis)
        assert not await denylist.is_denied("jti:1")
        killed = await spy.connections[0].client_id()
        assert await redis.client_kill_filter(_id=str(killed)) == 1  # as a Redis restart would
        await denylist.deny("jti:1", 900)
        assert await denylist.is_denied("jti:1")
        assert len(spy.connections) == 2
        await denylist.aclose()


def senders() -> set[asyncio.Task[Any]]:
    return {task for task in asyncio.all_tasks() if task.get_coro().__qualname__ == "RedisDenylist._send"}  # type: ignore[union-attr]


async def test_a_sender_cancelled_before_it_ran_leaves_nothing_waiting(redis: Redis) -> None:
    async with asyncio.timeout(DEADLINE):
        denylist, spy = await restored(redis)
        check = asyncio.create_task(denylist.is_denied("jti:1"))
        await asyncio.sleep(0)  # the check waits; its sender has not run yet
        (sender,) = senders()
        sender.cancel()  # what a loop shutting down does
        await asyncio.wait({check}, timeout=1)
        assert check.cancelled()  # not left waiting for an answer that will never come
        assert spy.mgets == []
        assert not await denylist.is_denied("jti:1")  # later checks are sent, not stuck
        assert spy.mgets == [2]


async def test_a_sender_cancelled_while_redis_answers_leaves_nothing_waiting(redis: Redis) -> None:
    async with asyncio.timeout(DEADLINE):
        denylist, spy = await restored(redis)
        spy.hold = asyncio.Event()
        sent = asyncio.create_task(denylist.is_denied("jti:1"))
        await spy.answered.wait()
        waiting = asyncio.create_task(denylist.is_denied("jti:2"))  # waits for the next MGET
        await asyncio.sleep(0)
        (sender,) = senders()
        sender.cancel()
        await asyncio.wait({sent, waiting}, timeout=1)
        assert sent.cancelled()
        assert waiting.cancelled()
        assert spy.connections[0].disconnected  # its reply must never be read as the next one's
        spy.hold = None
        assert not await denylist.is_denied("jti:1")  # later checks are sent, not stuck
        assert spy.mgets == [2, 2]
        assert len(spy.connections) == 2


async def test_checks_asked_while_an_mget_is_out_go_together_in_the_next(redis: Redis) -> None:
    async with asyncio.timeout(DEADLINE):
        denylist, spy = await restored(redis)
        await denylist.deny("jti:3", 900)
        spy.hold = asyncio.Event()
        first = asyncio.create_task(denylist.is_denied("jti:0"))
        await spy.answered.wait()  # one MGET out
        later = []
        for i in range(1, 6):  # asked on five different turns of the loop
            later.append(asyncio.create_task(denylist.is_denied(f"jti:{i}")))
            await asyncio.sleep(0)
        spy.hold.set()
        assert await first is False
        assert await asyncio.gather(*later) == [i == 3 for i in range(1, 6)]
        assert spy.mgets == [2, 6]  # one round trip for the five, not one each
        assert senders() == set()  # the sender ends when nobody waits


keys = st.sampled_from([f"{kind}:{n}" for kind in ("jti", "fam") for n in range(6)])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(denied=st.sets(keys), queries=st.lists(st.lists(keys, max_size=3), min_size=1, max_size=40))
def test_batched_answers_are_the_answers_of_checks_asked_alone(
    redis_test_url: str, denied: set[str], queries: list[list[str]]
) -> None:
    async def run() -> None:
        async with redis_client(redis_test_url) as client:
            await client.flushdb()
            denylist = RedisDenylist(client)
            await denylist.mark_restored()
            for key in denied:
                await denylist.deny(key, 900)
            together = await asyncio.gather(*(denylist.is_denied(*query) for query in queries))
            alone = [await denylist.is_denied(*query) for query in queries]
            assert together == alone == [any(key in denied for key in query) for query in queries]

    asyncio.run(asyncio.wait_for(run(), DEADLINE))
