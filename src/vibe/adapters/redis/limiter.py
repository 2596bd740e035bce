"""The rate limiter on Redis: fixed windows shared by every process."""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

from vibe.adapters.redis.errors import fail_closed
from vibe.domain.ports import Quota, RateLimiter, WindowCount

__all__ = ["RedisRateLimiter"]

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
