"""What the stand-in "generates" for a reply: its blocks as timed SSE events, cut where the API cuts."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import msgspec

from vibe.testing.messages_cache import CacheBill
from vibe.testing.messages_models import model_spec
from vibe.testing.messages_rules import RequestSettings
from vibe.testing.messages_script import (
    Block,
    RedactedThinkingBlock,
    Reply,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)
from vibe.testing.messages_thinking import Issued, ThinkingRegistry, bind
from vibe.testing.messages_tokens import CHARS_PER_TOKEN, tokens_for

__all__ = ["Timed", "Turn", "fold", "generate"]


class Timed(NamedTuple):
    """One SSE event and the output offset (in characters generated) from which it may be sent."""

    at: int
    name: str
    data: dict[str, Any]


class Turn(msgspec.Struct, frozen=True, kw_only=True):
    """The request a reply answers, as the generation needs it."""

    number: int
    model: str  # the model the response names (and signs its thinking with)
    settings: RequestSettings
    prefix: str  # the digest of the request's conversation (see messages_thinking.prefixes)
    bill: CacheBill


class _Item(NamedTuple):
    kind: str  # "thinking", "redacted_thinking", "text" or "tool_use"
    text: str  # what is generated: the thinking, the text, or the tool input's JSON
    shown: bool = True
    tool: ToolUseBlock | None = None


def _plan(reply: Reply, settings: RequestSettings) -> list[_Item]:
    """The response's blocks. https://platform.claude.com/docs/en/build-with-claude/thinking (TH):
    adaptive thinking opens with a reasoning block, shown only under display "summarized"; text written
    between tool calls comes back as a progress-update thinking block, shown under "summarized" or
    "updates" (which is what between_tools gives). TH keeps "shorter remarks" as text; here every text
    block right before a tool_use is an update, whatever its length, so tests need not guess a threshold.
    Older models think only when asked with a budget, show their thinking, and keep text as text."""
    thinks = settings.thinking != "none"
    shows_reasoning = settings.display == "summarized"
    shows_updates = settings.display in ("summarized", "updates")
    items: list[_Item] = []
    first = reply.blocks[0] if reply.blocks else None
    opens = settings.thinking in ("adaptive", "enabled") and reply.reasoning
    if opens and not isinstance(first, ThinkingBlock | RedactedThinkingBlock):
        items.append(_Item("thinking", reply.reasoning, shows_reasoning))
    for k, block in enumerate(reply.blocks):
        following: Block | None = reply.blocks[k + 1] if k + 1 < len(reply.blocks) else None
        if isinstance(block, TextBlock):
            update = settings.spec.current and thinks and isinstance(following, ToolUseBlock)
            items.append(
                _Item("thinking", block.text, shows_updates) if update else _Item("text", block.text)
            )
        elif isinstance(block, ToolUseBlock):
            items.append(_Item("tool_use", json.dumps(block.input), tool=block))
        elif thinks and isinstance(block, ThinkingBlock):
            items.append(_Item("thinking", block.text, shows_reasoning))
        elif thinks and isinstance(block, RedactedThinkingBlock):
            items.append(_Item("redacted_thinking", block.text, shown=False))
    return items


def generate(reply: Reply, turn: Turn, registry: ThinkingRegistry) -> list[Timed]:
    """Every SSE event of the response, in order, each with the output offset it waits for. Output is
    counted as generated, thinking at full length even when not shown, and the response is cut right
    where it reaches the request's max_tokens, in the middle of a block if need be
    (https://platform.claude.com/docs/en/build-with-claude/handling-stop-reasons)."""
    budget = turn.settings.max_tokens * CHARS_PER_TOKEN
    writer = _Writer(reply, turn, registry)
    items = _plan(reply, turn.settings)
    cut = False
    for index, item in enumerate(items):
        if writer.at >= budget and item.text:
            cut = True
            break
        cut = writer.block(index, item, budget)
        if cut:
            break
    if not cut:
        registry.add_turn(
            bind(turn.prefix, writer.content, "assistant"), writer.message_id, tuple(writer.signatures)
        )
    stop_reason, details = ("max_tokens", None) if cut else (reply.stop_reason, reply.stop_details)
    return writer.finish(stop_reason, details)


class _Writer:
    def __init__(self, reply: Reply, turn: Turn, registry: ThinkingRegistry) -> None:
        self.reply, self.turn, self.registry = reply, turn, registry
        self.message_id = f"msg_01{turn.number:06d}"
        self.at = 0
        self.content: list[dict[str, Any]] = []
        self.signatures: list[str] = []
        self.events: list[Timed] = []

    def block(self, index: int, item: _Item, budget: int) -> bool:
        """Write one block up to ``budget`` output characters; True if the budget cut it short."""
        start, produced = self.at, item.text[: max(0, budget - self.at)]
        head, deltas = self._block_parts(index, item, produced)
        self.events.append(
            Timed(
                start,
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": head},
            )
        )
        for at, delta in deltas:
            self.events.append(
                Timed(
                    at, "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
                )
            )
        self.at = start + len(produced)
        self.events.append(
            Timed(self.at, "content_block_stop", {"type": "content_block_stop", "index": index})
        )
        return len(produced) < len(item.text)

    def _block_parts(
        self, index: int, item: _Item, produced: str
    ) -> tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]:
        size, start = self.reply.chunk_size, self.at
        if item.kind == "text":
            self.content.append({"type": "text", "text": produced})
            return {"type": "text", "text": ""}, [
                (start + end, {"type": "text_delta", "text": p}) for p, end in _pieces(produced, size)
            ]
        if item.kind == "tool_use":
            return self._tool_use(index, item, produced)
        issued = Issued(
            model=model_spec(self.turn.model).id,
            binding=bind(self.turn.prefix, self.content),
            shown=produced if item.shown else "",
            chars=len(produced),
            message_id=self.message_id,
            index=index,
        )
        signature = self.registry.sign(issued, produced)
        self.signatures.append(signature)
        if item.kind == "redacted_thinking":
            return {"type": "redacted_thinking", "data": signature}, []
        # Streaming thinking (TH, and https://platform.claude.com/docs/en/build-with-claude/streaming):
        # thinking_delta events, then one signature_delta just before content_block_stop; under display
        # "omitted" no thinking_delta at all.
        deltas = [
            (start + end, {"type": "thinking_delta", "thinking": p}) for p, end in _pieces(issued.shown, size)
        ]
        deltas.append((start + len(produced), {"type": "signature_delta", "signature": signature}))
        return {"type": "thinking", "thinking": "", "signature": ""}, deltas

    def _tool_use(
        self, index: int, item: _Item, produced: str
    ) -> tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]:
        """https://platform.claude.com/docs/en/agents-and-tools/tool-use/fine-grained-tool-streaming: an
        eager tool's input streams as generated; any other tool's is buffered and released one complete
        top-level property at a time (https://platform.claude.com/docs/en/build-with-claude/streaming),
        so a property the budget cuts is never sent."""
        assert item.tool is not None
        tool, size, start = item.tool, self.reply.chunk_size, self.at
        tool_id = tool.id or f"toolu_01{self.turn.number:06d}{index:04d}"
        self.content.append({"type": "tool_use", "id": tool_id, "name": tool.name, "input": tool.input})
        deltas: list[tuple[int, dict[str, Any]]] = []
        if tool.name in self.turn.settings.eager_tools:
            deltas = [(start + end, _json_delta(p)) for p, end in _pieces(produced, size)]
        else:
            offset = 0
            for segment in _segments(tool.input):
                offset += len(segment)
                if offset > len(produced):
                    break
                deltas += [(start + offset, _json_delta(p)) for p, _end in _pieces(segment, size)]
        return {"type": "tool_use", "id": tool_id, "name": tool.name, "input": {}}, deltas

    def finish(self, stop_reason: str, details: dict[str, Any] | None) -> list[Timed]:
        usage, split = _usage(self.turn.bill, self.reply.usage)
        final = _given(self.reply.usage.output_tokens, tokens_for(self.at))
        # https://platform.claude.com/docs/en/build-with-claude/streaming: usage in message_start, and
        # cumulative counts in message_delta; stop_details is null except for a refusal.
        message: dict[str, Any] = {
            "id": self.message_id,
            "type": "message",
            "role": "assistant",
            "model": self.turn.model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "stop_details": None,
            "usage": {**usage, "cache_creation": split, "output_tokens": min(1, final)},
        }
        delta = {"stop_reason": stop_reason, "stop_sequence": None, "stop_details": details}
        return [
            Timed(0, "message_start", {"type": "message_start", "message": message}),
            Timed(0, "ping", {"type": "ping"}),
            *self.events,
            Timed(
                self.at,
                "message_delta",
                {"type": "message_delta", "delta": delta, "usage": {**usage, "output_tokens": final}},
            ),
            Timed(self.at, "message_stop", {"type": "message_stop"}),
        ]


