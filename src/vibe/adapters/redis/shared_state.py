"""Rate limiter, token denylist and cache on Redis, shared by every process."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence

from redis.asyncio import Redis

from vibe.adapters.redis.errors import fail_closed
from vibe.domain.ports import Cache, DenylistForgotten, Quota, RateLimiter, TokenBlacklist, WindowCount

__all__ = ["RedisCache", "RedisRateLimiter", "RedisTokenBlacklist"]

# One atomic step over every quota (KEYS[i]; ARGV: limit, window, member or '', '1' to count or '0' to
# only check, for each): count the hit or add the member, start the window on the first, and when
# one would go past its limit undo what this call counted and report that quota: {index, count so far,
# seconds left}; {0, 0, 0} when admitted.
_TAKE = """
local grew = {}
for i = 1, #KEYS do
  local limit, window = tonumber(ARGV[4*i-3]), tonumber(ARGV[4*i-2])
  local member, counting = ARGV[4*i-1], ARGV[4*i] == '1'
  local count, new
  if member == '' then
    count = tonumber(redis.call('GET', KEYS[i]) or '0')
    new = true
  else
    count = redis.call('SCARD', KEYS[i])
    new = redis.call('SISMEMBER', KEYS[i], member) == 0
  end
  local ttl = redis.call('TTL', KEYS[i])
  if new and count >= limit then
    for j = 1, i - 1 do
      if grew[j] and ARGV[4*j-1] == '' then redis.call('DECR', KEYS[j]) end
      if grew[j] and ARGV[4*j-1] ~= '' then redis.call('SREM', KEYS[j], ARGV[4*j-1]) end
    end
    return {i, count, math.max(ttl, 1)}
  end
  grew[i] = counting and new
  if grew[i] then
    if member == '' then redis.call('INCR', KEYS[i]) else redis.call('SADD', KEYS[i], member) end
    if ttl < 0 then redis.call('EXPIRE', KEYS[i], window) end
  end
end
return {0, 0, 0}
"""
# Undo an admitted take (ARGV: member or '' for each key); a counter never goes below 0 nor comes
# back to life once its window expired.
_GIVE_BACK = """
for i = 1, #KEYS do
  if ARGV[i] == '' then
    if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
  else
    redis.call('SREM', KEYS[i], ARGV[i])
  end
end
return 0
"""


def _member(quota: Quota) -> str:
    """The script's argument: '' for a counter, the member behind a mark (so '' stays a member)."""
    return "" if quota.member is None else "=" + quota.member


class RedisRateLimiter(RateLimiter):
    """Fixed windows: a counter (or a set of members) per key that expires with its window; every
    quota of one ``take`` is counted in one script, so concurrent takes in any process serialise."""

    def __init__(self, redis: Redis, prefix: str = "vibe:rl:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._take = redis.register_script(_TAKE)
        self._give_back = redis.register_script(_GIVE_BACK)

    @fail_closed
    async def take(self, quotas: Sequence[Quota]) -> WindowCount | None:
        if not quotas:
            return None
        args: list[str | int] = []
        for quota in quotas:
            args += [quota.limit, quota.window_seconds, _member(quota), "1" if quota.count else "0"]
        index, count, ttl = await self._take(keys=[self._prefix + q.key for q in quotas], args=args)
        return None if int(index) == 0 else WindowCount(int(count), max(1, int(ttl)))

    @fail_closed
    async def give_back(self, quotas: Sequence[Quota]) -> None:
        if quotas:
            await self._give_back(
                keys=[self._prefix + q.key for q in quotas], args=[_member(q) for q in quotas]
            )

    @fail_closed
    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)


class RedisTokenBlacklist(TokenBlacklist):
    """Denied keys with a TTL: each entry disappears when the last token it could stop expires.

    A marker key says the denylist holds everything: a Redis that restarted without its data has no
    marker, so the first check after it raises DenylistForgotten and the app restores it.

    Every authenticated request asks; the checks asked during one turn of the event loop share one
    MGET (marker and every key), sent on the next turn. Each check is still answered by a Redis read
    made after it was asked, so a revocation that Redis holds when a request is checked always counts;
    under load this turns many round trips into one, and alone a check costs one task more.
    """

    MAX_BATCH = 256  # checks per MGET

    def __init__(self, redis: Redis, prefix: str = "vibe:deny:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._marker = prefix + "@restored"
        self._batch: list[tuple[tuple[str, ...], asyncio.Future[bool]]] = []
        self._flushes: set[asyncio.Task[None]] = set()

    @fail_closed
    async def deny(self, key: str, ttl_seconds: int) -> None:
        await self._redis.set(self._prefix + key, b"1", ex=max(1, ttl_seconds))

    @fail_closed
    async def is_denied(self, *keys: str) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        batch = self._batch
        if not batch:
            # The task's first step runs on the next turn: every check asked before then joins it.
            flush = asyncio.create_task(self._flush(batch))
            self._flushes.add(flush)
            flush.add_done_callback(functools.partial(self._flushed, batch))
        batch.append((keys, future))
        if len(batch) >= self.MAX_BATCH:
            self._batch = []
        return await future

    async def _flush(self, batch: list[tuple[tuple[str, ...], asyncio.Future[bool]]]) -> None:
        if self._batch is batch:
            self._batch = []  # checks asked from now on wait for the next MGET
        names = list(dict.fromkeys(self._prefix + key for keys, _ in batch for key in keys))
        try:
            marker, *values = await self._redis.mget(self._marker, *names)
        except Exception as error:
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        denied = {name for name, value in zip(names, values, strict=True) if value is not None}
        for keys, future in batch:
            if future.done():  # its request went away
                continue
            if marker is None:
                future.set_exception(DenylistForgotten())
            else:
                future.set_result(any(self._prefix + key in denied for key in keys))

    def _flushed(
        self, batch: list[tuple[tuple[str, ...], asyncio.Future[bool]]], flush: asyncio.Task[None]
    ) -> None:
        """A flush cancelled (even before its first step, at shutdown) must leave no check waiting
        and no batch that later checks would join without a flush to send it."""
        self._flushes.discard(flush)
        if self._batch is batch:
            self._batch = []
        for _, future in batch:
            if not future.done():
                future.cancel()

    @fail_closed
    async def mark_restored(self) -> None:
        await self._redis.set(self._marker, b"1")


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
