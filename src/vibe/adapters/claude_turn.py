"""Reading one streamed Messages API answer: raw events in, the domain's model chunks out.

Streaming events (https://platform.claude.com/docs/en/build-with-claude/streaming): ``message_start``
carries the input usage; each content block is ``content_block_start``, deltas (``text_delta``,
``thinking_delta``, ``signature_delta``, ``input_json_delta``) and ``content_block_stop``;
``message_delta`` carries the stop reason and the usage, whose counts are cumulative (they replace,
not add to, what came before); unknown event and block types are tolerated. Under ``display:
"omitted"`` a thinking block may stream no ``thinking_delta`` at all, only its signature
(https://platform.claude.com/docs/en/build-with-claude/thinking).

The reader also rebuilds the whole assistant turn, block by block as the API returned it, for the
conversation: thinking blocks stay opaque; a tool_use whose input is not a JSON object (eager
streaming may send one, or ``max_tokens`` may cut it) keeps the ``{}`` placeholder its
``content_block_start`` carried.
"""

from __future__ import annotations

from typing import Any

from vibe.domain.conversation import (
    Billed,
    ContentBlock,
    Message,
    ModelChunk,
    OpaqueBlock,
    TextBlock,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolUseBlock,
    TurnEnd,
    parse_tool_input,
)
from vibe.domain.usage import Usage

__all__ = ["TurnReader"]

_USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


class TurnReader:
    def __init__(self, provider: str) -> None:
        self._provider = provider
        self._blocks: dict[int, dict[str, Any]] = {}
        self._json: dict[int, list[str]] = {}
        self._usage: dict[str, int] = {}
        self.stop_reason = "end_turn"
        self.started = False  # something of the answer arrived

    def read(self, event: Any) -> list[ModelChunk]:
        kind = getattr(event, "type", None)
        self.started = True
        if kind == "message_start":
            self._count(event.message.usage)
            return [Billed(self.usage)]
        if kind == "content_block_start":
            return self._start(event.index, event.content_block.model_dump(mode="json", exclude_none=True))
        if kind == "content_block_delta":
            return self._delta(event.index, event.delta)
        if kind == "content_block_stop":
            return [ToolCallEnd(event.index)] if event.index in self._json else []
        if kind == "message_delta":
            self.stop_reason = event.delta.stop_reason or self.stop_reason
            self._count(event.usage)
        return []

    @property
    def usage(self) -> Usage:
        return Usage(**self._usage)

    def end(self) -> TurnEnd:
        return TurnEnd(self.stop_reason, self.usage, self._message())

    def _count(self, usage: Any) -> None:
        """Usage counts are running totals: a count that is present replaces the one before."""
        for name in _USAGE_FIELDS:
            value = getattr(usage, name, None)
            if value is not None:
                self._usage[name] = int(value)

    def _start(self, index: int, block: dict[str, Any]) -> list[ModelChunk]:
        self._blocks[index] = block
        if block.get("type") == "tool_use":
            self._json[index] = []
            return [ToolCallStart(index, str(block["id"]), str(block["name"]))]
        return []

    def _delta(self, index: int, delta: Any) -> list[ModelChunk]:
        block = self._blocks.get(index)
        kind = getattr(delta, "type", None)
        if block is None:
            return []
        if kind == "text_delta":
            block["text"] = block.get("text", "") + delta.text
            return [TextDelta(delta.text)]
        if kind == "thinking_delta":
            block["thinking"] = block.get("thinking", "") + delta.thinking
            return [ThinkingDelta(delta.thinking)] if delta.thinking else []
        if kind == "signature_delta":
            block["signature"] = block.get("signature", "") + delta.signature
            return []
        if kind == "input_json_delta" and index in self._json:
            self._json[index].append(delta.partial_json)
            return [ToolCallDelta(index, delta.partial_json)]
        return []

    def _message(self) -> Message:
        content: list[ContentBlock] = []
        for index in sorted(self._blocks):
            block = self._blocks[index]
            kind = block.get("type")
            if kind == "text":
                if block.get("text"):
                    content.append(TextBlock(text=block["text"]))
            elif kind == "tool_use":
                tool_input = parse_tool_input("".join(self._json[index])) or {}
                content.append(ToolUseBlock(id=block["id"], name=block["name"], input=tool_input))
            else:  # thinking, redacted_thinking, and any block this version does not know
                content.append(OpaqueBlock(provider=self._provider, data=block))
        return Message(role="assistant", content=tuple(content))
