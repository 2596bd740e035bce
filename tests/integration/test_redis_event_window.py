"""The Redis live log serves caught-up readers from the window its one XREAD loop keeps, so a thousand
streams of one session do not each go back to Redis for every event; readers that are behind, or a
stream with a gap, still get exactly what Redis holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from vibe.adapters.redis import events as redis_events
from vibe.adapters.redis.client import redis_client
from vibe.adapters.redis.events import RedisLiveEvents
from vibe.domain.events import StoredEvent

pytestmark = pytest.mark.redis


class CountingRedis:
    """The real client, counting the range reads readers make."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self.ranges = 0

    async def xrange(self, *args: Any, **kwargs: Any) -> Any:
        self.ranges += 1
        return await self._redis.xrange(*args, **kwargs)

    async def xrevrange(self, *args: Any, **kwargs: Any) -> Any:
        self.ranges += 1
        return await self._redis.xrevrange(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._redis, name)


@pytest.fixture
async def counted(redis_test_url: str) -> AsyncIterator[tuple[RedisLiveEvents, CountingRedis]]:
    async with redis_client(redis_test_url) as client:
        counting = CountingRedis(client)
        log = RedisLiveEvents(counting, block_ms=50)  # type: ignore[arg-type]
        yield log, counting
        await log.aclose()


def _event(seq: int, name: str = "text") -> StoredEvent:
    return StoredEvent(seq, name, b'{"delta":"%d"}' % seq)


async def _later(log: RedisLiveEvents, *events: StoredEvent) -> None:
    await asyncio.sleep(0.1)
    await log.publish("s", list(events))


async def test_caught_up_readers_take_new_events_from_the_window(
    counted: tuple[RedisLiveEvents, CountingRedis],
) -> None:
    log, redis = counted
    await log.publish("s", [_event(1)])
    readers = 200
    first = asyncio.gather(*(log.read("s", 1, timeout=5) for _ in range(readers)))
    await _later(log, _event(2))
    assert all([e.seq for e in batch or []] == [2] for batch in await first)
    cold = redis.ranges
    for seq in range(3, 8):  # every reader now caught up at seq - 1: no range read at all
        batches = asyncio.gather(*(log.read("s", seq - 1, timeout=5) for _ in range(readers)))
        await _later(log, _event(seq))
        assert all([e.seq for e in batch or []] == [seq] for batch in await batches)
    assert redis.ranges == cold


async def test_a_reader_behind_the_window_gets_every_event_from_redis(
    counted: tuple[RedisLiveEvents, CountingRedis],
) -> None:
    log, _ = counted
    await log.publish("s", [_event(1)])
    waiting = asyncio.create_task(log.read("s", 1, timeout=5))
    await _later(log, *[_event(seq) for seq in range(2, 300)])
    got = [e.seq for e in await waiting or []]
    while got[-1] < 299:  # a batch may arrive in parts: read on from the last seen, like a stream
        got += [e.seq for e in await log.read("s", got[-1], timeout=5) or []]
    assert got == list(range(2, 300))
    assert [e.seq for e in await log.read("s", 0) or []][:3] == [1, 2, 3]  # older than the window
    assert [e.seq for e in await log.read("s", 295) or []] == [296, 297, 298, 299]  # inside it


async def test_a_gap_in_the_stream_restarts_the_window(
    counted: tuple[RedisLiveEvents, CountingRedis],
) -> None:
    log, redis = counted
    await log.publish("s", [_event(1)])
    waiting = asyncio.create_task(log.read("s", 1, timeout=5))
    await _later(log, _event(2))
    assert [e.seq for e in await waiting or []] == [2]
    await redis.xadd("vibe:events:s", {"n": "text", "d": b"{}"}, id="0-4")  # 3 never made it to Redis
    waiting = asyncio.create_task(log.read("s", 2, timeout=5))
    await _later(log, _event(5))
    assert [e.seq for e in await waiting or []] in ([4], [4, 5])
    assert [e.seq for e in await log.read("s", 2) or []] == [4, 5]  # what Redis holds, as before


async def test_an_ended_session_answers_at_once(counted: tuple[RedisLiveEvents, CountingRedis]) -> None:
    log, _ = counted
    await log.publish("s", [_event(1)])
    waiting = asyncio.create_task(log.read("s", 1, timeout=5))
    await _later(log, _event(2, "done"))
    assert [e.seq for e in await waiting or []] == [2]
    started = asyncio.get_running_loop().time()
    assert await log.read("s", 2, timeout=5) == []
    assert asyncio.get_running_loop().time() - started < 0.5


