"""A stand-in for the Claude Messages API on loopback, as strict as the real one, answering from a script."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from types import TracebackType
from typing import Any, Self

import msgspec

from vibe.adapters.system import SystemClock
from vibe.domain.ports import Clock
from vibe.testing.loopback import LoopbackServer
from vibe.testing.messages_cache import Position, PromptCache, check_breakpoints, positions
from vibe.testing.messages_errors import ApiError, error_object
from vibe.testing.messages_generation import Timed, Turn, fold, generate
from vibe.testing.messages_images import check_images
from vibe.testing.messages_models import CURRENT_MODEL, ModelSpec, model_spec
from vibe.testing.messages_rules import RequestSettings, check_request
from vibe.testing.messages_script import (
    RedactedThinkingBlock,
    Reply,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)
from vibe.testing.messages_shape import check_conversation
from vibe.testing.messages_thinking import ThinkingRegistry, prefixes
from vibe.testing.messages_tokens import Meter, compact

__all__ = [
    "CURRENT_MODEL",
    "ApiError",
    "MessagesServer",
    "ModelSpec",
    "RecordedRequest",
    "RedactedThinkingBlock",
    "Reply",
    "TextBlock",
    "ThinkingBlock",
    "ToolUseBlock",
    "Usage",
    "model_spec",
]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
MESSAGES, COUNT_TOKENS = "/v1/messages", "/v1/messages/count_tokens"


class RecordedRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One request as the server saw it; ``body`` is the parsed JSON object ({} if it was not one).
    ``events`` fills with the SSE events of a streamed answer as they are sent."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    events: list[tuple[str, dict[str, Any]]] = msgspec.field(default_factory=list)


class _Prepared(msgspec.Struct, frozen=True, kw_only=True):
    settings: RequestSettings
    found: list[Position]
    prefix: str


class MessagesServer:
    """Serves ``POST /v1/messages`` and ``POST /v1/messages/count_tokens`` on ``127.0.0.1``.

    A request is first checked as the real API checks it (headers, fields, per-model rules, the
    conversation's shape, cache breakpoints, images, returned thinking blocks) and refused with the
    API's error; a valid one gets the next Reply of the script, in order. Every request is recorded in
    ``requests``. When the script runs out the answer is a 500 ``api_error`` saying so.
    ``disconnects`` counts clients that hung up while the server waited on them. A reply with
    ``pause_after`` stops after that many output characters: ``paused`` is set, and the stream goes on
    once the test sets ``resume`` (both are cleared then). ``clock`` drives the prompt cache's TTLs.
    """

    def __init__(self, replies: Iterable[Reply] = (), *, clock: Clock | None = None) -> None:
        self.requests: list[RecordedRequest] = []
        self.disconnects = 0
        self.paused = asyncio.Event()
        self.resume = asyncio.Event()
        self.thinking = ThinkingRegistry()
        chosen = clock or SystemClock()
        self.cache = PromptCache(lambda: chosen.now().timestamp())
        self._script = deque(replies)
        self._closing = asyncio.Event()
        self._server: LoopbackServer | None = None

    @property
    def url(self) -> str:
        """The base URL to give ``anthropic.AsyncAnthropic(base_url=...)``."""
        if self._server is None:
            raise RuntimeError("MessagesServer is not running; use it as `async with`")
        return self._server.url

    @property
    def remaining(self) -> list[Reply]:
        """The replies not yet used, in the order they will be."""
        return list(self._script)

    def add(self, reply: Reply) -> None:
        """Append ``reply`` to the script."""
        self._script.append(reply)

    async def __aenter__(self) -> Self:
        self._server = LoopbackServer(self._app)
        await self._server.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()
        if self._server is not None:
            await self._server.__aexit__(exc_type, exc, tb)

    async def _app(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw = await _read_body(receive)
        body = _json_object(raw)
        method, path = scope["method"], scope["path"]
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
        }
        recorded = RecordedRequest(method=method, path=path, headers=headers, body=body or {})
        self.requests.append(recorded)
        exchange = _Exchange(len(self.requests), receive, send, recorded)
        if method != "POST" or path not in (MESSAGES, COUNT_TOKENS):
            await exchange.error(404, "not_found_error", f"{method} {path} is not served by MessagesServer")
        elif body is None:
            await exchange.error(400, "invalid_request_error", "The request body is not a JSON object")
        else:
            try:
                prepared = self._prepare(headers, body, count_only=path == COUNT_TOKENS)
            except ApiError as refused:
                await exchange.error(refused.status, refused.error_type, refused.message)
                return
            if path == COUNT_TOKENS:
                # https://platform.claude.com/docs/en/build-with-claude/token-counting: the same checks,
                # {"input_tokens": N}, nothing billed or cached; N is what a first call would bill.
                await exchange.json(200, {"input_tokens": sum(p.tokens for p in prepared.found)})
            elif not self._script:
                message = f"MessagesServer: no scripted reply is left for request {exchange.number}"
                await exchange.error(500, "api_error", message)
            else:
                await self._answer(self._script.popleft(), body, prepared, exchange)

    def _prepare(self, headers: dict[str, str], body: dict[str, Any], *, count_only: bool) -> _Prepared:
        settings = check_request(headers, body, count_only=count_only)
        check_conversation(body)
        check_breakpoints(body)
        check_images(body["messages"], settings.spec.max_images)
        model = settings.spec.id
        dropped = self.thinking.review(body, model, bound=settings.spec.current)
        meter = Meter(settings.spec.image_token_cap, lambda block: self.thinking.tokens(block, model))
        return _Prepared(settings=settings, found=positions(body, meter, dropped), prefix=prefixes(body)[-1])

    async def _answer(
        self, reply: Reply, body: dict[str, Any], prepared: _Prepared, exchange: _Exchange
    ) -> None:
        if reply.status != 200:
            extra = {} if reply.retry_after is None else {"retry-after": f"{reply.retry_after:g}"}
            await exchange.json(reply.status, reply.error_body(exchange.request_id), extra)
            return
        settings = prepared.settings
        context = compact([settings.thinking, settings.display, settings.effort, settings.tool_choice])
        bill = self.cache.bill(settings.spec.id, context, prepared.found, settings.spec.min_cacheable)
        model = reply.model or str(body["model"])
        turn = Turn(number=exchange.number, model=model, settings=settings, prefix=prepared.prefix, bill=bill)
        events = generate(reply, turn, self.thinking)
        if body.get("stream") is True:
            await self._stream(reply, events, exchange)
        elif reply.cut == "stall":
            if await self._wait(exchange, None) != "hangup":
                await exchange.error(500, "api_error", "MessagesServer closed during a stall")
        elif reply.cut == "error":
            await exchange.json(reply.error_status, reply.error_body(exchange.request_id))
        else:
            await exchange.json(200, fold(events))

    async def _stream(self, reply: Reply, events: list[Timed], exchange: _Exchange) -> None:
        await exchange.start_stream()
        paused = reply.pause_after is None
        for index, event in enumerate(events[: reply.cut_after] if reply.cut else events):
            if index and reply.delay and await self._wait(exchange, reply.delay) == "hangup":
                return
            if not paused and event.at > (reply.pause_after or 0):
                paused = True
                if await self._pause(exchange) == "hangup":
                    return
            await exchange.event(event.name, event.data)
        if reply.cut == "error":
            await exchange.event("error", reply.error_body())
        elif reply.cut == "stall" and await self._wait(exchange, None) == "hangup":
            return
        await exchange.end()

    async def _pause(self, exchange: _Exchange) -> str:
        """Wait for ``resume`` (or a hangup, or the server closing: see ``_wait``)."""
        self.paused.set()
        outcome = await self._wait(exchange, None, self.resume)
        self.paused.clear()
        self.resume.clear()
        return outcome

    async def _wait(
        self, exchange: _Exchange, timeout: float | None, event: asyncio.Event | None = None
    ) -> str:
        """Wait up to ``timeout`` for the client to hang up, the server to close or ``event``; say which
        ("hangup", "closing", "event" or "timeout")."""
        waits = {
            asyncio.ensure_future(exchange.hangup()): "hangup",
            asyncio.ensure_future(self._closing.wait()): "closing",
        }
        if event is not None:
            waits[asyncio.ensure_future(event.wait())] = "event"
        done, pending = await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        outcome = next((waits[task] for task in waits if task in done), "timeout")
        if outcome == "hangup":
            self.disconnects += 1
        return outcome


class _Exchange:
    """One request's response on the wire, written the way the Messages API writes it."""

    def __init__(self, number: int, receive: Receive, send: Send, recorded: RecordedRequest) -> None:
        self.number = number
        self.request_id = f"req_01{number:06d}"
        self._receive = receive
        self._send = send
        self._recorded = recorded

    async def json(self, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None) -> None:
        """A whole JSON response."""
        content = json.dumps(payload).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode()),
            (b"request-id", self.request_id.encode()),
            *((name.encode(), value.encode()) for name, value in (extra or {}).items()),
        ]
        await self._send({"type": "http.response.start", "status": status, "headers": headers})
        await self._send({"type": "http.response.body", "body": content, "more_body": False})

    async def error(self, status: int, error_type: str, message: str) -> None:
        """An HTTP error with the API's error body (https://platform.claude.com/docs/en/api/errors)."""
        await self.json(status, error_object(error_type, message, self.request_id))

    async def start_stream(self) -> None:
        """The 200 head of an SSE stream."""
        headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
            (b"request-id", self.request_id.encode()),
        ]
        await self._send({"type": "http.response.start", "status": 200, "headers": headers})

    async def event(self, name: str, data: dict[str, Any]) -> None:
        """One SSE frame: ``event: NAME``, then compact JSON ``data``, then a blank line."""
        self._recorded.events.append((name, data))
        frame = f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"
        await self._send({"type": "http.response.body", "body": frame.encode(), "more_body": True})

    async def end(self) -> None:
        """The end of the stream."""
        await self._send({"type": "http.response.body", "body": b"", "more_body": False})

    async def hangup(self) -> None:
        """Return once the client has disconnected (the request body is already read)."""
        while (await self._receive())["type"] != "http.disconnect":
            pass


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body"):
            return b"".join(chunks)


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
