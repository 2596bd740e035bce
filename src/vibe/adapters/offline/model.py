"""OfflineModel: a deterministic, network-free stand-in for Claude that speaks the same streaming
tool-call protocol. A fresh turn says what it will do and writes or edits files; a turn that follows
tool results reports on them in one sentence and ends. The same request always streams the same chunks.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from functools import lru_cache

from vibe.adapters.offline.conversation import read_request
from vibe.adapters.offline.plans import followup_plan, new_site_plan
from vibe.adapters.offline.reference import read_references
from vibe.adapters.offline.replies import Plan, report
from vibe.adapters.offline.scoped import scoped_plan
from vibe.domain.conversation import (
    Billed,
    ImageBlock,
    ModelChunk,
    ModelRequest,
    TextDelta,
    TokenEstimate,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    TurnEnd,
    request_chars,
)
from vibe.domain.ports import ModelClient
from vibe.domain.projects import FileEntry
from vibe.domain.usage import Usage

__all__ = ["OfflineModel", "answer"]


@lru_cache(maxsize=64)
def _plan_of(
    prompt: str,
    files: tuple[tuple[str, str], ...],
    assets: tuple[FileEntry, ...],
    images: tuple[ImageBlock, ...],
    selection: tuple[tuple[str, str], ...] = (),
) -> Plan:
    if files and selection:
        return scoped_plan(prompt, dict(files), selection)
    reference = read_references(images) if images else None
    if files:
        return followup_plan(prompt, dict(files), assets, reference, len(images))
    return new_site_plan(prompt, assets, reference, len(images))


def _plan(
    prompt: str,
    files: dict[str, str],
    assets: tuple[FileEntry, ...] = (),
    images: tuple[ImageBlock, ...] = (),
    selection: tuple[tuple[str, str], ...] = (),
) -> Plan:
    """The turn's plan; the turn that reports on its calls plans the same again, from the cache."""
    return _plan_of(prompt, tuple(sorted(files.items())), assets, images, selection)


def _sizes(text: str, low: int, high: int) -> Iterator[int]:
    seed = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    block = 0
    while True:
        for byte in hashlib.blake2b(seed + block.to_bytes(8, "big"), digest_size=64).digest():
            yield low + byte % (high - low + 1)
        block += 1


def pieces(text: str, low: int = 16, high: int = 64) -> list[str]:
    """``text`` cut into consecutive pieces of ``low``..``high`` characters, the sizes drawn from a hash of
    the text itself: the same answer always streams the same way, and cuts fall anywhere (inside strings
    and escapes too)."""
    out: list[str] = []
    start = 0
    sizes = _sizes(text, low, high)
    while start < len(text):
        size = next(sizes)
        out.append(text[start : start + size])
        start += size
    return out


def _tokens(chars: int) -> int:
    return (chars + 3) // 4


def answer(request: ModelRequest) -> list[ModelChunk]:
    """Every chunk of the answer to ``request``, ending with its TurnEnd: a pure function."""
    reading = read_request(request)
    plan = _plan(reading.prompt, reading.files, reading.assets, reading.images, reading.selection)
    reporting = reading.outcomes is not None
    text = report(plan, reading.outcomes) if reading.outcomes is not None else plan.intro
    calls = () if reporting else plan.calls
    turn = 1 + sum(1 for message in request.messages if message.role == "assistant")
    input_tokens = _tokens(request_chars(request))
    # Like a real model, tell what the input costs as soon as the call starts (the UI's counter moves).
    chunks: list[ModelChunk] = [Billed(Usage(input_tokens=input_tokens))]
    chunks += [TextDelta(piece) for piece in pieces(text, 3, 14)]
    streamed = len(text)
    for index, call in enumerate(calls):
        payload = json.dumps(call.input, ensure_ascii=False)
        streamed += len(payload)
        chunks.append(ToolCallStart(index, f"toolu_offline_{turn}_{index + 1}", call.name))
        chunks.extend(ToolCallDelta(index, piece) for piece in pieces(payload))
        chunks.append(ToolCallEnd(index))
    usage = Usage(input_tokens=input_tokens, output_tokens=_tokens(streamed))
    chunks.append(TurnEnd("tool_use" if calls else "end_turn", usage))
    return chunks


class OfflineModel(ModelClient):
    """The default model when no API key is set: builds real multi-file sites from a prompt's words."""

    def __init__(self, pace_seconds: float = 0.02) -> None:
        self._pace = pace_seconds

    @property
    def name(self) -> str:
        return "offline"

    async def count_input(self, request: ModelRequest) -> TokenEstimate:
        """Exactly what it will report for the request's input (its counts are estimates themselves)."""
        return TokenEstimate(input_tokens=_tokens(request_chars(request)), exact=True)

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        for position, chunk in enumerate(answer(request)):
            if position and self._pace > 0:
                await asyncio.sleep(self._pace)
            yield chunk
