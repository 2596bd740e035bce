"""Typed factories of the Redis adapters for the container, each imported on first use (Redis is
optional) and registering what it must close on the container's one exit stack."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

from vibe.domain.ports import (
    AccountFeed,
    Cache,
    CircuitStore,
    Denylist,
    JobQueue,
    LiveEvents,
    RateLimiter,
    ReadinessProbe,
)

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from vibe.adapters.redis.queue import RedisCancelBus

__all__ = [
    "close_quietly",
    "redis_account_feed",
    "redis_cache",
    "redis_cancel_bus",
    "redis_circuit_store",
    "redis_client",
    "redis_denylist",
    "redis_limiter",
    "redis_live_events",
    "redis_queue",
    "redis_readiness",
]


def close_quietly(resources: AsyncExitStack, close: Callable[[], Awaitable[object]]) -> None:
    """Have ``resources`` call ``close`` on exit, ignoring its failure (a connection already lost
    has nothing left to close, and the resources after it must still be closed)."""

    async def quietly() -> None:
        with contextlib.suppress(Exception):
            await close()

    resources.push_async_callback(quietly)


def redis_client(url: str | None, resources: AsyncExitStack) -> Redis | None:
    """One client (one pool) per process; None without VIBE_REDIS_URL."""
    if url is None:
        return None
    from vibe.adapters.redis.client import redis_client as connect

    client = connect(url)
    close_quietly(resources, client.aclose)
    return client


def redis_limiter(redis: Redis) -> RateLimiter:
    from vibe.adapters.redis.limiter import RedisRateLimiter

    return RedisRateLimiter(redis)


def redis_denylist(redis: Redis, resources: AsyncExitStack) -> Denylist:
    from vibe.adapters.redis.denylist import RedisDenylist

    denylist = RedisDenylist(redis)
    close_quietly(resources, denylist.aclose)
    return denylist


def redis_cache(redis: Redis, resources: AsyncExitStack) -> Cache:
    from vibe.adapters.redis.cache import TieredCache

    cache = TieredCache(redis)
    resources.push_async_callback(cache.aclose)
    return cache


def redis_live_events(redis: Redis, resources: AsyncExitStack) -> LiveEvents:
    from vibe.adapters.redis.events import RedisLiveEvents

    live = RedisLiveEvents(redis)
    resources.push_async_callback(live.aclose)
    return live


def redis_cancel_bus(redis: Redis) -> RedisCancelBus:
    """Closed by the queue that carries it."""
    from vibe.adapters.redis.queue import RedisCancelBus

    return RedisCancelBus(redis)


def redis_circuit_store(redis: Redis) -> CircuitStore:
    from vibe.adapters.redis.circuit import RedisCircuitStore

    return RedisCircuitStore(redis)


def redis_queue(redis: Redis, bus: RedisCancelBus, resources: AsyncExitStack) -> JobQueue:
    from vibe.adapters.redis.queue import RedisJobQueue

    queue = RedisJobQueue(redis, bus)
    close_quietly(resources, queue.aclose)
    return queue


def redis_readiness(redis: Redis) -> ReadinessProbe:
    from vibe.adapters.readiness import Probe

    return Probe("redis", redis.ping)


def redis_account_feed(redis: Redis, resources: AsyncExitStack) -> AccountFeed:
    from vibe.adapters.redis.account_feed import RedisAccountFeed

    feed = RedisAccountFeed(redis)
    close_quietly(resources, feed.aclose)
    return feed
