"""A model that answers from a script: each call to ``stream`` plays the next turn's chunks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any

from vibe.domain.conversation import (
    ModelChunk,
    ModelRequest,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    TurnEnd,
)
from vibe.domain.errors import UpstreamError
from vibe.domain.ports import ModelClient
from vibe.domain.usage import Usage

__all__ = ["ScriptedModel", "chunk_text", "turn"]


def chunk_text(text: str, sizes: Iterable[int]) -> list[str]:
    """Cut ``text`` into pieces of the given sizes (cycled); the pieces join back to ``text``."""
    pieces, position, cycle = [], 0, list(sizes) or [len(text) or 1]
    index = 0
    while position < len(text):
        size = max(1, cycle[index % len(cycle)])
        pieces.append(text[position : position + size])
        position += size
        index += 1
    return pieces


def turn(
    text: str = "",
    tool_calls: Sequence[tuple[str, dict[str, Any]]] = (),
    *,
    sizes: Iterable[int] = (7,),
    stop_reason: str | None = None,
    usage: Usage | None = None,
    raw_inputs: Sequence[str] | None = None,
    thinking: str = "",
) -> list[ModelChunk]:
    """The chunks of one model turn: what it shows of its ``thinking``, prose, then tool calls whose
    JSON is cut by ``sizes``.

    ``raw_inputs`` replaces the JSON of each call verbatim (to script malformed input).
    """
    sizes = list(sizes)
    chunks: list[ModelChunk] = [ThinkingDelta(piece) for piece in chunk_text(thinking, sizes)]
    chunks += [TextDelta(piece) for piece in chunk_text(text, sizes)]
    for index, (name, arguments) in enumerate(tool_calls):
        raw = raw_inputs[index] if raw_inputs is not None else json.dumps(arguments)
        chunks.append(ToolCallStart(index, f"toolu_{index:04d}", name))
        chunks.extend(ToolCallDelta(index, piece) for piece in chunk_text(raw, sizes))
        chunks.append(ToolCallEnd(index))
    reason = stop_reason or ("tool_use" if tool_calls else "end_turn")
    chunks.append(TurnEnd(reason, usage or Usage(input_tokens=100, output_tokens=len(text) // 4 + 10)))
    return chunks


Script = Sequence[ModelChunk] | BaseException | Callable[[ModelRequest], Sequence[ModelChunk]]


class ScriptedModel(ModelClient):
    """Plays ``turns`` in order; records every request. A turn may be an exception to raise, or a
    function of the request that returns the chunks (to answer what the conversation says); ``pace``
    seconds pass between chunks (0: none, so a test runs instantly), and while ``gate`` is set to an
    unset ``asyncio.Event`` every call waits for it before answering."""

    def __init__(self, turns: Iterable[Script] = (), *, pace: float = 0) -> None:
        self.turns = list(turns)
        self.requests: list[ModelRequest] = []
        self.pace = pace
        self.chunks_sent = 0
        self.gate: asyncio.Event | None = None

    @property
    def name(self) -> str:
        return "scripted"

    def add(self, *turns: Script) -> None:
        self.turns.extend(turns)

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        self.requests.append(request)
        if self.gate is not None:
            await self.gate.wait()
        if not self.turns:
            raise UpstreamError("The scripted model has no turn left.", code="script_exhausted")
        script = self.turns.pop(0)
        if isinstance(script, BaseException):
            raise script
        chunks = script(request) if callable(script) else script
        for chunk in chunks:
            if self.pace:
                await asyncio.sleep(self.pace)
            self.chunks_sent += 1
            yield chunk
