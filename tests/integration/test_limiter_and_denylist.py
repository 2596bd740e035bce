"""The shared-state ports (limiter, denylist, live event log) behave the same in process and on Redis;
Redis failures fail closed for security state and open (to SQL) for the event log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from vibe.adapters.memory import InMemoryDenylist, InMemoryLiveEvents, InMemoryRateLimiter
from vibe.adapters.redis.client import redis_client
from vibe.adapters.redis.denylist import RedisDenylist
from vibe.adapters.redis.events import RedisLiveEvents
from vibe.adapters.redis.limiter import RedisRateLimiter
from vibe.adapters.system import SystemClock
from vibe.domain.errors import UnavailableError
from vibe.domain.events import StoredEvent
from vibe.domain.ports import Denylist, DenylistForgotten, LiveEvents, Quota, RateLimiter

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
async def redis(redis_test_url: str) -> AsyncIterator[Redis]:
    async with redis_client(redis_test_url) as client:
        yield client


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> str | None:
    """None for the in-process adapters, else the test Redis URL."""
    return None if request.param == "memory" else str(request.getfixturevalue("redis_test_url"))


@pytest.fixture
async def limiter(backend: str | None) -> AsyncIterator[RateLimiter]:
    if backend is None:
        yield InMemoryRateLimiter(SystemClock())
        return
    async with redis_client(backend) as client:
        yield RedisRateLimiter(client)


@pytest.fixture
async def denylist(backend: str | None) -> AsyncIterator[Denylist]:
    if backend is None:
        yield InMemoryDenylist(SystemClock())
        return
    async with redis_client(backend) as client:
        yield RedisDenylist(client)


@pytest.fixture
async def live(backend: str | None) -> AsyncIterator[LiveEvents]:
    if backend is None:
        yield InMemoryLiveEvents()
        return
    async with redis_client(backend) as client:
        log = RedisLiveEvents(client, block_ms=50)
        yield log
        await log.aclose()


async def test_the_limiter_admits_up_to_the_limit_within_a_window(limiter: RateLimiter) -> None:
    quota = Quota("k", 3, 60)
    assert [await limiter.take([quota]) for _ in range(3)] == [None, None, None]
    refused = await limiter.take([quota])
    assert refused is not None
    assert refused.count == 3
    assert 0 < refused.reset_in <= 60
    assert await limiter.take([Quota("other", 3, 60)]) is None
    await limiter.reset("k")
    assert await limiter.take([quota]) is None


async def test_a_refused_take_counts_nothing_on_any_quota(limiter: RateLimiter) -> None:
    wide, tight = Quota("wide", 100, 60), Quota("tight", 2, 60)
    for _ in range(5):
        await limiter.take([wide, tight])
    for _ in range(98):  # 2 were counted on "wide" by the admitted takes, none by the refused ones
        assert await limiter.take([wide]) is None
    assert await limiter.take([wide]) is not None


async def test_given_back_hits_and_members_free_their_place(limiter: RateLimiter) -> None:
    counter, members = Quota("c", 2, 60), Quota("m", 2, 60, "ada")
    assert await limiter.take([counter, members]) is None
    assert await limiter.take([counter, Quota("m", 2, 60, "bob")]) is None
    assert await limiter.take([counter]) is not None
    assert await limiter.take([Quota("m", 2, 60, "eve")]) is not None
    await limiter.give_back([counter, members])
    assert await limiter.take([counter, Quota("m", 2, 60, "eve")]) is None
    await limiter.give_back([Quota("never-taken", 2, 60)])  # harmless, and never below zero
    assert await limiter.take([Quota("never-taken", 1, 60)]) is None


async def test_members_count_once_however_often_they_come(limiter: RateLimiter) -> None:
    for name in ("ada", "bob", "ada", "ada", "bob"):
        assert await limiter.take([Quota("set", 2, 60, name)]) is None
    refused = await limiter.take([Quota("set", 2, 60, "eve")])
    assert refused is not None
    assert refused.count == 2
    assert await limiter.take([Quota("set", 2, 60, "")]) is not None  # an empty name is a member too


async def test_a_quota_taken_only_to_check_counts_nothing(limiter: RateLimiter) -> None:
    check = Quota("seen", 2, 60, "eve", count=False)
    for _ in range(5):
        assert await limiter.take([check, Quota("hits", 3, 60, count=False)]) is None
    for name in ("ada", "bob"):
        assert await limiter.take([Quota("seen", 2, 60, name)]) is None
    assert await limiter.take([check]) is not None  # full, and eve is not in it
    assert await limiter.take([Quota("seen", 2, 60, "ada", count=False)]) is None  # ada is
    for _ in range(3):
        assert await limiter.take([Quota("hits", 3, 60)]) is None
    assert await limiter.take([Quota("hits", 3, 60, count=False)]) is not None


async def test_concurrent_takes_admit_exactly_the_limit(limiter: RateLimiter) -> None:
    quotas = [Quota("burst", 10, 60), Quota("members", 1000, 60, "ada")]
    answers = await asyncio.gather(*(limiter.take(quotas) for _ in range(150)))
    assert answers.count(None) == 10


async def test_takes_from_several_processes_admit_exactly_the_limit(redis_test_url: str) -> None:
    """Each client is its own connection, as each process of a deployment has its own."""
    clients = [redis_client(redis_test_url) for _ in range(4)]
    limiters = [RedisRateLimiter(client) for client in clients]
    quota = [Quota("shared", 10, 60)]
    answers = await asyncio.gather(*(limiters[i % 4].take(quota) for i in range(150)))
    assert answers.count(None) == 10
    for client in clients:
        await client.aclose()


async def test_denied_keys_are_denied_until_they_expire(denylist: Denylist) -> None:
    await denylist.mark_restored()
    assert not await denylist.is_denied("jti:a")
    await denylist.deny("jti:a", 900)
    assert await denylist.is_denied("jti:a")
    assert await denylist.is_denied("jti:zzz", "jti:a")
    assert not await denylist.is_denied("jti:b")
    assert not await denylist.is_denied()


async def test_a_denylist_that_lost_its_state_says_so(denylist: Denylist) -> None:
    with pytest.raises(DenylistForgotten):
        await denylist.is_denied("jti:a")  # a new process, or a new Redis, knows no revocations yet
    await denylist.mark_restored()
    assert not await denylist.is_denied("jti:a")


async def test_a_restarted_redis_is_noticed(redis: Redis) -> None:
    denylist = RedisDenylist(redis)
    await denylist.mark_restored()
    await denylist.deny("fam:1", 900)
    assert await denylist.is_denied("fam:1")
    await redis.flushdb()  # what a restart without persistence leaves
    with pytest.raises(DenylistForgotten):
        await denylist.is_denied("fam:1")


async def test_entries_without_the_marker_are_not_trusted(redis: Redis) -> None:
    # A restore under way writes the entries before the marker: until the marker is there, neither
    # a present nor an absent entry is an answer.
    denylist = RedisDenylist(redis)
    await denylist.deny("fam:1", 900)
    for keys in (("fam:1",), ("fam:2",), ("jti:x", "fam:1"), ()):
        with pytest.raises(DenylistForgotten):
            await denylist.is_denied(*keys)
    await denylist.mark_restored()
    assert await denylist.is_denied("jti:x", "fam:1")
    assert not await denylist.is_denied("jti:x", "fam:2")


async def test_redis_denylist_entries_carry_their_ttl(redis: Redis) -> None:
    await RedisDenylist(redis).deny("fam:1", 900)
    assert 890 < await redis.ttl("vibe:deny:fam:1") <= 900


async def test_security_state_fails_closed_when_redis_is_down() -> None:
    redis = Redis.from_url(DEAD_REDIS, socket_connect_timeout=0.2)
    with pytest.raises(UnavailableError):
        await RedisDenylist(redis).is_denied("jti:a")
    with pytest.raises(UnavailableError):
        await RedisRateLimiter(redis).take([Quota("k", 1, 60)])
    await redis.aclose()


def _events(first: int, last: int, terminal: bool = False) -> list[StoredEvent]:
    events = [StoredEvent(seq, "text", b'{"delta":"%d"}' % seq) for seq in range(first, last + 1)]
    if terminal:
        events[-1] = StoredEvent(last, "done", b"{}")
    return events


async def test_the_live_log_replays_and_follows(live: LiveEvents) -> None:
    assert await live.read("g1", 0) is None  # never published here
    await live.publish("g1", _events(1, 3))
    assert [e.seq for e in await live.read("g1", 0) or []] == [1, 2, 3]
    assert [e.seq for e in await live.read("g1", 2) or []] == [3]
    assert await live.read("g1", 3) == []
    await live.publish("g1", _events(2, 4))  # a replayed publish adds only what is new
    assert [e.seq for e in await live.read("g1", 0) or []] == [1, 2, 3, 4]

    async def later() -> None:
        await asyncio.sleep(0.05)
        await live.publish("g1", _events(5, 6, terminal=True))

    publisher = asyncio.create_task(later())
    woken = await live.read("g1", 4, timeout=5)
    await publisher
    assert woken
    assert woken[0].seq == 5
    assert [e.seq for e in await live.read("g1", 4) or []] == [5, 6]
    started = asyncio.get_running_loop().time()
    assert await live.read("g1", 6, timeout=5) == []  # ended: no waiting for more
    assert asyncio.get_running_loop().time() - started < 1


async def test_a_thousand_waiting_readers_all_wake(live: LiveEvents) -> None:
    await live.publish("many", _events(1, 1))
    readers = [asyncio.create_task(live.read("many", 1, timeout=10)) for _ in range(1000)]
    await asyncio.sleep(0.1)
    await live.publish("many", _events(2, 2))
    results = await asyncio.gather(*readers)
    assert all(r and r[0].seq == 2 for r in results)


async def test_the_redis_live_log_falls_back_to_sql_when_redis_is_down() -> None:
    log = RedisLiveEvents(Redis.from_url(DEAD_REDIS, socket_connect_timeout=0.2))
    await log.publish("g", _events(1, 2))  # logged, not raised: the durable log has them
    assert await log.read("g", 0, timeout=1) is None


async def test_a_reader_ahead_of_the_live_log_waits_for_an_event_it_has_not_seen(live: LiveEvents) -> None:
    """A follower that read further in the durable log than the live log holds yet is not woken
    empty-handed by the publishes that only catch the live log up (it would poll and sleep)."""
    await live.publish("s", _events(1, 2))
    ahead = asyncio.create_task(live.read("s", 4, timeout=10))
    await asyncio.sleep(0.1)
    await live.publish("s", _events(3, 4))
    await asyncio.sleep(0.2)
    assert not ahead.done()
    await live.publish("s", _events(5, 5))
    assert [e.seq for e in await asyncio.wait_for(ahead, 5) or []] == [5]
