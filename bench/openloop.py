"""Open-loop load: requests sent on a fixed schedule whatever the server does, each one's latency
measured from the time it was due (not from when it could be sent), so a stalled server shows as
latency instead of as fewer requests (no coordinated omission)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

__all__ = ["OpenLoopResult", "open_loop", "percentile"]


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class OpenLoopResult:
    offered_rate: float
    sent: int = 0
    ok: int = 0
    failed: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def achieved_rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


async def open_loop(
    client: httpx.AsyncClient,
    rate: float,
    seconds: float,
    send: Callable[[httpx.AsyncClient], Awaitable[httpx.Response]],
) -> OpenLoopResult:
    """Call ``send`` ``rate`` times a second for ``seconds``; a non-2xx answer counts as failed."""
    result = OpenLoopResult(offered_rate=rate)
    start = time.monotonic() + 0.05
    tasks: list[asyncio.Task[None]] = []

    async def one(due: float) -> None:
        try:
            response = await send(client)
        except httpx.HTTPError:
            result.failed += 1
            return
        done = time.monotonic()
        if response.is_success:
            result.ok += 1
            result.latencies_ms.append((done - due) * 1000)
        else:
            result.failed += 1

    for index in range(round(rate * seconds)):
        due = start + index / rate
        pause = due - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        result.sent += 1
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    result.seconds = time.monotonic() - start
    return result
