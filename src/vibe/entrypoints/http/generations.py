"""Generations (docs/api.md, "Generations"): start, stream, list, read and cancel sessions,
and read a finished session's events as JSON (for the web UI's conversation).

The stream handler checks access before answering 200, then follows the session's event log; the
generation itself runs elsewhere (a background task or a worker), so a client that goes away changes
nothing but its own stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, cast

import msgspec
from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from vibe.domain.events import StoredEvent
from vibe.domain.generations import GenerationStatus
from vibe.domain.reference_images import parse_reference_images
from vibe.entrypoints.http.budget_schemas import EstimateIn, EstimateOut
from vibe.entrypoints.http.deps import GenerationsDep, Limit, Me, Offset, principal
from vibe.entrypoints.http.generation_schemas import (
    EventList,
    EventName,
    EventOut,
    GenerateIn,
    GenerateOut,
    SessionOut,
    SessionPage,
    Status,
    session_out,
)
from vibe.entrypoints.http.middleware import NO_GZIP
from vibe.entrypoints.http.openapi import BEARER, EVENT_STREAM, problems
from vibe.entrypoints.http.problems import BadRequest

__all__ = ["router"]

MAX_EVENT_ID = 2**53
# Four reference images of 5 MiB, base64-encoded, and the prompt (inside the Claude API's 32 MB).
MAX_GENERATE_BODY = 28 * 1024 * 1024
MAX_EVENT_ID_DIGITS = len(str(MAX_EVENT_ID))


@post(
    "/generate",
    status_code=202,
    summary="Start a generation",
    responses=problems(401, 403, 404, 413, 422, 429),
    request_max_body_size=MAX_GENERATE_BODY,
)
async def generate(data: JSONBody[GenerateIn], generations: GenerationsDep, principal: Me) -> GenerateOut:
    images = parse_reference_images([(i.media_type, i.data) for i in data.images or ()])
    generation = await generations.start(
        principal.user, data.prompt, data.project_id, images, selection=data.picks()
    )
    return GenerateOut(
        session_id=generation.id,
        project_id=generation.project_id,
        status="queued",
        stream_url=f"/api/stream/{generation.id}",
    )


@post(
    "/generate/estimate",
    status_code=200,
    summary="Count what a generation's first model call would send, before anything is spent",
    responses=problems(401, 403, 404, 413, 422, 429, 502),
)
async def estimate(data: JSONBody[EstimateIn], generations: GenerationsDep, principal: Me) -> EstimateOut:
    counted, output_limit = await generations.estimate(principal.user, data.prompt, data.project_id)
    return EstimateOut(
        input_tokens=counted.input_tokens,
        max_output_tokens=output_limit,
        counted_by="provider" if counted.exact else "estimate",
    )


def last_event_id(request: Request[Any, Any, Any]) -> int:
    """``Last-Event-ID`` (or ``?last_event_id=``). Something that is not a number counts as 0 (replay
    everything); a number no event can have is refused with 400, its length checked before parsing."""
    raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id") or ""
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()):
        return 0
    if len(raw) > MAX_EVENT_ID_DIGITS or int(raw) > MAX_EVENT_ID:
        raise BadRequest(f"Last-Event-ID must be the id of an event: a whole number up to {MAX_EVENT_ID}.")
    return int(raw)


async def _frames(events: AsyncIterator[StoredEvent | None]) -> AsyncIterator[bytes]:
    yield b"retry: 1000\n\n"
    async for event in events:
        if event is None:
            yield b": keep-alive\n\n"
        else:
            yield b"id: %d\nevent: %s\ndata: %s\n\n" % (event.seq, event.name.encode(), event.data)


@get(
    "/stream/{session_id:str}",
    summary="The session's events (SSE)",
    opt={NO_GZIP: True},
    responses={200: EVENT_STREAM, **problems(401, 404)},
)
async def stream(
    session_id: FromPath[str], request: Request[Any, Any, Any], generations: GenerationsDep, principal: Me
) -> Stream:
    events = await generations.events(principal.user, session_id, last_event_id(request))
    return Stream(
        _frames(events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@get("/sessions", summary="The caller's sessions, newest first", responses=problems(401, 422))
async def list_sessions(
    generations: GenerationsDep,
    principal: Me,
    project_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
    status: Annotated[Status | None, QueryParameter()] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> SessionPage:
    state = GenerationStatus(status) if status else None
    page = await generations.list_sessions(principal.user, limit, offset, project_id, state)
    return SessionPage(items=[session_out(g) for g in page.items], total=page.total)


@get("/sessions/{session_id:str}", summary="A session", responses=problems(401, 404))
async def get_session(session_id: FromPath[str], generations: GenerationsDep, principal: Me) -> SessionOut:
    return session_out(await generations.get(principal.user, session_id))


@get(
    "/sessions/{session_id:str}/events",
    summary="A finished session's stored events, as JSON",
    responses=problems(401, 404, 409, 422),
)
async def session_events(
    session_id: FromPath[str],
    generations: GenerationsDep,
    principal: Me,
    after: Annotated[
        int, QueryParameter(ge=0, le=MAX_EVENT_ID, description="Only events after this id.")
    ] = 0,
    name: Annotated[list[EventName] | None, QueryParameter(description="Only events of these names.")] = None,
) -> EventList:
    """The same events the stream replays (same access rule), for a page that shows past sessions;
    a session still running is followed on its stream instead."""
    events = await generations.finished_events(principal.user, session_id, after, frozenset(name or ()))
    return EventList(
        items=[
            EventOut(id=event.seq, event=cast("EventName", event.name), data=msgspec.json.decode(event.data))
            for event in events
        ]
    )


@post(
    "/sessions/{session_id:str}/cancel",
    status_code=202,
    summary="Cancel a session",
    responses=problems(401, 404, 409),
)
async def cancel(session_id: FromPath[str], generations: GenerationsDep, principal: Me) -> SessionOut:
    return session_out(await generations.cancel(principal.user, session_id))


router = Router(
    path="/api",
    route_handlers=[generate, estimate, stream, list_sessions, get_session, session_events, cancel],
    dependencies={"principal": Provide(principal)},
    tags=["generations"],
    security=BEARER,
)
