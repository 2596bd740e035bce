"""Bench-only models: one that answers instantly and one that streams at a fixed pace.

Both speak vibe's model protocol (``ModelClient``), so everything after the model (agent loop, event
batching, durable and live logs, SSE) is vibe's own code. A first call writes ``index.html`` with one
``write_file``; the call after the tool result ends the turn, as a real model would.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from vibe.domain.conversation import (
    ModelChunk,
    ModelRequest,
    TextDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResultBlock,
    TurnEnd,
)
from vibe.domain.ports import ModelClient
from vibe.domain.usage import Usage

__all__ = ["PAGE", "InstantModel", "PacedModel", "parse_stamp"]

PAGE = (
    "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'><title>Bench</title></head>\n"
    "<body><h1>Bench</h1><p>An instant page.</p></body></html>\n"
)
_STAMP = "t="


def _closing_turn() -> list[ModelChunk]:
    return [TextDelta("Done: one page."), TurnEnd("end_turn", Usage(input_tokens=50, output_tokens=5))]


def _write_page() -> list[ModelChunk]:
    raw = json.dumps({"path": "index.html", "content": PAGE})
    return [
        ToolCallStart(0, "toolu_bench_0", "write_file"),
        ToolCallDelta(0, raw),
        ToolCallEnd(0),
        TurnEnd("tool_use", Usage(input_tokens=50, output_tokens=len(raw) // 4)),
    ]


def _answered_tools(request: ModelRequest) -> bool:
    last = request.messages[-1]
    return any(isinstance(block, ToolResultBlock) for block in last.content)


class InstantModel(ModelClient):
    """Answers at once: a short sentence and one small page, then a closing sentence."""

    @property
    def name(self) -> str:
        return "bench-instant"

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        chunks = _closing_turn() if _answered_tools(request) else [TextDelta("Writing."), *_write_page()]
        for chunk in chunks:
            yield chunk


class PacedModel(ModelClient):
    """Streams ``chunks`` text deltas at ``rate`` per second on an absolute schedule (no drift), after
    waiting ``delay`` seconds, then writes the page. Each delta is ``t=<when>;`` where ``when`` is the
    ``time.monotonic()`` it was due: CLOCK_MONOTONIC is shared by every process on the machine, so a
    client on the same host can measure each event's delivery against the model's schedule."""

    def __init__(self, *, rate: float = 20.0, chunks: int = 200, delay: float = 0.0) -> None:
        self.rate = rate
        self.chunks = chunks
        self.delay = delay

    @property
    def name(self) -> str:
        return "bench-paced"

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        if _answered_tools(request):
            for chunk in _closing_turn():
                yield chunk
            return
        start = time.monotonic() + self.delay
        for index in range(self.chunks):
            due = start + index / self.rate
            pause = due - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            yield TextDelta(f"{_STAMP}{due:.6f};")
        for chunk in _write_page():
            yield chunk


def parse_stamp(delta: str) -> float | None:
    """The due time a ``PacedModel`` delta carries, or None for any other text."""
    if not delta.startswith(_STAMP) or not delta.endswith(";"):
        return None
    try:
        return float(delta[len(_STAMP) : -1])
    except ValueError:
        return None