async def test_a_session_nobody_reads_is_no_longer_tailed(
    counted: tuple[RedisLiveEvents, CountingRedis], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_events, "_UNWATCH_AFTER", 0.1)
    log, _ = counted
    await log.publish("s", [_event(1)])
    waiting = asyncio.create_task(log.read("s", 1, timeout=5))
    await _later(log, _event(2))
    await waiting
    await asyncio.sleep(0.5)
    assert log._tail is not None
    assert log._tail.done()  # the loop ended with its last watch
    assert not log._watched
    follow = asyncio.create_task(log.read("s", 2, timeout=5))  # and starts again for a new reader
    await _later(log, _event(3))
    assert [e.seq for e in await follow or []] == [3]


async def test_a_new_session_is_read_at_once_while_others_are_tailed(redis_test_url: str) -> None:
    async with redis_client(redis_test_url) as client:
        log = RedisLiveEvents(client, block_ms=2000)  # the loop blocks long on the sessions it tails
        try:
            await log.publish("old", [_event(1)])
            old = asyncio.create_task(log.read("old", 1, timeout=10))
            await asyncio.sleep(0.2)  # the loop is now blocked in XREAD on "old" only
            await log.publish("new", [_event(1)])
            new = asyncio.create_task(log.read("new", 1, timeout=10))
            await asyncio.sleep(0.2)
            started = asyncio.get_running_loop().time()
            await log.publish("new", [_event(2)])
            assert [e.seq for e in await new or []] == [2]
            assert asyncio.get_running_loop().time() - started < 0.5  # not after the 2 s block
            await log.publish("old", [_event(2)])
            assert [e.seq for e in await old or []] == [2]  # the restarted loop still tails "old"
        finally:
            await log.aclose()


async def until(condition: Callable[[], bool], timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - what is awaited is the adapter's inner state
            await asyncio.sleep(0.01)


async def test_a_batch_read_while_a_new_reader_kicks_the_loop_still_wakes_that_reader(
    redis_test_url: str,
) -> None:
    """Issue 15, item 10. A reader of a session the loop does not tail yet kicks the blocked XREAD
    (one round trip) before it waits; the loop can read the session's next batch during that round
    trip. That batch must wake the reader, not the one after it (or the heartbeat's timeout: on the
    last batch of a session, a stall of up to 15 s)."""
    async with redis_client(redis_test_url) as client, redis_client(redis_test_url) as other:
        log = RedisLiveEvents(client, block_ms=60_000)  # only a kick or a new entry ends the XREAD
        writer = RedisLiveEvents(other)  # another process's, as a worker's is
        try:
            await writer.publish("a", [_event(1)])
            tailed = asyncio.create_task(log.read("a", 1, timeout=30))  # the loop blocks on "a" only
            await asyncio.sleep(0.2)
            await writer.publish("b", [_event(1)])
            assert [e.seq for e in await log.read("b", 0, timeout=30) or []] == [1]
            kick = log._kick

            async def kick_while_the_next_batch_lands() -> None:
                watch = log._watched["b"]
                await kick()
                await writer.publish("b", [_event(2, "done")])
                await until(lambda: watch.seen >= 2)  # the loop has read it

            log._kick = kick_while_the_next_batch_lands  # type: ignore[method-assign]
            try:
                started = asyncio.get_running_loop().time()
                woken = await log.read("b", 1, timeout=8)
            finally:
                log._kick = kick  # type: ignore[method-assign]
            assert asyncio.get_running_loop().time() - started < 2, "woken by the timeout, not the batch"
            assert [e.seq for e in woken or []] == [2]
            await writer.publish("a", [_event(2)])
            assert [e.seq for e in await tailed or []] == [2]
        finally:
            await log.aclose()


async def test_a_reader_ahead_of_the_loop_waits_for_an_event_it_has_not_seen(redis_test_url: str) -> None:
    """A reader that read further (from Redis directly) than the loop has is not woken empty-handed
    by the batches it already has (to poll the database and sleep): it waits for one it lacks."""
    async with redis_client(redis_test_url) as client:
        log = RedisLiveEvents(client, block_ms=60_000)
        try:
            await log.publish("s", [_event(1)])
            behind = asyncio.create_task(log.read("s", 1, timeout=30))  # the loop tails "s" from 1
            await asyncio.sleep(0.2)
            await log.publish("s", [_event(2)])
            assert [e.seq for e in await behind or []] == [2]
            ahead = asyncio.create_task(log.read("s", 5, timeout=30))  # it read 3 to 5 elsewhere
            await asyncio.sleep(0.1)
            for seq in (3, 4, 5):  # each wakes the loop, none of them this reader
                await log.publish("s", [_event(seq)])
                await asyncio.sleep(0.1)
                assert not ahead.done(), seq
            await log.publish("s", [_event(6)])
            assert [e.seq for e in await asyncio.wait_for(ahead, 5) or []] == [6]
        finally:
            await log.aclose()
