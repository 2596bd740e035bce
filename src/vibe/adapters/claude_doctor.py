"""``vibe doctor``: one small real generation against the configured Claude model, and what it showed.

Two calls with vibe's own request shape (``request_params``: its system prompt, tools, thinking
setting, effort and cache breakpoints), read with vibe's own stream reader:
1. "write a tiny file": which model answered, whether thinking blocks came (with signatures), how the
   write_file input streamed (how many deltas, spread over how much of the call), the usage;
2. the same conversation with that turn sent back exactly and the tool's result: whether the API
   accepted the thinking blocks back, and how much of the input it read from the prompt cache.
Each finding is a ``Check``; any failed check makes the command exit non-zero.
"""

from __future__ import annotations

import time
from typing import Any

import anthropic
import msgspec

from vibe.adapters.claude import PROVIDER, ClaudeOptions, request_params
from vibe.adapters.claude_models import traits_of
from vibe.adapters.claude_turn import TurnReader
from vibe.domain.conversation import (
    Message,
    ModelRequest,
    OpaqueBlock,
    TextBlock,
    ToolCallDelta,
    ToolResultBlock,
    ToolSpec,
    ToolUseBlock,
    TurnEnd,
)
from vibe.domain.usage import Usage

__all__ = ["Check", "diagnose"]

ASK = (
    "This is a health check of the tools. Write hello.html with write_file: a short HTML page with a "
    "heading 'vibe doctor' and three short paragraphs about lighthouses (about 40 lines). Call no "
    "other tool, and say one sentence before the call."
)
MIN_DELTAS = 3  # a file of a few hundred tokens that streams eagerly comes in more pieces than this
MIN_SPREAD = 0.2  # ... and over a good part of the call; buffered input comes in one burst at its end


class Check(msgspec.Struct, frozen=True):
    name: str
    ok: bool
    detail: str


class DoctorReport(msgspec.Struct, frozen=True):
    model: str
    checks: list[Check]
    usage: Usage

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


class _Call(msgspec.Struct):
    turn: TurnEnd
    model: str
    deltas: list[float]  # seconds since the call started, one per write_file input delta
    seconds: float


async def diagnose(
    client: anthropic.AsyncAnthropic,
    model: str,
    options: ClaudeOptions,
    system: str,
    tools: tuple[ToolSpec, ...],
) -> DoctorReport:
    """Run the two calls; an API error on either is reported as a failed check, never raised."""
    small = msgspec.structs.replace(options, max_output_tokens=min(options.max_output_tokens or 4096, 4096))
    ask = Message(role="user", content=(TextBlock(text=ASK),))
    request = ModelRequest(system=(TextBlock(text=system, cache=True),), messages=(ask,), tools=tools)
    checks: list[Check] = []
    try:
        first = await _call(client, request_params(request, model, small))
    except anthropic.APIError as error:
        return DoctorReport(model=model, checks=[Check("first call", False, _why(error))], usage=Usage())
    checks.append(
        Check("first call", True, f"answered by {first.model}, stop reason {first.turn.stop_reason}")
    )
    checks += _thinking(first, model)
    checks.append(_cadence(first))
    message = first.turn.message
    assert message is not None
    calls = [b for b in message.content if isinstance(b, ToolUseBlock)]
    results = tuple(ToolResultBlock(tool_use_id=c.id, content="Wrote hello.html.", cache=True) for c in calls)
    followed = msgspec.structs.replace(
        request,
        messages=(ask, message, Message(role="user", content=results or (TextBlock(text="Thanks."),))),
    )
    usage = first.turn.usage
    try:
        second = await _call(client, request_params(followed, model, small))
    except anthropic.APIError as error:
        checks.append(Check("turn sent back", False, f"the API refused the conversation: {_why(error)}"))
        return DoctorReport(model=first.model, checks=checks, usage=usage)
    usage += second.turn.usage
    checks.append(Check("turn sent back", True, "the API accepted the assistant turn as it was returned"))
    checks.append(_cache(second.turn.usage))
    return DoctorReport(model=first.model, checks=checks, usage=usage)


async def _call(client: anthropic.AsyncAnthropic, params: dict[str, Any]) -> _Call:
    reader = TurnReader(PROVIDER)
    deltas: list[float] = []
    served = ""
    started = time.monotonic()
    stream = await client.messages.create(**params)
    async with stream:
        async for event in stream:
            if event.type == "message_start":
                served = event.message.model
            for chunk in reader.read(event):
                if isinstance(chunk, ToolCallDelta):
                    deltas.append(time.monotonic() - started)
    return _Call(turn=reader.end(), model=served, deltas=deltas, seconds=time.monotonic() - started)


def _thinking(call: _Call, model: str) -> list[Check]:
    message = call.turn.message
    assert message is not None
    thinking = [
        b for b in message.content if isinstance(b, OpaqueBlock) and "thinking" in str(b.data.get("type"))
    ]
    if not traits_of(model).adaptive_thinking:
        return [Check("thinking blocks", True, f"{len(thinking)} (this model does not think by default)")]
    signed = [b for b in thinking if b.data.get("signature") or b.data.get("data")]
    if not thinking:
        return [Check("thinking blocks", False, "none came back, though this model thinks by default")]
    return [Check("thinking blocks", len(signed) == len(thinking), f"{len(thinking)}, {len(signed)} signed")]


def _cadence(call: _Call) -> Check:
    deltas = call.deltas
    if not deltas:
        return Check("tool input streaming", False, "the model made no write_file call")
    spread = deltas[-1] - deltas[0]
    detail = f"{len(deltas)} deltas over {spread:.2f} s of a {call.seconds:.2f} s call"
    live = len(deltas) >= MIN_DELTAS and spread >= MIN_SPREAD * call.seconds
    return Check("tool input streaming", live, detail + ("" if live else ": the file came in one burst"))


def _cache(usage: Usage) -> Check:
    read = usage.cache_read_input_tokens
    detail = f"{read} of {usage.total_input} input tokens read from the cache"
    return Check("prompt cache", read > 0, detail)


def _why(error: anthropic.APIError) -> str:
    status = getattr(error, "status_code", None)
    return f"{status or 'no answer'}: {error.message}"
