"""Scripted replies for the stand-in Messages API: what one request gets, down to the exact events."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypedDict, Unpack

import msgspec

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "Block",
    "Event",
    "MessageOptions",
    "Reply",
    "TextBlock",
    "ToolUseBlock",
    "Usage",
    "error_object",
]

DEFAULT_CHUNK_SIZE = 7
DEFAULT_MODEL = "claude-sonnet-5-5"

Event = tuple[str, dict[str, Any]]
"""One SSE event: its name and its ``data`` object."""

_STATUS_BY_ERROR_TYPE = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}
_ERROR_TYPE_BY_STATUS = {status: kind for kind, status in _STATUS_BY_ERROR_TYPE.items()}
_ERROR_MESSAGES = {
    "invalid_request_error": "Invalid request",
    "rate_limit_error": "Rate limited",
    "api_error": "Internal server error",
    "overloaded_error": "Overloaded",
}


class Usage(msgspec.Struct, frozen=True, kw_only=True):
    """Token counts to report; a count left as None is derived from the request or reply size."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


class TextBlock(msgspec.Struct, frozen=True, kw_only=True):
    """A text content block, streamed as ``text_delta`` pieces."""

    text: str


class ToolUseBlock(msgspec.Struct, frozen=True, kw_only=True):
    """A tool_use block; ``json.dumps(input)`` is streamed as ``input_json_delta`` pieces."""

    name: str
    input: dict[str, Any]
    id: str | None = None


Block = TextBlock | ToolUseBlock


class MessageOptions(TypedDict, total=False):
    """Options shared by every constructor of a streamed message."""

    usage: Usage
    chunk_size: int
    model: str | None
    delay: float


