"""Live changes of your account (docs/api.md): ``GET /api/v1/events``, a never-ending SSE stream.

The caller is checked once, before the 200; from then on the stream holds no database session and
makes no query: it tails the account's feed (in this process, or through Redis when scaled out).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get
from litestar.di import Provide
from litestar.response import Stream

from vibe.entrypoints.http.deps import Me, NewsDep, principal
from vibe.entrypoints.http.generations import _frames, last_event_id
from vibe.entrypoints.http.middleware import NO_GZIP
from vibe.entrypoints.http.openapi import BEARER, EVENT_STREAM, problems

__all__ = ["router"]


@get(
    "/events",
    summary="The caller's own changes, live (SSE): project, version and session events",
    opt={NO_GZIP: True},
    responses={200: EVENT_STREAM, **problems(401)},
)
async def account_events(request: Request[Any, Any, Any], news: NewsDep, principal: Me) -> Stream:
    resumed = "last-event-id" in request.headers or "last_event_id" in request.query_params
    events = await news.follow(principal.user, last_event_id(request) if resumed else None)
    return Stream(
        _frames(events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


router = Router(
    path="/api/v1",
    route_handlers=[account_events],
    dependencies={"principal": Provide(principal)},
    tags=["events"],
    security=BEARER,
)
