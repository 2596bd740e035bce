"""The Claude Messages API through the official ``anthropic`` async client, streaming, with retries.

It reads the raw event stream (``messages.create(stream=True)``) rather than the SDK's
``messages.stream()`` helper, which re-parses the whole tool input on every delta (quadratic in the
input) and raises a plain ValueError on the malformed JSON that eager tool streaming may send
(https://platform.claude.com/docs/en/agents-and-tools/tool-use/fine-grained-tool-streaming). Tool
input goes to the agent as it arrives; the agent decodes it with its own linear parser.

What goes back into the conversation is each assistant turn exactly as the API returned it:
``thinking`` and ``redacted_thinking`` blocks with their signatures (as opaque blocks), text and
tool_use, in order. On current models these blocks are bound to the model and to the conversation
before them, and a turn sent back with one changed or missing fails
(https://platform.claude.com/docs/en/build-with-claude/preserved-thinking).

The request shape (``request_params``) is chosen on purpose for current models
(https://platform.claude.com/docs/en/models/sonnet-5-5/migration-guide): adaptive thinking with
``display: "summarized"`` (or ``between_tools``), so the notes the model writes between tool calls,
which come back inside thinking blocks, reach the user; ``output_config.effort``; ``max_tokens`` from
``VIBE_MAX_OUTPUT_TOKENS``; ``eager_input_streaming`` on the tools that carry file content; never
``thinking.type: disabled`` or a budget, a forced ``tool_choice``, sampling parameters or an
assistant prefill, which these models reject.

Prompt caching (https://platform.claude.com/docs/en/build-with-claude/prompt-caching): the system
prompt (after the tools, so it caches both) and the first message block the agent marked (the
project's files) carry 1-hour breakpoints: every generation reads the first, and the next follow-up
the second. The last marked block (the latest tool results) carries a 5-minute one, for the next
call of the same generation. 1-hour breakpoints come first, as the API requires.

The adapter owns the retry policy: the SDK retries only before a stream starts and knows nothing of a
mid-stream ``error`` event, so its own retries are switched off (``max_retries=0``) and every try is
counted here. 429, 529, 5xx, connection failures and mid-stream ``overloaded_error``/``api_error`` are
retried with exponential backoff and jitter, honouring ``retry-after``, at most ``max_tries`` times.
Every retry is announced with ``CallRetry`` (marked ``outage`` unless it was a 429), so a circuit
breaker around the adapter counts each failed try; what the failed call billed was already reported
and stays billed.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anthropic
import msgspec

from vibe.adapters.backoff import Backoff
from vibe.adapters.claude_models import ModelTraits, traits_of
from vibe.adapters.claude_turn import TurnReader
from vibe.domain.errors import UpstreamError
from vibe.domain.model import (
    CallRetry,
    ContentBlock,
    ImageBlock,
    ModelChunk,
    ModelRequest,
    OpaqueBlock,
    TextBlock,
    TokenEstimate,
    ToolResultBlock,
    ToolUseBlock,
    estimate_input_tokens,
)
from vibe.domain.ports import ModelClient

__all__ = ["PROVIDER", "ClaudeModel", "ClaudeOptions", "request_params"]

PROVIDER = "anthropic"
_ONE_HOUR = {"type": "ephemeral", "ttl": "1h"}
_FIVE_MINUTES = {"type": "ephemeral"}
_RETRIABLE_TYPES = frozenset({"overloaded_error", "api_error", "rate_limit_error", "timeout_error"})
_RETRIABLE_STATUS = frozenset({408, 409, 429})
# What count_tokens takes of a request (it has no max_tokens and does not stream).
_COUNTED = frozenset({"model", "messages", "system", "tools", "thinking", "tool_choice", "output_config"})
log = logging.getLogger("vibe.claude")


class ClaudeOptions(msgspec.Struct, frozen=True, kw_only=True):
    """What every call sends besides the conversation (CONTRACT §5, README "Configuration")."""

    max_output_tokens: int | None = None  # None: what the model allows for one streamed turn
    effort: str = "medium"
    thinking: str = "adaptive"  # or "between_tools"


class ClaudeModel(ModelClient):
    def __init__(
        self,
        client: anthropic.AsyncAnthropic,
        model: str,
        options: ClaudeOptions | None = None,
        *,
        max_tries: int = 4,
        base_delay: float = 1.0,
        max_delay: float = 20.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._client = client
        self._model = model
        self._options = options or ClaudeOptions()
        self._traits = traits_of(model)
        self._backoff = Backoff(
            max_tries=max_tries, base_delay=base_delay, max_delay=max_delay, sleep=sleep, jitter=jitter
        )

    @property
    def name(self) -> str:
        return self._model

    @property
    def max_output_tokens(self) -> int:
        return self._options.max_output_tokens or self._traits.max_output_tokens

    async def count_input(self, request: ModelRequest) -> TokenEstimate:
        """The API's own count of the request (``POST /v1/messages/count_tokens``, free of charge,
        https://platform.claude.com/docs/en/build-with-claude/token-counting), made of the very
        parameters ``stream`` would send; when the count fails, vibe's documented estimate."""
        params = request_params(request, self._model, self._options, self._traits)
        counted = {name: value for name, value in params.items() if name in _COUNTED}
        try:
            result = await self._client.messages.count_tokens(**counted)
        except anthropic.APIError as error:
            log.warning("count_tokens failed (%s); giving vibe's estimate instead", error)
            return TokenEstimate(input_tokens=estimate_input_tokens(request), exact=False)
        return TokenEstimate(input_tokens=int(result.input_tokens), exact=True)

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        params = request_params(request, self._model, self._options, self._traits)
        for attempt in range(1, self._backoff.max_tries + 1):
            reader = TurnReader(PROVIDER)
            try:
                async for chunk in self._once(params, reader):
                    yield chunk
                return
            except anthropic.APIError as error:
                retriable, wait, reason, code = _classify(error)
                outage = retriable and not _rate_limited(error)
                if not retriable:
                    raise UpstreamError(reason, code=code) from error
                if attempt == self._backoff.max_tries:
                    raise UpstreamError(
                        self._backoff.gave_up(reason), code="model_unavailable", outage=outage
                    ) from error
                yield CallRetry(reason, outage=outage)
                await self._backoff.wait(attempt, wait)

    async def _once(self, params: dict[str, Any], reader: TurnReader) -> AsyncIterator[ModelChunk]:
        stream = await self._client.messages.create(**params)
        async with stream:  # closes the HTTP response however the iteration ends
            async for event in stream:
                for chunk in reader.read(event):
                    yield chunk
        yield reader.end()


