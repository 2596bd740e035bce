"""What the stand-in Chat Completions server checks in a request, and how it counts tokens.

The checks are the ones the real API makes, with its own messages
(https://platform.openai.com/docs/api-reference/chat/create): unknown parameters, a missing model,
roles, ``tool`` messages that must answer the ``tool_calls`` of the assistant message just before
them (and every call must be answered), arguments sent back as a string, ``stream_options`` only
when streaming, ``max_tokens`` refused by reasoning models, ``reasoning_effort`` refused by others,
and tool definitions.

Tokens are counted with OpenAI's ``o200k_base`` encoding (the ``bpe-openai`` package ships it, so
no download is needed): each message costs its content and tool calls plus 4 tokens of framing,
the tools their JSON plus 10, and the reply 3, after OpenAI's cookbook "How to count tokens with
tiktoken". A prompt's prefix shared with an earlier request is read from the cache by OpenAI's
documented rule (https://platform.openai.com/docs/guides/prompt-caching): from 1,024 tokens on, in
steps of 128.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

__all__ = [
    "KNOWN_PARAMETERS",
    "PrefixCache",
    "check_request",
    "count_tokens",
    "is_reasoning_model",
    "prompt_tokens",
    "token_ends",
]

KNOWN_PARAMETERS = frozenset(
    (
        "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "tools",
        "tool_choice", "parallel_tool_calls", "temperature", "top_p", "n", "stop", "presence_penalty",
        "frequency_penalty", "logit_bias", "user", "seed", "response_format", "reasoning_effort", "store",
        "metadata", "logprobs", "top_logprobs", "service_tier", "prediction", "modalities", "audio",
        "verbosity", "prompt_cache_key", "safety_identifier",
    )
)  # fmt: skip
_ROLES = ("system", "developer", "user", "assistant", "tool")
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_REASONING = re.compile(r"^(?:gpt-5|o[134](?:-|$)|gpt-oss)")
CACHE_MINIMUM = 1024
CACHE_STEP = 128


@cache
def _encoding() -> Any:
    import bpe_openai  # type: ignore[import-untyped]

    return bpe_openai.get_encoding("o200k_base")


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text)) if text else 0


def token_ends(text: str) -> list[int]:
    """The character offset at which each token of ``text`` ends (for cutting output at a limit)."""
    ends, position = [], 0
    for piece in _encoding().decode_tokens_bytes(_encoding().encode(text)):
        position += len(piece)
        ends.append(position)
    characters = [len(text.encode()[:end].decode(errors="ignore")) for end in ends]
    return characters


def is_reasoning_model(model: str) -> bool:
    return bool(_REASONING.match(model))


def check_request(body: dict[str, Any], strict: bool) -> tuple[str | None, str] | None:
    """(param, message) of the first rule ``body`` breaks, or None."""
    if strict:
        for name in body:
            if name not in KNOWN_PARAMETERS:
                return None, f"Unrecognized request argument supplied: {name}"
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return "model", "you must provide a model parameter"
    if body.get("stream_options") is not None and body.get("stream") is not True:
        return "stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled."
    if strict and is_reasoning_model(model) and "max_tokens" in body:
        return "max_tokens", (
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead."
        )
    if strict and not is_reasoning_model(model) and "reasoning_effort" in body:
        return (
            "reasoning_effort",
            "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
        )
    return _check_tools(body.get("tools")) or _check_messages(body.get("messages"))


def _check_tools(tools: object) -> tuple[str | None, str] | None:
    if tools is None:
        return None
    if not isinstance(tools, list):
        return "tools", "Invalid type for 'tools': expected an array of objects."
    for i, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(function, dict):
            return f"tools[{i}]", f"Invalid value for 'tools[{i}]': expected a function tool."
        if not isinstance(function.get("name"), str) or not _TOOL_NAME.match(function["name"]):
            return f"tools[{i}].function.name", (
                f"Invalid 'tools[{i}].function.name': string does not match pattern '^[a-zA-Z0-9_-]+$'."
            )
        if not isinstance(function.get("parameters", {}), dict):
            return f"tools[{i}].function.parameters", "Invalid schema: parameters must be an object."
    return None


def _check_messages(messages: object) -> tuple[str | None, str] | None:
    if not isinstance(messages, list) or not messages:
        return "messages", "Invalid 'messages': empty array. Expected an array with minimum length 1."
    waiting: list[str] = []  # tool_call ids of the last assistant message not yet answered
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in _ROLES:
            return f"messages[{i}].role", (
                f"Invalid value: '{role}'. Supported values are: {', '.join(repr(r) for r in _ROLES)}."
            )
        assert isinstance(message, dict)
        if role != "tool" and waiting:
            return "messages", _unanswered(waiting)
        if role == "tool":
            if message.get("tool_call_id") not in waiting:
                return f"messages[{i}].role", (
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding "
                    "message with 'tool_calls'."
                )
            waiting.remove(message["tool_call_id"])
        elif role == "assistant":
            problem = _check_calls(i, message.get("tool_calls"))
            if problem is not None:
                return problem
            waiting = [call["id"] for call in message.get("tool_calls") or []]
        elif not isinstance(message.get("content"), str | list):
            return f"messages[{i}].content", f"Invalid type for 'messages[{i}].content': expected a string."
    return ("messages", _unanswered(waiting)) if waiting else None


def _unanswered(waiting: list[str]) -> str:
    return (
        "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
        f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(waiting)}"
    )


def _check_calls(i: int, calls: object) -> tuple[str | None, str] | None:
    if calls is None:
        return None
    if not isinstance(calls, list) or not calls:
        return f"messages[{i}].tool_calls", f"Invalid 'messages[{i}].tool_calls': expected a non-empty array."
    for j, call in enumerate(calls):
        function = call.get("function") if isinstance(call, dict) else None
        if (
            not isinstance(call, dict)
            or not isinstance(call.get("id"), str)
            or not isinstance(function, dict)
        ):
            return f"messages[{i}].tool_calls[{j}]", f"Invalid 'messages[{i}].tool_calls[{j}]'."
        if not isinstance(function.get("arguments"), str):
            where = f"messages[{i}].tool_calls[{j}].function.arguments"
            return where, f"Invalid type for '{where}': expected a string, but got an object instead."
    return None


def render_prompt(body: dict[str, Any]) -> str:
    """The prompt as the model reads it: every message framed, then the tools."""
    parts = []
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            content = "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        calls = json.dumps(message["tool_calls"]) if message.get("tool_calls") else ""
        parts.append(f"<|im_start|>{message.get('role')}\n{content or ''}{calls}<|im_end|>\n")
    if body.get("tools"):
        parts.append(f"<|im_start|>tools\n{json.dumps(body['tools'])}<|im_end|>\n")
    return "".join(parts)


def prompt_tokens(body: dict[str, Any]) -> list[int]:
    """The prompt's tokens; their number is what the request is billed as input (see the module)."""
    encoded: list[int] = _encoding().encode(render_prompt(body))
    return encoded


class PrefixCache:
    """The prompts seen so far, for the cached part of the next one."""

    def __init__(self) -> None:
        self._seen: list[Sequence[int]] = []

    def read(self, tokens: Sequence[int]) -> int:
        """The tokens of ``tokens`` read from the cache, then remember it."""
        best = max((_common(tokens, seen) for seen in self._seen), default=0)
        self._seen.append(tokens)
        if best < CACHE_MINIMUM:
            return 0
        return CACHE_MINIMUM + (best - CACHE_MINIMUM) // CACHE_STEP * CACHE_STEP


def _common(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n
