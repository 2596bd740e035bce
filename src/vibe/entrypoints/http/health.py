"""Liveness and readiness."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

from vibe.bootstrap import Vibe
from vibe.entrypoints.http.openapi import problems
from vibe.entrypoints.http.schemas import Message, Readiness

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
    summary="200 when the database (and Redis when configured) answer",
    responses=problems(503),
)
async def readyz(vibe: NamedDependency[Vibe]) -> Readiness:
    return Readiness(status="ready", checks=await vibe.check_ready())
