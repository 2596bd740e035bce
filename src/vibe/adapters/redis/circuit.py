"""The model's circuit breaker state in Redis: one key, shared by every worker and serve process.

Each change is read, computed (``Circuit``'s pure rules) and written back with a compare-and-set
script, which writes only if the key still holds what was read; a lost race reads again. So when
five workers fail at once the count goes up by five, and when the cool-down ends exactly one of them
wins the probe.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from redis.asyncio import Redis

from vibe.adapters.redis.errors import fail_closed
from vibe.domain.circuit import Circuit
from vibe.domain.errors import UnavailableError
from vibe.domain.ports import CircuitStore

__all__ = ["RedisCircuitStore"]

CIRCUIT_KEY = "vibe:model-circuit"
_MAX_RACES = 100
_COMPARE_AND_SET = """
local current = redis.call('GET', KEYS[1]) or ''
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
_decoder = msgspec.json.Decoder(Circuit)


class RedisCircuitStore(CircuitStore):
    def __init__(self, redis: Redis, key: str = CIRCUIT_KEY) -> None:
        self._redis = redis
        self._key = key
        self._swap = redis.register_script(_COMPARE_AND_SET)

    @fail_closed
    async def read(self) -> Circuit:
        raw: bytes | None = await self._redis.get(self._key)  # type: ignore[assignment]
        return _decode(raw)

    @fail_closed
    async def update(self, change: Callable[[Circuit], Circuit]) -> tuple[Circuit, Circuit]:
        for _ in range(_MAX_RACES):
            raw: bytes | None = await self._redis.get(self._key)  # type: ignore[assignment]
            before = _decode(raw)
            after = change(before)
            if after == before:
                return before, after
            if await self._swap(keys=[self._key], args=[raw or b"", msgspec.json.encode(after)]):
                return before, after
        raise UnavailableError("The model's circuit state kept changing under us; try again.")


def _decode(raw: bytes | None) -> Circuit:
    if not raw:
        return Circuit()
    try:
        return _decoder.decode(raw)
    except msgspec.DecodeError:  # written by another version of vibe: start afresh
        return Circuit()
