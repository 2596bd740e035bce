"""Request and response bodies of the generation API (docs/api.md, "Generations")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from vibe.domain.generations import Generation
from vibe.domain.selection import MAX_SELECTED, MAX_SELECTED_HTML_CHARS, MAX_SELECTOR_CHARS, Selected

__all__ = [
    "EventList",
    "EventName",
    "EventOut",
    "GenerateIn",
    "GenerateOut",
    "ImageIn",
    "SelectedIn",
    "SessionOut",
    "SessionPage",
    "session_out",
]

Status = Literal["queued", "running", "succeeded", "failed", "cancelled"]
EventName = Literal[
    "status", "text", "file_start", "file_delta", "file_end", "file_edit", "usage", "restart", "done", "error"
]


class ImageIn(msgspec.Struct):
    """A reference image: base64 PNG, JPEG, GIF or WebP, at most 5 MiB decoded."""

    media_type: Annotated[str, Meta(max_length=64, examples=["image/png"])]
    data: Annotated[str, Meta(max_length=7_000_000, description="The image's bytes, base64-encoded.")]


class SelectedIn(msgspec.Struct):
    """An element picked in the preview (docs/api.md, "Pointing at the page")."""

    path: Annotated[str, Meta(max_length=1024, examples=["index.html"])]
    selector: Annotated[str, Meta(max_length=MAX_SELECTOR_CHARS, examples=["main > h1"])]
    html: Annotated[str, Meta(max_length=MAX_SELECTED_HTML_CHARS)] | None = None


class GenerateIn(msgspec.Struct):
    prompt: Annotated[str, Meta(max_length=100_000, examples=["A landing page for my bakery in Paris"])]
    project_id: Annotated[str, Meta(max_length=64)] | None = None
    images: Annotated[list[ImageIn], Meta(max_length=4)] | None = None
    selection: Annotated[list[SelectedIn], Meta(max_length=MAX_SELECTED)] = msgspec.field(
        default_factory=list
    )

    def picks(self) -> list[Selected]:
        return [Selected(path=s.path, selector=s.selector, html=s.html) for s in self.selection]


class GenerateOut(msgspec.Struct):
    session_id: str
    project_id: str
    status: Status
    stream_url: str


class TokenUsage(msgspec.Struct):
    """What the provider billed for every call of the session (cancelled, failed and retried calls
    included): ``input_tokens`` at the full rate, the cache fields read from and written to the
    prompt cache."""

    input_tokens: int
    output_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int


class SessionOut(msgspec.Struct):
    id: str
    project_id: str
    prompt: str
    status: Status
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    version: int | None
    error: str | None
    usage: TokenUsage
    model: str
    checks: list[str]


class SessionPage(msgspec.Struct):
    items: list[SessionOut]
    total: int


class EventOut(msgspec.Struct):
    """One stored event of a session, as the stream would send it: its id, name and data."""

    id: int
    event: EventName
    data: dict[str, Any]


class EventList(msgspec.Struct):
    items: list[EventOut]


def session_out(generation: Generation) -> SessionOut:
    return SessionOut(
        id=generation.id,
        project_id=generation.project_id,
        prompt=generation.prompt,
        status=generation.status.value,
        created_at=generation.created_at,
        started_at=generation.started_at,
        finished_at=generation.finished_at,
        version=generation.version,
        error=generation.error,
        usage=TokenUsage(
            input_tokens=generation.usage.input_tokens,
            output_tokens=generation.usage.output_tokens,
            cache_read_input_tokens=generation.usage.cache_read_input_tokens,
            cache_creation_input_tokens=generation.usage.cache_creation_input_tokens,
        ),
        model=generation.model,
        checks=list(generation.checks),
    )
