"""Any OpenAI-compatible Chat Completions endpoint (OpenAI, OpenRouter, vLLM, Ollama, LM Studio,
llama.cpp's server) through the official ``openai`` async client, streaming, with retries.

The request (https://platform.openai.com/docs/api-reference/chat/create): the system prompt as a
``system`` message; each assistant turn with its text and ``tool_calls`` (arguments as the JSON
string the model streamed, or ``{}`` where that was not a JSON object: the tool result then says so,
quoting it); each tool result as a ``tool`` message answering its call, a refusal marked "Error:";
the tools as functions; ``stream_options.include_usage`` for the usage. The output limit goes as
``max_completion_tokens`` to OpenAI itself, which refuses ``max_tokens`` on its reasoning models, and
as ``max_tokens`` elsewhere, where it is what every compatible server reads. ``reasoning_effort``
(``VIBE_EFFORT``) goes only to models that reason (``gpt-5``, ``o1``/``o3``/``o4``, ``gpt-oss``):
others refuse it. Provider blocks of another adapter (Claude's thinking) are not sent.

A model that does not take tools at all (Ollama answers 400 "does not support tools") is asked again
without them, and told to write each file as a fenced code block that names it; the agent takes
such blocks as files (see ``application.fences``).

Retries: the SDK's own are off (``max_retries=0``); 429 (but not ``insufficient_quota``), 408, 409,
5xx, connection failures, an error object sent mid-stream, and a stream that ends without a
``finish_reason`` are tried again with exponential backoff and jitter, honouring ``retry-after``
(https://platform.openai.com/docs/guides/error-codes). A retry after chunks went out is announced
with ``CallRetry``; what the failed call billed was already reported and stays billed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import msgspec
import openai

from vibe.adapters.backoff import Backoff
from vibe.adapters.openai_turn import ChunkReader
from vibe.domain.errors import UpstreamError
from vibe.domain.model import (
    CallRetry,
    ImageBlock,
    Message,
    ModelChunk,
    ModelRequest,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
    estimate_input_tokens,
)
from vibe.domain.ports import DEFAULT_OUTPUT_LIMIT, ModelClient

__all__ = ["OpenAICompatModel", "OpenAIOptions", "chat_params", "output_limit_of"]

log = logging.getLogger("vibe.openai")
_REASONING = re.compile(r"^(?:.*/)?(?:gpt-5|o[134](?:-|$)|gpt-oss)")
_NO_TOOLS = re.compile(
    r"does not support tools|tools? (?:are|is) not supported|tool use is not supported", re.I
)
_TOO_LONG = re.compile(
    r"context length|context window|maximum context|too many tokens|prompt is too long", re.I
)
_LIMITS = (("gpt-5", 128_000), ("o1", 100_000), ("o3", 100_000), ("o4", 100_000), ("gpt-4.1", 32_768))
NO_TOOLS_NOTE = (
    "Tools are not available in this conversation. Write each file in full as a fenced code block "
    "whose info string names it, for example ```html index.html or ```css style.css, one block per file."
)


class OpenAIOptions(msgspec.Struct, frozen=True, kw_only=True):
    max_output_tokens: int | None = None  # None: what vibe knows of the model, else CONTRACT §5's floor
    effort: str = "medium"
    openai_hosted: bool = True  # api.openai.com: max_completion_tokens instead of max_tokens


def output_limit_of(model: str) -> int:
    """The output limit vibe sends a model by default: OpenAI's documented maximum where it knows it,
    else 32,000. A smaller local model may refuse that: set VIBE_MAX_OUTPUT_TOKENS."""
    name = model.rsplit("/", 1)[-1]
    if name.startswith("gpt-4o"):
        return 16_384
    return next((limit for prefix, limit in _LIMITS if name.startswith(prefix)), DEFAULT_OUTPUT_LIMIT)


def hosted_by_openai(base_url: str | None) -> bool:
    return base_url is None or (urlsplit(base_url).hostname or "").endswith("api.openai.com")


class OpenAICompatModel(ModelClient):
    def __init__(
        self,
        client: openai.AsyncOpenAI,
        model: str,
        options: OpenAIOptions | None = None,
        *,
        max_tries: int = 4,
        base_delay: float = 1.0,
        max_delay: float = 20.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._client = client
        self._model = model
        self._options = options or OpenAIOptions()
        self._tools = True  # False once the server said the model takes none
        self._backoff = Backoff(
            max_tries=max_tries, base_delay=base_delay, max_delay=max_delay, sleep=sleep, jitter=jitter
        )

    @property
    def name(self) -> str:
        return self._model

    @property
    def max_output_tokens(self) -> int:
        return self._options.max_output_tokens or output_limit_of(self._model)

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        estimate = estimate_input_tokens(request)
        attempt = 1
        while True:
            reader = ChunkReader()
            params = chat_params(request, self._model, self._options, self.max_output_tokens, self._tools)
            try:
                async for chunk in self._once(params, reader, estimate):
                    yield chunk
                return
            except (openai.APIError, _Cut) as error:
                retriable, wait, reason, code = _classify(error)
                if code == "no_tools" and self._tools:
                    self._tools = False  # ask again, at once, without tools
                    log.warning("model %s takes no tools; asking for fenced files instead", self._model)
                    continue
                if not retriable:
                    raise UpstreamError(reason, code=code) from error
                # every failed try is announced (a 429 is no outage), so a circuit breaker sees it
                outage = not (isinstance(error, openai.APIStatusError) and error.status_code == 429)
                if attempt == self._backoff.max_tries:
                    raise UpstreamError(
                        self._backoff.gave_up(reason), code="model_unavailable", outage=outage
                    ) from error
                yield CallRetry(reason, outage=outage)
                await self._backoff.wait(attempt, wait)
                attempt += 1

    async def _once(
        self, params: dict[str, Any], reader: ChunkReader, estimate: int
    ) -> AsyncIterator[ModelChunk]:
        stream = await self._client.chat.completions.create(**params)
        async with stream:  # closes the HTTP response however the iteration ends
            async for chunk in stream:
                for piece in reader.read(chunk):
                    yield piece
        if not reader.ended:
            raise _Cut("The model service's answer stopped before it was complete.")
        for piece in reader.end(estimate):
            yield piece


class _Cut(Exception):
    """The stream ended without a finish_reason: the answer was cut off in transit."""


def _classify(error: Exception) -> tuple[bool, float | None, str, str]:
    """(retry it?, seconds the server asked us to wait, a sentence for the user, the error code)."""
    if isinstance(error, _Cut | openai.APIConnectionError):  # includes timeouts
        return True, None, "The model service could not be reached.", "model_unavailable"
    message = str(getattr(error, "message", error))
    if not isinstance(error, openai.APIStatusError):  # an error object sent in the stream
        kind = _error_field(getattr(error, "body", None), "type") or _error_field(
            getattr(error, "body", None), "code"
        )
        if kind in (None, "server_error", "rate_limit_exceeded", "overloaded_error", "api_error"):
            return True, None, "The model service had an error.", "model_unavailable"
        return False, None, f"The model service failed: {message}", "model_error"
    status = error.status_code
    code = _error_field(error.body, "code")
    wait = _retry_after(error)
    if status == 429 and code != "insufficient_quota":
        return True, wait, "The model service is rate limiting us.", "model_unavailable"
    if status >= 500 or status in (408, 409):
        return True, wait, "The model service had an error.", "model_unavailable"
    if status in (401, 403):
        return False, None, "The model service rejected the API key (OPENAI_API_KEY).", "model_error"
    if status == 400 and _NO_TOOLS.search(message):
        return False, None, "The model takes no tools.", "no_tools"
    if code == "context_length_exceeded" or (status in (400, 413) and _TOO_LONG.search(message)):
        reason = (
            "The conversation is too large for the model (or VIBE_MAX_OUTPUT_TOKENS is above what it allows)."
        )
        return False, None, reason, "context_window_exceeded"
    if status == 404:
        return False, None, f"The model service does not know this model: {message}", "model_error"
    return False, None, f"The model service refused the request ({status}): {message}", "model_error"


def _error_field(body: object, name: str) -> str | None:
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get(name), str):
            return str(inner[name])
    return None


def _retry_after(error: openai.APIStatusError) -> float | None:
    raw = error.response.headers.get("retry-after") if error.response is not None else None
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def chat_params(
    request: ModelRequest, model: str, options: OpenAIOptions, max_output: int, tools: bool = True
) -> dict[str, Any]:
    """The Chat Completions parameters of ``request``."""
    system = "\n\n".join(block.text for block in request.system)
    if not tools:
        system = f"{system}\n\n{NO_TOOLS_NOTE}" if system else NO_TOOLS_NOTE
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    for message in request.messages:
        messages += _assistant(message) if message.role == "assistant" else _user(message)
    params: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
        ("max_completion_tokens" if options.openai_hosted else "max_tokens"): request.max_tokens
        or max_output,
    }
    if tools and request.tools:
        params["tools"] = [
            {
                "type": "function",
                "function": {"name": t.name, "description": t.description, "parameters": t.input_schema},
            }
            for t in request.tools
        ]
    if _REASONING.match(model):
        params["reasoning_effort"] = options.effort
    return params


def _assistant(message: Message) -> list[dict[str, Any]]:
    text = "".join(block.text for block in message.content if isinstance(block, TextBlock))
    calls = [
        {
            "id": block.id,
            "type": "function",
            "function": {"name": block.name, "arguments": json.dumps(block.input, ensure_ascii=False)},
        }
        for block in message.content
        if isinstance(block, ToolUseBlock)
    ]
    turn: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        turn["tool_calls"] = calls
    elif not text:
        turn["content"] = ""
    return [turn]


def _user(message: Message) -> list[dict[str, Any]]:
    """Tool results as ``tool`` messages (they must follow their calls), then the text as one ``user``
    message."""
    turns: list[dict[str, Any]] = [
        {
            "role": "tool",
            "tool_call_id": block.tool_use_id,
            "content": f"Error: {block.content}" if block.is_error else block.content,
        }
        for block in message.content
        if isinstance(block, ToolResultBlock)
    ]
    text = "\n\n".join(block.text for block in message.content if isinstance(block, TextBlock))
    images = [block for block in message.content if isinstance(block, ImageBlock)]
    if images:  # image parts first, then the text (only sent to a model that accepts images)
        parts: list[dict[str, Any]] = [
            {"type": "image_url", "image_url": {"url": f"data:{i.media_type};base64,{_b64(i.data)}"}}
            for i in images
        ]
        turns.append({"role": "user", "content": [*parts, {"type": "text", "text": text or "."}]})
    elif text:
        turns.append({"role": "user", "content": text})
    return turns


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
