"""The conversation vibe holds with a model, and the chunks a streaming model answers with.

These are provider-neutral: each model adapter translates them to its API, and the offline model and
the scripted test model produce the same chunks, so the agent loop never knows which one runs.

What a provider returns that vibe must carry back without reading it (Claude's ``thinking`` and
``redacted_thinking`` blocks, whose signatures bind them to the model and the conversation) travels
as an ``OpaqueBlock``: the adapter that made it is the only one that looks inside.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

import msgspec

from vibe.domain.usage import Usage

__all__ = [
    "INVALID_JSON_KEY",
    "OFFLINE_MODEL",
    "Billed",
    "CallRetry",
    "ContentBlock",
    "ImageBlock",
    "Message",
    "ModelChunk",
    "ModelRequest",
    "OpaqueBlock",
    "TextBlock",
    "TextDelta",
    "ThinkingDelta",
    "TokenEstimate",
    "ToolCallDelta",
    "ToolCallEnd",
    "ToolCallStart",
    "ToolResultBlock",
    "ToolSpec",
    "ToolUseBlock",
    "TurnEnd",
    "estimate_input_tokens",
    "estimate_text_tokens",
    "parse_tool_input",
    "request_chars",
    "request_texts",
]

OFFLINE_MODEL = "offline"
"""The model name of the offline model's sessions: its usage is an estimate, never billed."""

INVALID_JSON_KEY = "INVALID_JSON"
"""A tool call whose input was not a JSON object is answered with an error ``tool_result`` that quotes
it as ``{"INVALID_JSON": "<the raw input>"}``, as Anthropic's fine-grained tool streaming page
recommends (https://platform.claude.com/docs/en/agents-and-tools/tool-use/fine-grained-tool-streaming);
its ``tool_use`` block goes back with the ``{}`` placeholder the API itself starts a tool_use with."""


def parse_tool_input(raw: str) -> dict[str, Any] | None:
    """A tool call's complete input JSON as an object, or None when it is not one (a model may send
    invalid or cut-off JSON when tool input streams eagerly)."""
    try:
        parsed = json.loads(raw or "{}")
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


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


class ImageBlock(msgspec.Struct, frozen=True, kw_only=True, tag="image"):
    """A picture the person sent with the prompt (a reference image): PNG, JPEG, GIF or WebP bytes."""

    media_type: str
    data: bytes


class OpaqueBlock(msgspec.Struct, frozen=True, kw_only=True, tag="opaque"):
    """A block of the provider's own, kept exactly as it came (``data`` is its whole JSON object)."""

    provider: str
    data: dict[str, Any]


ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock | OpaqueBlock | ImageBlock


class Message(msgspec.Struct, frozen=True, kw_only=True):
    role: Literal["user", "assistant"]
    content: tuple[ContentBlock, ...]


class ToolSpec(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    description: str
    input_schema: dict[str, Any]
    streams_content: bool = False  # its input carries file content the user watches as it is written


class ModelRequest(msgspec.Struct, frozen=True, kw_only=True):
    system: tuple[TextBlock, ...]
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...]
    max_tokens: int | None = None  # None: the adapter's configured limit


class TextDelta(msgspec.Struct, frozen=True):
    """More of the model's prose."""

    text: str


class ThinkingDelta(msgspec.Struct, frozen=True):
    """More of what the model shows of its thinking (a summary, or its notes between tool calls)."""

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


class CallRetry(msgspec.Struct, frozen=True):
    """The model call failed and is being made again: forget the answer so far. What the failed call
    billed stays billed. Sent for every failed try, also one that failed before anything arrived, so
    a circuit breaker around the model sees each failure. ``outage``: the failure says the service is
    down or failing (5xx, overloaded, unreachable), not that we are rate limited."""

    reason: str
    outage: bool = True


class Billed(msgspec.Struct, frozen=True):
    """What the current call has billed so far, as a running total for this call (it only grows).
    A model sends one as soon as the provider tells it (Claude: at the start of the answer for the
    input, at its end for the output)."""

    usage: Usage


