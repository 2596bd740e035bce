"""The three-tier cache's two upper tiers: L1 in this process, L2 in Redis (L3 is the database).

``get`` asks L1, then L2 (and keeps what L2 had in L1); ``set`` writes both; ``delete`` drops both and
tells the other processes, over Redis pub/sub, to drop their L1 copy. Should such a message be lost,
L1's short TTL (2 s) bounds how long another process serves the old value. When Redis does not
answer, L2 is skipped: reads fall through to the database, never to an error.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis

from vibe.adapters.memory import InMemoryCache
from vibe.adapters.redis.errors import REDIS_DOWN
from vibe.domain.ports import Cache

__all__ = ["TieredCache"]

log = logging.getLogger("vibe.cache")
INVALIDATIONS = "vibe:cache:invalidate"
L1_TTL_SECONDS = 2.0


class TieredCache(Cache):
    def __init__(self, redis: Redis, l1: InMemoryCache | None = None) -> None:
        self._redis = redis
        self._l1 = l1 or InMemoryCache(max_entries=10_000)
        self._l2 = RedisCache(redis)
        self._listener: asyncio.Task[None] | None = None

    def _listen(self) -> None:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._drop_on_message(), name="vibe-cache-invalidations")

    async def _drop_on_message(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(INVALIDATIONS)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            await self._l1.delete(*message["data"].decode().split("\n"))
            except REDIS_DOWN:
                await asyncio.sleep(0.5)

    async def get(self, key: str) -> bytes | None:
        self._listen()
        if (value := await self._l1.get(key)) is not None:
            return value
        try:
            value = await self._l2.get(key)
        except REDIS_DOWN:
            return None
        if value is not None:
            await self._l1.set(key, value, L1_TTL_SECONDS)
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        await self._l1.set(key, value, min(ttl_seconds, L1_TTL_SECONDS))
        try:
            await self._l2.set(key, value, ttl_seconds)
        except REDIS_DOWN as error:
            log.warning("cache write skipped (Redis: %r)", error)

    async def delete(self, *keys: str) -> None:
        await self._l1.delete(*keys)
        try:
            await self._l2.delete(*keys)
            await self._redis.publish(INVALIDATIONS, "\n".join(keys))
        except REDIS_DOWN as error:
            log.warning("cache invalidation of %s not shared (Redis: %r)", keys, error)

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)


class RedisCache(Cache):
    """Bytes with a TTL. Failures raise (the tiered cache above decides what they mean)."""

    def __init__(self, redis: Redis, prefix: str = "vibe:cache:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def get(self, key: str) -> bytes | None:
        value = await self._redis.get(self._prefix + key)
        return value if value is None else bytes(value, "utf-8") if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        await self._redis.set(self._prefix + key, value, px=max(1, int(ttl_seconds * 1000)))

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._redis.delete(*(self._prefix + key for key in keys))
