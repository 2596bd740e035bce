"""The conversation vibe holds with a model, and the chunks a streaming model answers with.

These are provider-neutral: the Claude adapter translates them to the Messages API, the offline model
and the scripted test model produce the same chunks, so the agent loop never knows which one runs.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

__all__ = [
    "ContentBlock",
    "Message",
    "ModelChunk",
    "ModelRequest",
    "Restart",
    "TextBlock",
    "TextDelta",
    "ToolCallDelta",
    "ToolCallEnd",
    "ToolCallStart",
    "ToolResultBlock",
    "ToolSpec",
    "ToolUseBlock",
    "TurnEnd",
    "TurnUsage",
]


class TextBlock(msgspec.Struct, frozen=True, kw_only=True, tag="text"):
    text: str
    cache: bool = False  # a prompt-cache breakpoint after this block


class ToolUseBlock(msgspec.Struct, frozen=True, kw_only=True, tag="tool_use"):
    id: str
    name: str
    input: dict[str, Any]


class ToolResultBlock(msgspec.Struct, frozen=True, kw_only=True, tag="tool_result"):
    tool_use_id: str
    content: str
    is_error: bool = False
    cache: bool = False


ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock


class Message(msgspec.Struct, frozen=True, kw_only=True):
    role: Literal["user", "assistant"]
    content: tuple[ContentBlock, ...]


class ToolSpec(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    description: str
    input_schema: dict[str, Any]


class ModelRequest(msgspec.Struct, frozen=True, kw_only=True):
    system: tuple[TextBlock, ...]
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...]
    max_tokens: int = 16_000
    cache_tools: bool = True  # a prompt-cache breakpoint after the tool definitions


class TurnUsage(msgspec.Struct, frozen=True, kw_only=True):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


class TextDelta(msgspec.Struct, frozen=True):
    text: str


class ToolCallStart(msgspec.Struct, frozen=True):
    index: int
    id: str
    name: str


class ToolCallDelta(msgspec.Struct, frozen=True):
    """More of a tool call's input JSON; chunks may split anywhere, even inside an escape."""

    index: int
    partial_json: str


class ToolCallEnd(msgspec.Struct, frozen=True):
    index: int


class Restart(msgspec.Struct, frozen=True):
    """The model call failed mid-answer and is being retried: forget the answer so far."""

    reason: str


class TurnEnd(msgspec.Struct, frozen=True):
    stop_reason: str  # end_turn, tool_use, max_tokens, ...
    usage: TurnUsage


ModelChunk = TextDelta | ToolCallStart | ToolCallDelta | ToolCallEnd | Restart | TurnEnd
