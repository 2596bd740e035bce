"""Scripted replies for the stand-in Messages API: what the model "writes" for one request."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypedDict, Unpack

import msgspec

from vibe.testing.messages_errors import STATUS_BY_ERROR_TYPE, error_object

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_REASONING",
    "Block",
    "MessageOptions",
    "RedactedThinkingBlock",
    "Reply",
    "TextBlock",
    "ThinkingBlock",
    "ToolUseBlock",
    "Usage",
    "error_object",
]

DEFAULT_CHUNK_SIZE = 7
# What the current model "thinks" before each response unless the script says otherwise (adaptive
# thinking is on by default: https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5).
DEFAULT_REASONING = "The user wants this; I will plan the answer, then write it."

_ERROR_TYPE_BY_STATUS = {status: kind for kind, status in STATUS_BY_ERROR_TYPE.items()}
_ERROR_MESSAGES = {
    "invalid_request_error": "Invalid request",
    "rate_limit_error": "Rate limited",
    "api_error": "Internal server error",
    "overloaded_error": "Overloaded",
}


class Usage(msgspec.Struct, frozen=True, kw_only=True):
    """Token counts to report instead of the computed ones; a count left as None is computed (from the
    request, the cache and the output, see ``MessagesServer``)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None


class TextBlock(msgspec.Struct, frozen=True, kw_only=True):
    """A text content block, streamed as ``text_delta`` pieces. On the current model a text block right
    before a tool_use comes back as a progress-update thinking block instead."""

    text: str


class ToolUseBlock(msgspec.Struct, frozen=True, kw_only=True):
    """A tool_use block; ``json.dumps(input)`` is streamed as ``input_json_delta`` pieces."""

    name: str
    input: dict[str, Any]
    id: str | None = None


class ThinkingBlock(msgspec.Struct, frozen=True, kw_only=True):
    """A reasoning block where the script puts it; its text is shown only under ``display: summarized``."""

    text: str


class RedactedThinkingBlock(msgspec.Struct, frozen=True, kw_only=True):
    """A ``redacted_thinking`` block: opaque ``data``, never shown; ``text`` is what it bills."""

    text: str = "redacted"


Block = TextBlock | ToolUseBlock | ThinkingBlock | RedactedThinkingBlock


class MessageOptions(TypedDict, total=False):
    """Options shared by every constructor of a message reply.

    ``reasoning``: the opening reasoning of adaptive thinking ("" for a response without one);
    ``pause_after``: stop generating after that many output characters until the test sets
    ``server.resume``; ``delay``: seconds between SSE events.
    """

    usage: Usage
    chunk_size: int
    model: str | None
    delay: float
    reasoning: str
    pause_after: int | None
    stop_details: dict[str, Any] | None


class Reply(msgspec.Struct, frozen=True, kw_only=True):
    """One scripted answer to one ``POST /v1/messages``; build it with the constructors below.

    A message reply streams when the request asks for ``"stream": true`` and is sent whole otherwise.
    ``cut`` interrupts a stream after ``cut_after`` SSE events (``message_start`` and ``ping`` count).
    """

    blocks: tuple[Block, ...] = ()
    stop_reason: str = "end_turn"
    stop_details: dict[str, Any] | None = None
    usage: Usage = Usage()
    chunk_size: int = DEFAULT_CHUNK_SIZE
    model: str | None = None
    delay: float = 0.0
    reasoning: str = DEFAULT_REASONING
    pause_after: int | None = None
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

    @staticmethod
    def thinking_block(text: str) -> ThinkingBlock:
        """A reasoning block for ``Reply.message``, placed where the script puts it."""
        return ThinkingBlock(text=text)

    @staticmethod
    def redacted_thinking_block(text: str = "redacted") -> RedactedThinkingBlock:
        """A redacted_thinking block for ``Reply.message``."""
        return RedactedThinkingBlock(text=text)

    @classmethod
    def message(
        cls, blocks: Iterable[Block], *, stop_reason: str = "end_turn", **options: Unpack[MessageOptions]
    ) -> Reply:
        """A message made of ``blocks``, each streamed in pieces of ``chunk_size`` characters. Any
        ``stop_reason`` passes through as given (``pause_turn``, ``model_context_window_exceeded``...)."""
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
    def refusal(
        cls,
        text: str = "",
        *,
        category: str | None = "cyber",
        explanation: str | None = None,
        **options: Unpack[MessageOptions],
    ) -> Reply:
        """A 200 response that stops with ``refusal`` and its ``stop_details``
        (https://platform.claude.com/docs/en/build-with-claude/handling-stop-reasons)."""
        details = {"type": "refusal", "category": category, "explanation": explanation}
        blocks = [cls.text_block(text)] if text else []
        reply = cls.message(blocks, stop_reason="refusal", **options)
        return msgspec.structs.replace(reply, stop_details=details)

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
        return STATUS_BY_ERROR_TYPE.get(self.error_type or "api_error", 500)

    def error_body(self, request_id: str | None = None) -> dict[str, Any]:
        """The API's error object: ``{"type": "error", "error": {"type": ..., "message": ...}}``."""
        kind = self.error_type or "api_error"
        return error_object(kind, self.error_message or _ERROR_MESSAGES.get(kind, kind), request_id)