class TurnEnd(msgspec.Struct, frozen=True):
    """The end of a call. ``usage`` is the call's final total (it replaces any ``Billed`` of the
    call); ``message`` is the assistant turn exactly as the provider returned it, to be sent back
    unchanged (None: the model has no blocks of its own, and the turn is rebuilt from the chunks)."""

    stop_reason: str  # end_turn, tool_use, max_tokens, refusal, pause_turn, ...
    usage: Usage = Usage()
    message: Message | None = None


class TokenEstimate(msgspec.Struct, frozen=True, kw_only=True):
    """The input tokens a request would be billed for: counted by the provider (``exact``), or
    estimated by ``estimate_input_tokens``."""

    input_tokens: int
    exact: bool


def request_texts(request: ModelRequest) -> list[str]:
    """Everything ``request`` sends the model, as text: the system prompt, the tools (name,
    description, JSON schema), and every message's text, tool inputs and tool results."""
    texts = [block.text for block in request.system]
    texts += [f"{t.name} {t.description} {json.dumps(t.input_schema)}" for t in request.tools]
    for message in request.messages:
        for block in message.content:
            if isinstance(block, TextBlock):
                texts.append(block.text)
            elif isinstance(block, ToolUseBlock):
                texts.append(f"{block.name} {json.dumps(block.input, ensure_ascii=False)}")
            elif isinstance(block, ToolResultBlock):
                texts.append(block.content)
    return texts


def request_chars(request: ModelRequest) -> int:
    """The characters of everything ``request`` sends the model (see ``request_texts``)."""
    return sum(len(text) for text in request_texts(request))


_WORD = re.compile(r"[A-Za-z]+")
_DIGITS = re.compile(r"\d+")
_SYMBOL = re.compile(r"[^\sA-Za-z\d\x80-\U0010ffff]")
_NON_ASCII = re.compile(r"[\x80-\U0010ffff]")
_LINE_BREAK = re.compile(r"\n")


def estimate_text_tokens(text: str) -> float:
    """A tokenizer-free estimate of the tokens of ``text``: 1.1 a word, 0.35 more for each letter of
    a word past the seventh, 2 for each group of three digits, 0.25 a symbol, 0.8 a non-ASCII
    character and 2 a line break. The weights are fitted to OpenAI's o200k_base tokenizer on vibe's
    own system prompt, tools, prompts and the offline model's sites (HTML, CSS, JavaScript, prose);
    there the estimate of a whole request comes within 10 % of the count. A mere "four characters a
    token" (https://platform.openai.com/tokenizer) undercounts HTML and CSS by a fifth."""
    words = _WORD.findall(text)
    return (
        1.1 * len(words)
        + 0.35 * sum(len(word) - 7 for word in words if len(word) > 7)
        + 2.0 * sum((len(run) + 2) // 3 for run in _DIGITS.findall(text))
        + 0.25 * len(_SYMBOL.findall(text))
        + 0.8 * len(_NON_ASCII.findall(text))
        + 2.0 * len(_LINE_BREAK.findall(text))
    )


def estimate_input_tokens(request: ModelRequest) -> int:
    """The documented estimate of a request's input tokens, for providers that offer no way to count
    them: ``estimate_text_tokens`` of everything it sends, plus the framing that chat templates add:
    4 tokens a message, and 24 a tool (templates such as Qwen's and Llama's write each tool into the
    prompt as its whole JSON definition, ``{"type": "function", "function": {...}}``)."""
    framing = 4 * len(request.messages) + 24 * len(request.tools) + 4
    return round(sum(estimate_text_tokens(text) for text in request_texts(request))) + framing


ModelChunk = (
    TextDelta | ThinkingDelta | ToolCallStart | ToolCallDelta | ToolCallEnd | CallRetry | Billed | TurnEnd
)