def fold(events: list[Timed]) -> dict[str, Any]:
    """The whole message a non-streaming request gets: the events accumulated as a client would."""
    message: dict[str, Any] = {}
    partial: dict[int, str] = {}
    for _at, name, data in events:
        if name == "message_start":
            message = {**data["message"], "content": [], "usage": dict(data["message"]["usage"])}
        elif name == "content_block_start":
            message["content"].append(dict(data["content_block"]))
        elif name == "content_block_delta":
            _apply(message["content"][data["index"]], data["delta"], partial, data["index"])
        elif name == "content_block_stop" and data["index"] in partial:
            block = message["content"][data["index"]]
            try:
                block["input"] = json.loads(partial[data["index"]])
            except ValueError:
                block["input"] = {}  # cut mid-JSON: the API would not return it whole either
        elif name == "message_delta":
            message.update({k: data["delta"][k] for k in ("stop_reason", "stop_sequence", "stop_details")})
            message["usage"].update(data["usage"])
    return message


def _apply(block: dict[str, Any], delta: dict[str, Any], partial: dict[int, str], index: int) -> None:
    kind = delta["type"]
    if kind == "text_delta":
        block["text"] += delta["text"]
    elif kind == "thinking_delta":
        block["thinking"] += delta["thinking"]
    elif kind == "signature_delta":
        block["signature"] = delta["signature"]
    elif kind == "input_json_delta":
        partial[index] = partial.get(index, "") + delta["partial_json"]


