"""Client CPU of one denylist check on Redis, alone and 64 at once (a micro-benchmark, not in the plan).

    python -m bench.micro_denylist [redis://127.0.0.1:6379/12]

Compares what vibe did before (a pipeline of two EXISTS per check), one MGET per check, and vibe's
batched check (the checks of one event-loop turn share one MGET), each with redis-py's pure-Python
reply parser and with hiredis. Figures are process CPU (user + system) per check on uvloop.
"""

from __future__ import annotations

import asyncio
import functools
import sys
import time
from collections.abc import Awaitable, Callable

import uvloop
from redis._parsers import _AsyncHiredisParser, _AsyncRESP2Parser
from redis.asyncio import ConnectionPool, Redis

from vibe.adapters.redis.denylist import RedisDenylist

CHECKS = 6400


async def pipeline_check(redis: Redis) -> bool:
    async with redis.pipeline(transaction=False) as pipe:
        pipe.exists("vibe:deny:@restored")
        pipe.exists("vibe:deny:jti:a", "vibe:deny:fam:b")
        marker, denied = await pipe.execute()
    return bool(marker) and bool(denied)


async def mget_check(redis: Redis) -> bool:
    marker, *entries = await redis.mget("vibe:deny:@restored", "vibe:deny:jti:a", "vibe:deny:fam:b")
    return marker is not None and any(entry is not None for entry in entries)


async def cpu_per_check(check: Callable[[], Awaitable[bool]], concurrency: int) -> float:
    rounds = CHECKS // concurrency
    for _ in range(20):
        await asyncio.gather(*(check() for _ in range(concurrency)))
    started = time.process_time()
    for _ in range(rounds):
        await asyncio.gather(*(check() for _ in range(concurrency)))
    return (time.process_time() - started) / (rounds * concurrency) * 1e6


async def main(url: str) -> None:
    print(f"{'parser':8} {'check':22} {'alone':>9} {'64 at once':>11}  (µs of client CPU per check)")
    for name, parser in (("python", _AsyncRESP2Parser), ("hiredis", _AsyncHiredisParser)):
        redis = Redis(connection_pool=ConnectionPool.from_url(url, parser_class=parser))
        denylist = RedisDenylist(redis)
        await denylist.mark_restored()
        checks: dict[str, Callable[[], Awaitable[bool]]] = {
            "pipeline of 2 EXISTS": functools.partial(pipeline_check, redis),
            "one MGET": functools.partial(mget_check, redis),
            "vibe (batched MGET)": functools.partial(denylist.is_denied, "jti:a", "fam:b"),
        }
        for label, check in checks.items():
            alone = await cpu_per_check(check, 1)
            together = await cpu_per_check(check, 64)
            print(f"{name:8} {label:22} {alone:9.1f} {together:11.1f}")
        await redis.delete("vibe:deny:@restored")
        await redis.aclose()


if __name__ == "__main__":
    uvloop.run(main(sys.argv[1] if len(sys.argv) > 1 else "redis://127.0.0.1:6379/12"))