def _classify(error: anthropic.APIError) -> tuple[bool, float | None, str, str]:
    """(retry it?, seconds the server asked us to wait, a sentence for the user, the error code)."""
    if isinstance(error, anthropic.APIConnectionError):  # includes timeouts
        return True, None, "The model service could not be reached.", "model_unavailable"
    if not isinstance(error, anthropic.APIStatusError):
        return False, None, f"The model service failed: {error.message}", "model_error"
    status = error.status_code
    kind = _error_type(error)
    wait = _retry_after(error)
    if status == 429 or kind == "rate_limit_error":
        return True, wait, "The model service is rate limiting us.", "model_unavailable"
    if status == 529 or kind == "overloaded_error":
        return True, wait, "The model service is overloaded.", "model_unavailable"
    if status >= 500 or status in _RETRIABLE_STATUS or (status == 200 and kind in _RETRIABLE_TYPES):
        return True, wait, "The model service had an error.", "model_unavailable"
    if status == 401:
        return False, None, "The model service rejected the API key (ANTHROPIC_API_KEY).", "model_error"
    if status == 413 or "prompt is too long" in str(error.message).lower():
        message = "The conversation is too large for the model; try a smaller change."
        return False, None, message, "context_window_exceeded"
    return False, None, f"The model service refused the request ({status}): {error.message}", "model_error"


def _rate_limited(error: anthropic.APIError) -> bool:
    """A 429: the service is up and says we ask too much (not an outage for the circuit breaker)."""
    if not isinstance(error, anthropic.APIStatusError):
        return False
    return error.status_code == 429 or _error_type(error) == "rate_limit_error"


def _error_type(error: anthropic.APIStatusError) -> str | None:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("type"), str):
            return str(inner["type"])
    return getattr(error, "type", None)


def _retry_after(error: anthropic.APIStatusError) -> float | None:
    raw = error.response.headers.get("retry-after") if error.response is not None else None
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


def request_params(
    request: ModelRequest, model: str, options: ClaudeOptions, traits: ModelTraits | None = None
) -> dict[str, Any]:
    """The Messages API parameters of ``request``: the model's shape, and the cache breakpoints."""
    traits = traits or traits_of(model)
    system: list[dict[str, Any]] = [{"type": "text", "text": block.text} for block in request.system]
    if system and any(block.cache for block in request.system):
        system[-1]["cache_control"] = _ONE_HOUR
    tools: list[dict[str, Any]] = []
    for tool in request.tools:
        spec: dict[str, Any] = {
            "name": tool.name,
            "description": tool.description,
            "input_schema": tool.input_schema,
        }
        if tool.streams_content:
            spec["eager_input_streaming"] = True
        tools.append(spec)
    messages: list[dict[str, Any]] = [
        {"role": message.role, "content": [_block(block) for block in message.content]}
        for message in request.messages
    ]
    marked = [
        (m, b)
        for m, message in enumerate(request.messages)
        for b, block in enumerate(message.content)
        if isinstance(block, (TextBlock, ToolResultBlock)) and block.cache
    ]
    if marked:
        first, last = marked[0], marked[-1]
        messages[first[0]]["content"][first[1]]["cache_control"] = _ONE_HOUR
        if last != first:
            messages[last[0]]["content"][last[1]]["cache_control"] = _FIVE_MINUTES
    params: dict[str, Any] = {
        "model": model,
        "max_tokens": request.max_tokens or options.max_output_tokens or traits.max_output_tokens,
        "messages": messages,
        "stream": True,
    }
    if system:
        params["system"] = system
    if tools:
        params["tools"] = tools
    if traits.adaptive_thinking:
        if options.thinking == "between_tools" and traits.between_tools:
            params["thinking"] = {"type": "between_tools"}
        else:
            params["thinking"] = {"type": "adaptive", "display": "summarized"}
        params["output_config"] = {"effort": options.effort}
    return params


def _block(block: ContentBlock) -> dict[str, Any]:
    if isinstance(block, TextBlock):
        return {"type": "text", "text": block.text}
    if isinstance(block, ToolResultBlock):
        return {
            "type": "tool_result",
            "tool_use_id": block.tool_use_id,
            "content": block.content,
            "is_error": block.is_error,
        }
    if isinstance(block, OpaqueBlock):
        return dict(block.data)  # exactly as the API returned it
    if isinstance(block, ImageBlock):
        # A base64 image source (https://docs.claude.com/en/docs/vision): the caller has checked its
        # type, size and dimensions against the API's limits (domain.reference_images).
        data = base64.b64encode(block.data).decode("ascii")
        return {"type": "image", "source": {"type": "base64", "media_type": block.media_type, "data": data}}
    assert isinstance(block, ToolUseBlock)
    return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