class Reply(msgspec.Struct, frozen=True, kw_only=True):
    """One scripted answer to one ``POST /v1/messages``; build it with the constructors below.

    A message reply streams when the request asks for ``"stream": true`` and is sent whole otherwise.
    ``cut`` interrupts a stream after ``cut_after`` SSE events (``message_start`` and ``ping`` count).
    """

    blocks: tuple[Block, ...] = ()
    stop_reason: str = "end_turn"
    usage: Usage = Usage()
    chunk_size: int = DEFAULT_CHUNK_SIZE
    model: str | None = None
    delay: float = 0.0
    status: int = 200
    error_type: str | None = None
    error_message: str | None = None
    retry_after: float | None = None
    cut: Literal["error", "stall"] | None = None
    cut_after: int = 0

    @staticmethod
    def text_block(text: str) -> TextBlock:
        """A text block for ``Reply.message``."""
        return TextBlock(text=text)

    @staticmethod
    def tool_use_block(name: str, tool_input: dict[str, Any], id: str | None = None) -> ToolUseBlock:
        """A tool_use block for ``Reply.message``; without an id the server assigns ``toolu_01<n><i>``."""
        return ToolUseBlock(name=name, input=tool_input, id=id)

    @classmethod
    def message(
        cls, blocks: Iterable[Block], *, stop_reason: str = "end_turn", **options: Unpack[MessageOptions]
    ) -> Reply:
        """A message made of ``blocks``, each streamed in pieces of ``chunk_size`` characters."""
        if options.get("chunk_size", DEFAULT_CHUNK_SIZE) < 1:
            raise ValueError("chunk_size must be at least 1")
        return cls(blocks=tuple(blocks), stop_reason=stop_reason, **options)

    @classmethod
    def text(cls, text: str, **options: Unpack[MessageOptions]) -> Reply:
        """A message of one text block that ends the turn."""
        return cls.message([cls.text_block(text)], **options)

    @classmethod
    def tool_calls(
        cls,
        calls: Sequence[tuple[str, dict[str, Any]]],
        text: str | None = None,
        **options: Unpack[MessageOptions],
    ) -> Reply:
        """A message of optional text then one tool_use block per ``(name, input)``, stopping for tool use."""
        blocks: list[Block] = [] if text is None else [cls.text_block(text)]
        blocks += [cls.tool_use_block(name, tool_input) for name, tool_input in calls]
        return cls.message(blocks, stop_reason="tool_use", **options)

    @classmethod
    def error(
        cls,
        status: int,
        *,
        error_type: str | None = None,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> Reply:
        """An HTTP error with the API's JSON error body, and ``retry-after`` when given."""
        kind = error_type or _ERROR_TYPE_BY_STATUS.get(
            status, "api_error" if status >= 500 else "invalid_request_error"
        )
        return cls(status=status, error_type=kind, error_message=message, retry_after=retry_after)

    @classmethod
    def overloaded(cls) -> Reply:
        """HTTP 529 ``overloaded_error``, as the API sends when it is busy."""
        return cls.error(529)

    @classmethod
    def rate_limited(cls, retry_after: float | None = None) -> Reply:
        """HTTP 429 ``rate_limit_error`` with an optional ``retry-after`` header (seconds)."""
        return cls.error(429, retry_after=retry_after)

    @staticmethod
    def mid_stream_error(
        message_reply: Reply,
        *,
        after_events: int,
        error_type: str = "overloaded_error",
        message: str | None = None,
    ) -> Reply:
        """``message_reply`` streamed for ``after_events`` events, then an SSE ``error`` event, then the end.

        Asked without streaming, it is the matching HTTP error instead.
        """
        return msgspec.structs.replace(
            message_reply, cut="error", cut_after=after_events, error_type=error_type, error_message=message
        )

    @staticmethod
    def stall(message_reply: Reply, *, after_events: int) -> Reply:
        """``message_reply`` streamed for ``after_events`` events, then silence until the client hangs up."""
        return msgspec.structs.replace(message_reply, cut="stall", cut_after=after_events)

    @property
    def error_status(self) -> int:
        """The HTTP status this reply fails with when it is not streamed (200 if it does not fail)."""
        if self.status != 200 or self.cut != "error":
            return self.status
        return _STATUS_BY_ERROR_TYPE.get(self.error_type or "api_error", 500)

    def error_body(self) -> dict[str, Any]:
        """The API's error object: ``{"type": "error", "error": {"type": ..., "message": ...}}``."""
        kind = self.error_type or "api_error"
        return error_object(kind, self.error_message or _ERROR_MESSAGES.get(kind, kind))

    def message_body(self, *, number: int, model: str | None, request_size: int) -> dict[str, Any]:
        """The complete message a non-streaming request receives as request ``number``."""
        content = [_whole_block(block, number, index) for index, block in enumerate(self.blocks)]
        return {
            **self._head(number, model),
            "content": content,
            "stop_reason": self.stop_reason,
            "stop_sequence": None,
            "usage": self._usage(request_size),
        }

    def events(self, *, number: int, model: str | None, request_size: int) -> list[Event]:
        """Every SSE event of the whole stream for request ``number``, in order, ignoring any cut."""
        usage = self._usage(request_size)
        message = {
            **self._head(number, model),
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {**usage, "output_tokens": min(1, usage["output_tokens"])},
        }
        events: list[Event] = [
            ("message_start", {"type": "message_start", "message": message}),
            ("ping", {"type": "ping"}),
        ]
        for index, block in enumerate(self.blocks):
            events += _block_events(block, number, index, self.chunk_size)
        delta = {"stop_reason": self.stop_reason, "stop_sequence": None}
        usage_delta = {"output_tokens": usage["output_tokens"]}
        events.append(("message_delta", {"type": "message_delta", "delta": delta, "usage": usage_delta}))
        events.append(("message_stop", {"type": "message_stop"}))
        return events

    def _head(self, number: int, model: str | None) -> dict[str, Any]:
        chosen = self.model or model or DEFAULT_MODEL
        return {"id": f"msg_01{number:06d}", "type": "message", "role": "assistant", "model": chosen}

    def _usage(self, request_size: int) -> dict[str, int]:
        produced = sum(
            len(block.text) if isinstance(block, TextBlock) else len(json.dumps(block.input))
            for block in self.blocks
        )
        given = self.usage
        return {
            "input_tokens": max(1, request_size // 4) if given.input_tokens is None else given.input_tokens,
            "output_tokens": max(1, produced // 4) if given.output_tokens is None else given.output_tokens,
            "cache_creation_input_tokens": given.cache_creation_input_tokens,
            "cache_read_input_tokens": given.cache_read_input_tokens,
        }


def error_object(error_type: str, message: str) -> dict[str, Any]:
    """The API's error object for ``error_type`` with ``message``."""
    return {"type": "error", "error": {"type": error_type, "message": message}}


def _start_block(block: Block, number: int, index: int) -> dict[str, Any]:
    if isinstance(block, TextBlock):
        return {"type": "text", "text": ""}
    tool_id = block.id or f"toolu_01{number:06d}{index:04d}"
    return {"type": "tool_use", "id": tool_id, "name": block.name, "input": {}}


def _whole_block(block: Block, number: int, index: int) -> dict[str, Any]:
    start = _start_block(block, number, index)
    return {**start, "text": block.text} if isinstance(block, TextBlock) else {**start, "input": block.input}


def _block_events(block: Block, number: int, index: int, size: int) -> list[Event]:
    if isinstance(block, TextBlock):
        deltas = [{"type": "text_delta", "text": piece} for piece in _pieces(block.text, size)]
    else:
        serialised = json.dumps(block.input)
        deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in _pieces(serialised, size)]
    start = {
        "type": "content_block_start",
        "index": index,
        "content_block": _start_block(block, number, index),
    }
    return [
        ("content_block_start", start),
        *(
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
            for d in deltas
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": index}),
    ]


def _pieces(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]
