"""Reading Claude's raw stream: thinking and its signature, text, tool input as it streams, usage as
running totals, and the turn rebuilt block by block exactly as the API sent it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from anthropic.types import RawMessageStreamEvent
from pydantic import TypeAdapter

from vibe.adapters.claude_turn import TurnReader
from vibe.domain.conversation import (
    Billed,
    OpaqueBlock,
    TextBlock,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolUseBlock,
)
from vibe.domain.usage import Usage

_EVENT = TypeAdapter(RawMessageStreamEvent)


def event(data: dict[str, Any]) -> Any:
    return _EVENT.validate_python(data)


def start(usage: dict[str, int]) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-5-5", "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": usage,
    }  # fmt: skip
    return {"type": "message_start", "message": message}


def block(index: int, content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": index, "content_block": content}


def delta(index: int, content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": content}


def stop(index: int) -> dict[str, Any]:
    return {"type": "content_block_stop", "index": index}


USAGE_AT_START = {
    "input_tokens": 12,
    "cache_read_input_tokens": 900,
    "cache_creation_input_tokens": 30,
    "output_tokens": 1,
}
STREAM = [
    start(USAGE_AT_START),
    block(0, {"type": "thinking", "thinking": "", "signature": ""}),
    delta(0, {"type": "thinking_delta", "thinking": "Plan: "}),
    delta(0, {"type": "thinking_delta", "thinking": "one file."}),
    delta(0, {"type": "signature_delta", "signature": "EqQB=="}),
    stop(0),
    block(1, {"type": "redacted_thinking", "data": "opaque=="}),
    stop(1),
    block(2, {"type": "thinking", "thinking": "", "signature": ""}),  # display "omitted": no delta at all
    delta(2, {"type": "signature_delta", "signature": "Zz=="}),
    stop(2),
    block(3, {"type": "text", "text": ""}),
    delta(3, {"type": "text_delta", "text": "Writing."}),
    stop(3),
    block(4, {"type": "tool_use", "id": "toolu_1", "name": "write_file", "input": {}}),
    delta(4, {"type": "input_json_delta", "partial_json": ""}),
    delta(4, {"type": "input_json_delta", "partial_json": '{"path": "a.html", '}),
    delta(4, {"type": "input_json_delta", "partial_json": '"content": "<p>é</p>"}'}),
    stop(4),
    block(5, {"type": "tool_use", "id": "toolu_2", "name": "write_file", "input": {}}),
    delta(5, {"type": "input_json_delta", "partial_json": '{"path": "b.html", "content": "<p>cut'}),
    stop(5),
    {
        "type": "message_delta",
        "delta": {"stop_reason": "max_tokens", "stop_sequence": None},
        "usage": {"output_tokens": 77},
    },
    {"type": "message_stop"},
]  # fmt: skip


def read_all() -> tuple[TurnReader, list[Any]]:
    reader = TurnReader("anthropic")
    chunks = [chunk for data in STREAM for chunk in reader.read(event(data))]
    return reader, chunks


def test_chunks_arrive_as_the_stream_does() -> None:
    _, chunks = read_all()
    first = Usage(
        input_tokens=12, cache_read_input_tokens=900, cache_creation_input_tokens=30, output_tokens=1
    )
    assert chunks[0] == Billed(first)
    assert [c for c in chunks if isinstance(c, ThinkingDelta)] == [
        ThinkingDelta("Plan: "),
        ThinkingDelta("one file."),
    ]
    assert [c for c in chunks if isinstance(c, TextDelta)] == [TextDelta("Writing.")]
    assert [c for c in chunks if isinstance(c, ToolCallStart)] == [
        ToolCallStart(4, "toolu_1", "write_file"),
        ToolCallStart(5, "toolu_2", "write_file"),
    ]
    assert "".join(c.partial_json for c in chunks if isinstance(c, ToolCallDelta) and c.index == 4) == (
        '{"path": "a.html", "content": "<p>é</p>"}'
    )
    assert [c for c in chunks if isinstance(c, ToolCallEnd)] == [ToolCallEnd(4), ToolCallEnd(5)]


def test_the_turn_is_rebuilt_exactly_and_usage_counts_are_running_totals() -> None:
    reader, _ = read_all()
    end = reader.end()
    assert end.stop_reason == "max_tokens"
    # message_delta's counts replace message_start's (they are cumulative); absent ones stay
    assert end.usage == Usage(
        input_tokens=12, cache_read_input_tokens=900, cache_creation_input_tokens=30, output_tokens=77
    )
    assert end.message is not None
    assert end.message.content == (
        OpaqueBlock(
            provider="anthropic",
            data={"type": "thinking", "thinking": "Plan: one file.", "signature": "EqQB=="},
        ),
        OpaqueBlock(provider="anthropic", data={"type": "redacted_thinking", "data": "opaque=="}),
        OpaqueBlock(provider="anthropic", data={"type": "thinking", "thinking": "", "signature": "Zz=="}),
        TextBlock(text="Writing."),
        ToolUseBlock(id="toolu_1", name="write_file", input={"path": "a.html", "content": "<p>é</p>"}),
        ToolUseBlock(id="toolu_2", name="write_file", input={}),  # cut JSON: the API's own placeholder
    )


def test_unknown_events_and_blocks_are_tolerated() -> None:
    reader = TurnReader("anthropic")
    reader.read(event(start({"input_tokens": 1, "output_tokens": 1})))
    assert reader.read(SimpleNamespace(type="some_future_event")) == []
    assert (
        reader.read(
            event(block(0, {"type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": {}}))
        )
        == []
    )
    end = reader.end()
    assert end.message is not None
    assert isinstance(end.message.content[0], OpaqueBlock)
