"""Reading one streamed Chat Completions answer: chunks in, the domain's model chunks out.

A chunk (https://platform.openai.com/docs/api-reference/chat-streaming/streaming) carries
``choices[0].delta`` with ``content`` and ``tool_calls`` pieces, and ``finish_reason`` on its last
choice chunk; with ``stream_options.include_usage`` one more chunk with no choices carries the usage.
Tool calls arrive as pieces keyed by ``index``: the first has the ``id`` and the function's ``name``,
the rest only more ``arguments`` (https://platform.openai.com/docs/guides/function-calling).

OpenAI-compatible servers differ, and the reader takes each as it comes:
- a whole call in one piece (Ollama), several calls in one message;
- every call of a message at index 0, told apart only by a new id and name (Ollama), or a fresh id
  on every piece of one call (some LM Studio and Kimi servers): a new id opens a new call only when
  it comes with a function name;
- no index at all: the piece continues the last call, unless it names a function;
- arguments sent as a JSON object rather than a string;
- ``finish_reason: "stop"`` although the message called tools (older Ollama);
- usage on the last chunk with choices (llama.cpp), on every chunk, or not at all;
- what a model shows of its reasoning as ``reasoning_content`` (vLLM, DeepSeek) or ``reasoning``
  (Ollama, OpenRouter).

A stream that ends without any ``finish_reason`` was cut (a dropped connection, a crashed server):
``ended`` stays False and the adapter tries the call again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vibe.domain.conversation import (
    Billed,
    ModelChunk,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    TurnEnd,
    estimate_text_tokens,
)
from vibe.domain.usage import Usage

__all__ = ["ChunkReader"]

_STOPS = {
    "stop": "end_turn",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "length": "max_tokens",
    "content_filter": "refusal",
}


@dataclass
class _Call:
    index: int  # vibe's own numbering, in order of arrival
    id: str
    open: bool = True


class ChunkReader:
    def __init__(self) -> None:
        self._calls: list[_Call] = []
        self._by_raw: dict[int, _Call] = {}
        self._last_raw: int | None = None
        self._usage: Usage | None = None
        self._produced = 0.0  # an estimate of the output tokens, for servers that report none
        self.finish: str | None = None
        self.refused = False
        self.started = False

    @property
    def ended(self) -> bool:
        return self.finish is not None

    def read(self, chunk: Any) -> list[ModelChunk]:
        self.started = True
        out: list[ModelChunk] = []
        choices = getattr(chunk, "choices", None) or []
        if choices:  # one completion was asked for (n=1): its choice is the first
            out += self._choice(choices[0])
        usage = getattr(chunk, "usage", None)
        if usage is not None and getattr(usage, "prompt_tokens", None) is not None:
            self._usage = _usage(usage)
            out.append(Billed(self._usage))
        return out

    def end(self, input_estimate: int) -> list[ModelChunk]:
        """The calls still open, then the TurnEnd. Without reported usage, vibe's estimate stands in
        (the request's estimated input, and the tokens of what was streamed)."""
        out: list[ModelChunk] = [ToolCallEnd(call.index) for call in self._calls if call.open]
        usage = self._usage or Usage(input_tokens=input_estimate, output_tokens=round(self._produced))
        stop = _STOPS.get(self.finish or "stop", self.finish or "end_turn")
        if self.refused:
            stop = "refusal"
        elif self._calls and stop == "end_turn":
            stop = "tool_use"  # "stop" after tool calls: the model did call them
        return [*out, TurnEnd(stop, usage, None)]

    def _choice(self, choice: Any) -> list[ModelChunk]:
        out: list[ModelChunk] = []
        delta = getattr(choice, "delta", None)
        if delta is not None:
            thinking = _field(delta, "reasoning_content") or _field(delta, "reasoning")
            if isinstance(thinking, str) and thinking:
                self._produced += estimate_text_tokens(thinking)
                out.append(ThinkingDelta(thinking))
            content = getattr(delta, "content", None)
            if isinstance(content, str) and content:
                self._produced += estimate_text_tokens(content)
                out.append(TextDelta(content))
            refusal = getattr(delta, "refusal", None)
            if isinstance(refusal, str) and refusal:
                self.refused = True
                out.append(TextDelta(refusal))
            for piece in getattr(delta, "tool_calls", None) or []:
                out += self._tool_piece(piece)
        if getattr(choice, "finish_reason", None):
            self.finish = str(choice.finish_reason)
        return out

    def _tool_piece(self, piece: Any) -> list[ModelChunk]:
        function = getattr(piece, "function", None)
        name = getattr(function, "name", None) if function is not None else None
        arguments = getattr(function, "arguments", None) if function is not None else None
        piece_id = getattr(piece, "id", None)
        raw = getattr(piece, "index", None)
        if raw is None:
            raw = (max(self._by_raw, default=-1) + 1) if name else (self._last_raw or 0)
        self._last_raw = raw
        out: list[ModelChunk] = []
        call = self._by_raw.get(raw)
        if call is None or (name and piece_id and piece_id != call.id):
            out += [ToolCallEnd(c.index) for c in self._calls if c.open]  # calls stream one by one
            for earlier in self._calls:
                earlier.open = False
            call = _Call(index=len(self._calls), id=str(piece_id or f"call_{len(self._calls)}"))
            self._calls.append(call)
            self._by_raw[raw] = call
            out.append(ToolCallStart(call.index, call.id, str(name or "")))
        if arguments is not None and not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False)  # an object instead of its JSON
        if arguments:
            self._produced += estimate_text_tokens(arguments)
            out.append(ToolCallDelta(call.index, arguments))
        return out


def _field(delta: Any, name: str) -> Any:
    value = getattr(delta, name, None)
    if value is None:
        extra = getattr(delta, "model_extra", None) or {}
        value = extra.get(name)
    return value


def _usage(usage: Any) -> Usage:
    """Chat Completions usage in vibe's meaning: ``prompt_tokens`` includes the cached tokens
    (https://platform.openai.com/docs/guides/prompt-caching), vibe's ``input_tokens`` does not."""
    prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
    details = getattr(usage, "prompt_tokens_details", None)
    cached = int(getattr(details, "cached_tokens", 0) or 0) if details is not None else 0
    cached = min(cached, prompt)
    return Usage(
        input_tokens=prompt - cached,
        cache_read_input_tokens=cached,
        output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
    )
