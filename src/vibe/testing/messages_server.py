"""A stand-in for the Claude Messages API: real HTTP/1.1 on loopback, answering from a script of Replies."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from types import TracebackType
from typing import Any, Self

import msgspec

from vibe.testing.loopback import LoopbackServer
from vibe.testing.messages_script import Event, Reply, TextBlock, ToolUseBlock, Usage, error_object

__all__ = ["MessagesServer", "RecordedRequest", "Reply", "TextBlock", "ToolUseBlock", "Usage"]

_GRACE_SECONDS = 2.0

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class RecordedRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One request as the server saw it; ``body`` is the parsed JSON object ({} if it was not one)."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class MessagesServer:
    """Serves ``POST /v1/messages`` on ``127.0.0.1`` from a script, one Reply per request, in order.

    Every request is recorded in ``requests``, also those that fail. When the script runs out the
    answer is a 500 ``api_error`` saying so. ``disconnects`` counts clients that hung up while the
    server was waiting on them (a stall, or a ``delay`` between events).
    """

    def __init__(self, replies: Iterable[Reply] = ()) -> None:
        self.requests: list[RecordedRequest] = []
        self.disconnects = 0
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
        self.requests.append(RecordedRequest(method=method, path=path, headers=headers, body=body or {}))
        exchange = _Exchange(len(self.requests), receive, send)
        if (method, path) != ("POST", "/v1/messages"):
            await exchange.error(404, "not_found_error", f"{method} {path} is not served by MessagesServer")
        elif body is None:
            await exchange.error(400, "invalid_request_error", "The request body is not a JSON object")
        elif not self._script:
            message = f"MessagesServer: no scripted reply is left for request {exchange.number}"
            await exchange.error(500, "api_error", message)
        else:
            await self._answer(self._script.popleft(), body, len(raw), exchange)

    async def _answer(self, reply: Reply, body: dict[str, Any], size: int, exchange: _Exchange) -> None:
        model = body["model"] if isinstance(body.get("model"), str) else None
        if body.get("stream") is True and reply.status == 200:
            await self._stream(
                reply, reply.events(number=exchange.number, model=model, request_size=size), exchange
            )
        elif reply.cut == "stall":
            if not await self._wait_for_hangup(exchange, None):
                await exchange.error(500, "api_error", "MessagesServer closed during a stall")
        elif reply.error_status != 200:
            extra = {} if reply.retry_after is None else {"retry-after": f"{reply.retry_after:g}"}
            await exchange.json(reply.error_status, reply.error_body(), extra)
        else:
            await exchange.json(
                200, reply.message_body(number=exchange.number, model=model, request_size=size)
            )

    async def _stream(self, reply: Reply, events: list[Event], exchange: _Exchange) -> None:
        await exchange.start_stream()
        for index, (name, data) in enumerate(events[: reply.cut_after] if reply.cut else events):
            if index and reply.delay and await self._wait_for_hangup(exchange, reply.delay):
                return
            await exchange.event(name, data)
        if reply.cut == "error":
            await exchange.event("error", reply.error_body())
        elif reply.cut == "stall" and await self._wait_for_hangup(exchange, None):
            return
        await exchange.end()

    async def _wait_for_hangup(self, exchange: _Exchange, timeout: float | None) -> bool:
        """Wait up to ``timeout`` (cut short when the server closes); True if the client hung up."""
        hangup = asyncio.ensure_future(exchange.hangup())
        closing = asyncio.ensure_future(self._closing.wait())
        done, pending = await asyncio.wait(
            {hangup, closing}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if hangup in done:
            self.disconnects += 1
            return True
        return False


class _Exchange:
    """One request's response on the wire, written the way the Messages API writes it."""

    def __init__(self, number: int, receive: Receive, send: Send) -> None:
        self.number = number
        self._receive = receive
        self._send = send
        self._request_id = f"req_01{number:06d}".encode()

    async def json(self, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None) -> None:
        """A whole JSON response."""
        content = json.dumps(payload).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode()),
            (b"request-id", self._request_id),
            *((name.encode(), value.encode()) for name, value in (extra or {}).items()),
        ]
        await self._send({"type": "http.response.start", "status": status, "headers": headers})
        await self._send({"type": "http.response.body", "body": content, "more_body": False})

    async def error(self, status: int, error_type: str, message: str) -> None:
        """An HTTP error with the API's error body."""
        await self.json(status, error_object(error_type, message))

    async def start_stream(self) -> None:
        """The 200 head of an SSE stream."""
        headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
            (b"request-id", self._request_id),
        ]
        await self._send({"type": "http.response.start", "status": 200, "headers": headers})

    async def event(self, name: str, data: dict[str, Any]) -> None:
        """One SSE frame: ``event: NAME``, then compact JSON ``data``, then a blank line."""
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
