"""The stand-in's token estimate: canonical forms of request content and what each one costs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from vibe.testing.messages_images import image_tokens

__all__ = ["CHARS_PER_TOKEN", "Meter", "blocks_of", "canonical", "compact", "digest", "tokens_for"]

# One deterministic estimate everywhere (input, output, max_tokens, count_tokens): a token is 4
# characters, rounded up per block. The real tokenizer differs; tests need numbers they can predict.
CHARS_PER_TOKEN = 4

Block = dict[str, Any]


def tokens_for(chars: int) -> int:
    """Tokens for ``chars`` characters, rounded up."""
    return -(-chars // CHARS_PER_TOKEN)


def compact(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, unicode kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def digest(*parts: Any) -> str:
    """A SHA-256 over the canonical JSON of ``parts``."""
    return hashlib.sha256(compact(parts).encode("utf-8", "surrogatepass")).hexdigest()


def blocks_of(content: Any) -> list[Block]:
    """A message's (or system's, or tool result's) content as a list of blocks; a string is one text block."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [block for block in content if isinstance(block, dict)]
    return []


def canonical(block: Block) -> Block:
    """``block`` as the API compares it: no ``cache_control``, defaults filled in, and a thinking block
    reduced to its signature (the text of a round-tripped omitted block is ignored:
    https://platform.claude.com/docs/en/build-with-claude/thinking, "Controlling thinking display")."""
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": block.get("text")}
    if kind == "tool_use":
        return {k: block.get(k) for k in ("type", "id", "name", "input")}
    if kind == "tool_result":
        inner = [canonical(b) for b in blocks_of(block.get("content", []))]
        is_error = bool(block.get("is_error", False))
        return {"type": kind, "tool_use_id": block.get("tool_use_id"), "content": inner, "is_error": is_error}
    if kind == "thinking":
        return {"type": kind, "signature": block.get("signature")}
    if kind == "redacted_thinking":
        return {"type": kind, "data": block.get("data")}
    return {key: value for key, value in block.items() if key != "cache_control"}


class Meter:
    """Counts input tokens: text by its characters, tool definitions and inputs by their JSON, images by
    their size (https://platform.claude.com/docs/en/build-with-claude/vision), and a thinking block at
    the full length of the thinking it stands for (``thinking_tokens``), shown or not."""

    def __init__(self, image_cap: int, thinking_tokens: Callable[[Block], int]) -> None:
        self._image_cap = image_cap
        self._thinking_tokens = thinking_tokens

    def block(self, block: Block) -> int:
        """The tokens of one content block."""
        kind = block.get("type")
        if kind == "text":
            return tokens_for(len(str(block.get("text", ""))))
        if kind == "tool_use":
            return tokens_for(len(str(block.get("name", ""))) + len(json.dumps(block.get("input"))))
        if kind == "tool_result":
            return sum(self.block(inner) for inner in blocks_of(block.get("content", [])))
        if kind in ("thinking", "redacted_thinking"):
            return self._thinking_tokens(block)
        if kind == "image":
            return image_tokens(block.get("source"), self._image_cap)
        return tokens_for(len(compact(canonical(block))))

    @staticmethod
    def tool(tool: Block) -> int:
        """The tokens of one tool definition: its JSON without ``cache_control``."""
        return tokens_for(len(compact(canonical(tool))))
