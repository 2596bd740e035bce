"""The Redis client vibe uses: one pool per process."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis

__all__ = ["redis_client"]


def redis_client(url: str, max_connections: int = 64) -> Redis:
    """The pool blocks (up to 5 s) when every connection is busy, rather than fail at once as
    redis-py's default pool does past 100 concurrent commands."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=5,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=15,
    )
    return Redis(connection_pool=pool)
