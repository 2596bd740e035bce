"""The stand-in's checks on a conversation's shape: roles, empty content, and tool_use/tool_result pairing."""

from __future__ import annotations

from typing import Any

from vibe.testing.messages_errors import invalid
from vibe.testing.messages_tokens import blocks_of

__all__ = ["check_conversation"]

# The messages below are the API's own, as users have reported them (the docs quote none):
# https://github.com/anthropics/claude-code/issues/1237 (tool_use without tool_result),
# https://github.com/anthropics/claude-code/issues/13460 (unexpected tool_use_id),
# https://github.com/anthropics/claude-code/issues/37 (tool_result blocks not first),
# https://github.com/stackblitz/bolt.new/issues/7426 and https://github.com/anomalyco/opencode/pull/3194
# (empty text blocks). The rules themselves: https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use
# ("tool_result blocks must immediately follow their corresponding tool use blocks ... must come FIRST").


def check_conversation(body: dict[str, Any]) -> None:
    """Raise the API's 400 for the first malformed message, in message order."""
    _check_texts("system", blocks_of(body.get("system", [])))
    messages: list[Any] = body["messages"]
    if not messages:
        raise invalid("messages: at least one message is required")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise invalid(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        last_assistant = i == len(messages) - 1 and message["role"] == "assistant"
        if not blocks_of(message.get("content")) and not last_assistant:
            raise invalid(
                f"messages.{i}: all messages must have non-empty content except for the optional final "
                "assistant message"
            )
    if messages[0]["role"] != "user":
        raise invalid('messages: first message must use the "user" role')
    for i, message in enumerate(messages):
        blocks = blocks_of(message.get("content"))
        _check_texts("messages", blocks)
        if message["role"] == "user":
            _check_results(i, blocks, messages[i - 1] if i else None)
        else:
            _check_uses(i, blocks, messages[i + 1] if i + 1 < len(messages) else None)


def _check_texts(where: str, blocks: list[dict[str, Any]]) -> None:
    for block in blocks:
        if block.get("type") != "text":
            continue
        text = block.get("text")
        if not isinstance(text, str) or not text:
            raise invalid(f"{where}: text content blocks must be non-empty")
        if not text.strip():
            raise invalid(f"{where}: text content blocks must contain non-whitespace text")


def _tool_use_ids(message: Any) -> list[str]:
    if not isinstance(message, dict) or message.get("role") != "assistant":
        return []
    return [str(b.get("id")) for b in blocks_of(message.get("content")) if b.get("type") == "tool_use"]


def _check_results(i: int, blocks: list[dict[str, Any]], previous: Any) -> None:
    known = set(_tool_use_ids(previous))
    for j, block in enumerate(blocks):
        if block.get("type") == "tool_result" and block.get("tool_use_id") not in known:
            raise invalid(
                f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: "
                f"{block.get('tool_use_id')}. Each `tool_result` block must have a corresponding `tool_use` "
                "block in the previous message."
            )


def _check_uses(i: int, blocks: list[dict[str, Any]], following: Any) -> None:
    ids = [str(b.get("id")) for b in blocks if b.get("type") == "tool_use"]
    if not ids:
        return
    answer = blocks_of(following.get("content")) if isinstance(following, dict) else []
    answered = {b.get("tool_use_id") for b in answer if b.get("type") == "tool_result"}
    missing = [tool_id for tool_id in ids if tool_id not in answered]
    if missing:
        raise invalid(
            f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: "
            f"{', '.join(missing)}. Each `tool_use` block must have a corresponding `tool_result` block in "
            "the next message."
        )
    leading = 0
    while leading < len(answer) and answer[leading].get("type") == "tool_result":
        leading += 1
    if leading < sum(1 for block in answer if block.get("type") == "tool_result"):
        raise invalid(
            f"messages.{i + 1}: Did not find {len(ids)} `tool_result` block(s) at the beginning of this "
            "message. Messages following `tool_use` blocks must begin with a matching number of "
            "`tool_result` blocks."
        )
