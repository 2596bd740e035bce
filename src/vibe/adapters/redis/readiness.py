"""Redis's readiness probe: one PING."""

from __future__ import annotations

from redis.asyncio import Redis

from vibe.domain.ports import ReadinessProbe

__all__ = ["RedisReadiness"]


class RedisReadiness(ReadinessProbe):
    name = "redis"

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def ping(self) -> None:
        await self._redis.ping()
