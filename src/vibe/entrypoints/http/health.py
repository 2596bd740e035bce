"""Liveness and readiness."""

from __future__ import annotations

from litestar import get

from vibe.entrypoints.http.deps import App
from vibe.entrypoints.http.openapi import problems
from vibe.entrypoints.http.schemas import Message, Readiness, circuit_out

__all__ = ["healthz", "ping", "readyz"]


@get("/ping", tags=["health"], summary="Ping")
async def ping() -> Message:
    return Message(message="pong")


@get("/healthz", tags=["health"], summary="Alive while the process lives")
async def healthz() -> Message:
    return Message(message="ok")


@get(
    "/readyz",
    tags=["health"],
    summary="200 when the database (and Redis when configured) answer; shows the model's circuit breaker",
    responses=problems(503),
)
async def readyz(vibe: App) -> Readiness:
    checks = await vibe.check_ready()
    circuit = await vibe.model_circuit()
    return Readiness(
        status="ready", checks=checks, model_circuit=None if circuit is None else circuit_out(circuit)
    )