def _segments(tool_input: dict[str, Any]) -> list[str]:
    """``json.dumps(tool_input)`` split after each top-level property (the braces go with the first and
    last)."""
    items = [json.dumps({key: value})[1:-1] for key, value in tool_input.items()]
    if not items:
        return ["{}"]
    segments = ["{" + items[0], *(", " + item for item in items[1:])]
    segments[-1] += "}"
    return segments


def _pieces(text: str, size: int) -> list[tuple[str, int]]:
    """``text`` in pieces of ``size`` characters, each with the offset where it ends."""
    return [(text[start : start + size], min(start + size, len(text))) for start in range(0, len(text), size)]


def _json_delta(piece: str) -> dict[str, Any]:
    return {"type": "input_json_delta", "partial_json": piece}


def _usage(bill: CacheBill, given: Usage) -> tuple[dict[str, int], dict[str, int]]:
    """The input-side counts and the cache-creation split: computed, unless the script gives them."""
    usage = {
        "input_tokens": _given(given.input_tokens, bill.input_tokens),
        "cache_creation_input_tokens": _given(
            given.cache_creation_input_tokens, bill.cache_creation_input_tokens
        ),
        "cache_read_input_tokens": _given(given.cache_read_input_tokens, bill.cache_read_input_tokens),
    }
    split = {
        "ephemeral_5m_input_tokens": bill.ephemeral_5m_input_tokens,
        "ephemeral_1h_input_tokens": bill.ephemeral_1h_input_tokens,
    }
    if given.cache_creation_input_tokens is not None:
        split = {
            "ephemeral_5m_input_tokens": given.cache_creation_input_tokens,
            "ephemeral_1h_input_tokens": 0,
        }
    return usage, split


def _given(scripted: int | None, computed: int) -> int:
    return computed if scripted is None else scripted
