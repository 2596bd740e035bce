"""The Claude Messages API through the official ``anthropic`` async client, streaming, with retries.

The adapter owns the retry policy: the SDK retries only before a stream starts and knows nothing of a
mid-stream ``error`` event, so its own retries are switched off (``max_retries=0``) and every try is
counted here. 429, 529, 5xx, connection failures and mid-stream ``overloaded_error``/``api_error`` are
retried with exponential backoff and jitter, honouring ``retry-after``, at most ``max_tries`` times.
A retry after chunks went out is announced with ``Restart`` so the agent can replay without repeats.

Prompt caching: the tool definitions and the system prompt carry ``cache_control``, and so do the first
and the last message blocks the agent marked (the project's files, and the latest tool results): four
breakpoints, the API's maximum.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anthropic
from anthropic.types import (
    RawContentBlockDeltaEvent,
    RawContentBlockStartEvent,
    RawContentBlockStopEvent,
    RawMessageDeltaEvent,
    RawMessageStartEvent,
)

from vibe.domain.errors import UpstreamError
from vibe.domain.model import (
    ContentBlock,
    ModelChunk,
    ModelRequest,
    Restart,
    TextBlock,
    TextDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResultBlock,
    TurnEnd,
    TurnUsage,
)
from vibe.domain.ports import ModelClient

__all__ = ["ClaudeModel", "request_params"]

_EPHEMERAL = {"type": "ephemeral"}
_RETRIABLE_TYPES = frozenset({"overloaded_error", "api_error", "rate_limit_error", "timeout_error"})
_RETRIABLE_STATUS = frozenset({408, 409, 429})
MAX_RETRY_AFTER = 60.0


class ClaudeModel(ModelClient):
    def __init__(
        self,
        client: anthropic.AsyncAnthropic,
        model: str,
        *,
        max_tries: int = 4,
        base_delay: float = 1.0,
        max_delay: float = 20.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._client = client
        self._model = model
        self._max_tries = max_tries
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._sleep = sleep
        self._jitter = jitter

    @property
    def name(self) -> str:
        return self._model

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]:
        params = request_params(request, self._model)
        for attempt in range(1, self._max_tries + 1):
            sent = False
            try:
                async for chunk in self._once(params):
                    sent = True
                    yield chunk
                return
            except anthropic.APIError as error:
                retriable, wait, reason = _classify(error)
                if not retriable:
                    raise UpstreamError(reason, code="model_refused") from error
                if attempt == self._max_tries:
                    raise UpstreamError(
                        f"{reason} It failed {self._max_tries} times; please try again later.",
                        code="model_unavailable",
                    ) from error
                if sent:
                    yield Restart(reason)
                await self._sleep(self._delay(attempt, wait))

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        backoff: float = min(self._max_delay, self._base_delay * 2.0 ** (attempt - 1)) * (
            0.5 + self._jitter()
        )
        return max(backoff, min(retry_after, MAX_RETRY_AFTER)) if retry_after is not None else backoff

    async def _once(self, params: dict[str, Any]) -> AsyncIterator[ModelChunk]:
        usage: dict[str, int] = {}
        stop_reason = "end_turn"
        tool_blocks: set[int] = set()
        async with self._client.messages.stream(**params) as stream:
            async for event in stream:
                if isinstance(event, RawMessageStartEvent):
                    usage.update(_counts(event.message.usage))
                elif isinstance(event, RawContentBlockStartEvent) and event.content_block.type == "tool_use":
                    tool_blocks.add(event.index)
                    yield ToolCallStart(event.index, event.content_block.id, event.content_block.name)
                elif isinstance(event, RawContentBlockDeltaEvent):
                    if event.delta.type == "text_delta":
                        yield TextDelta(event.delta.text)
                    elif event.delta.type == "input_json_delta":
                        yield ToolCallDelta(event.index, event.delta.partial_json)
                elif isinstance(event, RawContentBlockStopEvent) and event.index in tool_blocks:
                    yield ToolCallEnd(event.index)
                elif isinstance(event, RawMessageDeltaEvent):
                    stop_reason = event.delta.stop_reason or stop_reason
                    usage.update({k: v for k, v in _counts(event.usage).items() if v})
        yield TurnEnd(stop_reason, TurnUsage(**usage))


def _counts(usage: Any) -> dict[str, int]:
    names = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    return {name: int(getattr(usage, name, 0) or 0) for name in names}


def _classify(error: anthropic.APIError) -> tuple[bool, float | None, str]:
    """(retry it?, seconds the server asked us to wait, a sentence for the user)."""
    if isinstance(error, anthropic.APIConnectionError):  # includes timeouts
        return True, None, "The model service could not be reached."
    if not isinstance(error, anthropic.APIStatusError):
        return False, None, f"The model service failed: {error.message}"
    status = error.status_code
    kind = _error_type(error)
    wait = _retry_after(error)
    if status == 429 or kind == "rate_limit_error":
        return True, wait, "The model service is rate limiting us."
    if status == 529 or kind == "overloaded_error":
        return True, wait, "The model service is overloaded."
    if status >= 500 or status in _RETRIABLE_STATUS or (status == 200 and kind in _RETRIABLE_TYPES):
        return True, wait, "The model service had an error."
    if status == 401:
        return False, None, "The model service rejected the API key (ANTHROPIC_API_KEY)."
    return False, None, f"The model service refused the request ({status}): {error.message}"


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


def request_params(request: ModelRequest, model: str) -> dict[str, Any]:
    """The Messages API parameters of ``request``, with the cache breakpoints placed."""
    system: list[dict[str, Any]] = [{"type": "text", "text": block.text} for block in request.system]
    if any(block.cache for block in request.system):
        system[-1]["cache_control"] = _EPHEMERAL
    tools: list[dict[str, Any]] = [
        {"name": tool.name, "description": tool.description, "input_schema": tool.input_schema}
        for tool in request.tools
    ]
    if tools and request.cache_tools:
        tools[-1]["cache_control"] = _EPHEMERAL
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
    for m, b in dict.fromkeys(marked[:1] + marked[-1:]):
        messages[m]["content"][b]["cache_control"] = _EPHEMERAL
    params: dict[str, Any] = {"model": model, "max_tokens": request.max_tokens, "messages": messages}
    if system:
        params["system"] = system
    if tools:
        params["tools"] = tools
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
    return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
