"""The job queue on a Redis Stream with a consumer group, and cancel signals on pub/sub.

``serve`` only enqueues (XADD). Each ``vibe worker`` reads with XREADGROUP, runs the generation and
acknowledges it (XACK) when it ends. While a job runs its worker re-claims the entry every few seconds
(XCLAIM to itself), which keeps it from looking idle; the entry of a worker that died goes idle and
another worker takes it over with XAUTOCLAIM. Whoever runs a session claims it in the database too,
under a lease and an attempt number, so a job delivered twice still runs once; the attempt count also
caps deliveries (see ``Generations``). An entry carries the trace context of the request that queued
it (``traceparent``), so the run continues that trace in whichever worker takes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from vibe.adapters.redis.errors import REDIS_DOWN, fail_closed
from vibe.domain.ports import CancelBus, JobHandler, JobQueue, TraceCarrier

__all__ = ["GROUP", "STREAM", "RedisCancelBus", "RedisJobQueue", "RedisWorker"]

log = logging.getLogger("vibe.worker")
STREAM = "vibe:jobs"
GROUP = "vibe-workers"
CANCEL_CHANNEL = "vibe:cancel"
TRACE_FIELDS = ("traceparent", "tracestate")  # W3C Trace Context, kept beside the id in the entry


class RedisCancelBus(CancelBus):
    """Cancel requests to every process: whoever runs the session stops it."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._listener: asyncio.Task[None] | None = None

    @fail_closed
    async def publish(self, generation_id: str) -> None:
        await self._redis.publish(CANCEL_CHANNEL, generation_id)

    def listen(self, on_cancel: Callable[[str], None]) -> None:
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(on_cancel), name="vibe-cancel-listener")

    async def _listen(self, on_cancel: Callable[[str], None]) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(CANCEL_CHANNEL)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            on_cancel(message["data"].decode())
            except REDIS_DOWN:
                await asyncio.sleep(0.5)  # reconnect; the lease check stops a run meanwhile

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)


class RedisJobQueue(JobQueue):
    """What ``serve`` holds with VIBE_QUEUE=redis: it enqueues and signals cancels; workers run."""

    def __init__(self, redis: Redis, bus: RedisCancelBus) -> None:
        self._redis = redis
        self._bus = bus

    async def start(self, handler: JobHandler) -> None:
        return None  # `vibe worker` processes run the jobs

    @fail_closed
    async def enqueue(self, generation_id: str, trace: TraceCarrier | None = None) -> None:
        fields: dict[Any, Any] = {"id": generation_id}
        fields |= {key: value for key, value in (trace or {}).items() if key in TRACE_FIELDS}
        await self._redis.xadd(STREAM, fields, maxlen=100_000, approximate=True)

    async def cancel(self, generation_id: str) -> None:
        await self._bus.publish(generation_id)

    async def depth(self) -> int:
        """Jobs waiting or running (for the metrics)."""
        try:
            groups = await self._redis.xinfo_groups(STREAM)
        except ResponseError:
            return 0
        group = next((g for g in groups if g["name"] in (GROUP, GROUP.encode())), None)
        return int((group or {}).get("lag") or 0) + int((group or {}).get("pending") or 0)

    async def aclose(self) -> None:
        await self._bus.aclose()


class RedisWorker:
    """The consumer loop of one ``vibe worker`` process."""

    def __init__(
        self,
        redis: Redis,
        handler: JobHandler,
        bus: RedisCancelBus,
        *,
        consumer: str,
        concurrency: int = 2,
        block_ms: int = 1000,
        touch_seconds: float = 5.0,
        idle_ms: int = 30_000,
    ) -> None:
        self._redis = redis
        self._handler = handler
        self._bus = bus
        self._consumer = consumer
        self._concurrency = concurrency
        self._block_ms = block_ms
        self._touch_seconds = touch_seconds
        self._idle_ms = idle_ms
        self._running: dict[bytes, tuple[str, asyncio.Task[object]]] = {}  # entry id -> (session, task)
        self._finishing: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        await self._ensure_group()
        self._bus.listen(self._cancel_local)
        toucher = asyncio.create_task(self._touch_forever(), name="vibe-worker-touch")
        try:
            while not stop.is_set():
                try:
                    await self._take_jobs()
                except REDIS_DOWN as error:
                    log.warning("Redis unavailable (%r); retrying", error)
                    await asyncio.sleep(1.0)
                except ResponseError as error:  # NOGROUP, or UNBLOCKED: the stream went away
                    log.warning("the job stream changed under us (%s); making it again", error)
                    await self._ensure_group()
                    await asyncio.sleep(0.1)
        finally:
            toucher.cancel()
            await self._drain()
            await self._bus.aclose()

    async def _ensure_group(self) -> None:
        with contextlib.suppress(ResponseError):  # BUSYGROUP: it exists
            await self._redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)

    async def _take_jobs(self) -> None:
        free = self._concurrency - len(self._running)
        if free <= 0:
            await asyncio.wait(
                [task for _, task in self._running.values()], return_when=asyncio.FIRST_COMPLETED
            )
            return
        claimed: Any = await self._redis.xautoclaim(
            STREAM, GROUP, self._consumer, min_idle_time=self._idle_ms, start_id="0-0", count=free
        )
        entries = list(claimed[1])
        if len(entries) < free:
            answer: Any = await self._redis.xreadgroup(
                GROUP, self._consumer, {STREAM: ">"}, count=free - len(entries), block=self._block_ms
            )
            for _stream, fresh in answer or []:
                entries.extend(fresh)
        for entry_id, fields in entries:
            if fields:  # a deleted entry comes back empty
                self._start(entry_id, {key.decode(): value.decode() for key, value in fields.items()})
            else:
                await self._redis.xack(STREAM, GROUP, entry_id)

    def _start(self, entry_id: bytes, fields: dict[str, str]) -> None:
        if entry_id in self._running:
            return
        generation_id = fields["id"]
        trace = {key: value for key, value in fields.items() if key in TRACE_FIELDS}
        task = asyncio.create_task(self._handler(generation_id, trace), name=f"gen-{generation_id}")
        self._running[entry_id] = (generation_id, task)
        task.add_done_callback(
            lambda done: self._finishing.add(asyncio.create_task(self._finished(entry_id, done)))
        )

    async def _finished(self, entry_id: bytes, task: asyncio.Task[object]) -> None:
        """Acknowledge the job unless the handler said someone else still holds it (then it stays
        pending, and is taken over once idle if that other runner is dead)."""
        self._running.pop(entry_id, None)
        settled = task.cancelled() or task.exception() is not None or task.result() is not False
        if settled:
            with contextlib.suppress(*REDIS_DOWN):
                await self._redis.xack(STREAM, GROUP, entry_id)

    async def _touch_forever(self) -> None:
        """Keep this worker's running entries from looking idle (so nobody takes them over)."""
        while True:
            await asyncio.sleep(self._touch_seconds)
            if self._running:
                with contextlib.suppress(*REDIS_DOWN):
                    await self._redis.xclaim(
                        STREAM, GROUP, self._consumer, 0, list(self._running), justid=True
                    )

    def _cancel_local(self, generation_id: str) -> None:
        for session, task in list(self._running.values()):
            if session == generation_id:
                task.cancel()

    async def _drain(self) -> None:
        tasks = [task for _, task in self._running.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
