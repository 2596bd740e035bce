"""The request vibe sends to Claude: the shape today's models take, and the cache breakpoints.

Against https://platform.claude.com/docs/en/models/sonnet-5-5/migration-guide (what is refused),
https://platform.claude.com/docs/en/build-with-claude/prompt-caching (four breakpoints at most, 1-hour
ones before 5-minute ones) and the fine-grained tool streaming page (``eager_input_streaming``)."""

from __future__ import annotations

from typing import Any

import pytest

from vibe.adapters.claude import ClaudeOptions, request_params
from vibe.adapters.claude_models import traits_of
from vibe.application.prompting import SYSTEM_PROMPT, TOOLS, first_message
from vibe.domain.conversation import (
    Message,
    ModelRequest,
    OpaqueBlock,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
)

FILES = {"index.html": "<h1>Hi</h1>", "style.css": "h1{}"}


def conversation(turns: int) -> ModelRequest:
    messages: list[Message] = [first_message("make it blue", FILES, {"index.html": "<h1>Hi</h1>"})]
    for n in range(turns):
        thinking = OpaqueBlock(
            provider="anthropic", data={"type": "thinking", "thinking": "", "signature": f"s{n}"}
        )
        call = ToolUseBlock(id=f"t{n}", name="read_file", input={"path": "index.html"})
        messages.append(Message(role="assistant", content=(thinking, call)))
        messages.append(
            Message(role="user", content=(ToolResultBlock(tool_use_id=f"t{n}", content="x", cache=True),))
        )
    return ModelRequest(
        system=(TextBlock(text=SYSTEM_PROMPT, cache=True),), messages=tuple(messages), tools=TOOLS
    )


def breakpoints(params: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    found = [("tool", t["cache_control"]) for t in params.get("tools", []) if "cache_control" in t]
    found += [("system", b["cache_control"]) for b in params["system"] if "cache_control" in b]
    for m, message in enumerate(params["messages"]):
        found += [(f"messages.{m}", b["cache_control"]) for b in message["content"] if "cache_control" in b]
    return found


@pytest.mark.parametrize("turns", [0, 1, 5])
def test_the_current_model_gets_the_shape_it_takes(turns: int) -> None:
    params = request_params(conversation(turns), "claude-sonnet-5-5", ClaudeOptions(effort="low"))
    assert params["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert params["output_config"] == {"effort": "low"}
    assert params["max_tokens"] == 128_000
    assert params["stream"] is True
    assert params["messages"][-1]["role"] == "user"  # never an assistant prefill
    for forbidden in ("temperature", "top_p", "top_k", "tool_choice"):
        assert forbidden not in params
    eager = {t["name"] for t in params["tools"] if t.get("eager_input_streaming")}
    assert eager == {"write_file", "append_file"}


@pytest.mark.parametrize("turns", [0, 1, 5])
def test_breakpoints_are_few_and_the_long_lived_ones_come_first(turns: int) -> None:
    marks = breakpoints(request_params(conversation(turns), "claude-sonnet-5-5", ClaudeOptions()))
    assert len(marks) <= 4
    assert marks[0] == ("system", {"type": "ephemeral", "ttl": "1h"})  # tools and system, for everyone
    assert marks[1] == ("messages.0", {"type": "ephemeral", "ttl": "1h"})  # the project's files
    assert not [m for m in marks if m[0] == "tool"]  # the system breakpoint already covers the tools
    ttls = [mark.get("ttl", "5m") for _, mark in marks]
    assert ttls == sorted(ttls, key=lambda ttl: ttl != "1h")
    if turns:
        assert marks[-1] == (f"messages.{2 * turns}", {"type": "ephemeral"})


def test_opaque_blocks_go_back_byte_for_byte() -> None:
    params = request_params(conversation(1), "claude-sonnet-5-5", ClaudeOptions())
    assert params["messages"][1]["content"][0] == {"type": "thinking", "thinking": "", "signature": "s0"}


def test_settings_choose_the_limit_and_between_tools() -> None:
    options = ClaudeOptions(max_output_tokens=40_000, effort="high", thinking="between_tools")
    params = request_params(conversation(0), "claude-sonnet-5-5", options)
    assert params["max_tokens"] == 40_000
    assert params["thinking"] == {"type": "between_tools"}
    # only Sonnet 5.5 takes between_tools: another current model keeps adaptive thinking
    other = request_params(conversation(0), "claude-opus-5", options)
    assert other["thinking"] == {"type": "adaptive", "display": "summarized"}


@pytest.mark.parametrize(
    "model", ["claude-sonnet-4-5", "claude-3-7-sonnet-latest", "claude-haiku-4-5-20251001"]
)
def test_older_models_get_neither_thinking_nor_effort(model: str) -> None:
    params = request_params(conversation(0), model, ClaudeOptions())
    assert "thinking" not in params
    assert "output_config" not in params
    assert params["max_tokens"] == traits_of(model).max_output_tokens >= 32_000
