"""A stand-in for an OpenAI-compatible Chat Completions API: real HTTP/1.1 on loopback, answering
from a script of ``Completion``s, in the flavour of OpenAI or of a local server (``Flavor``).

Streaming (https://platform.openai.com/docs/api-reference/chat-streaming): ``data:`` lines of
``chat.completion.chunk`` objects; the first delta carries the role, tool calls stream their id and
name first and their arguments in pieces (https://platform.openai.com/docs/guides/function-calling),
the last choice chunk the ``finish_reason``; with ``stream_options.include_usage`` a last chunk with
no choices carries the usage and every other chunk ``"usage": null``; then ``data: [DONE]``. Errors
are ``{"error": {"message", "type", "param", "code"}}`` with the HTTP status
(https://platform.openai.com/docs/guides/error-codes). The output stops at ``max_tokens`` /
``max_completion_tokens`` with ``finish_reason: "length"``, wherever that falls, a tool call's
arguments included.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from types import TracebackType
from typing import Any, Self

from vibe.testing.chat_rules import PrefixCache, check_request, prompt_tokens, token_ends
from vibe.testing.chat_script import Call, Completion, Flavor
from vibe.testing.loopback import LoopbackServer
from vibe.testing.messages_server import RecordedRequest

__all__ = ["ChatCompletionsServer", "Completion", "Flavor"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Scope]]
Send = Callable[[Scope], Awaitable[None]]
Reply = Completion | Callable[[dict[str, Any]], Completion]


class ChatCompletionsServer:
    """Serves ``POST /v1/chat/completions`` from a script, one reply per request, in order (a reply
    may be a function of the request body). Every request is recorded in ``requests``; ``billed``
    holds the usage each answered request reported. With ``api_key`` set, other keys get 401."""

    def __init__(
        self, replies: Iterable[Reply] = (), *, flavor: Flavor | None = None, api_key: str | None = None
    ) -> None:
        self.requests: list[RecordedRequest] = []
        self.billed: list[dict[str, Any]] = []
        self.flavor = flavor or Flavor()
        self.disconnects = 0
        self._api_key = api_key
        self._script: deque[Reply] = deque(replies)
        self._cache = PrefixCache()
        self._closing = asyncio.Event()
        self._server: LoopbackServer | None = None

    @property
    def url(self) -> str:
        """The base URL to give ``openai.AsyncOpenAI(base_url=...)`` (it ends in ``/v1``)."""
        if self._server is None:
            raise RuntimeError("ChatCompletionsServer is not running; use it as `async with`")
        return self._server.url + "/v1"

    def add(self, *replies: Reply) -> None:
        self._script.extend(replies)

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

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        self.requests.append(
            RecordedRequest(
                method=scope["method"],
                path=scope["path"],
                headers=headers,
                body=body if isinstance(body, dict) else {},
            )
        )
        out = _Wire(send)
        if (scope["method"], scope["path"]) != ("POST", "/v1/chat/completions"):
            await out.error(404, "invalid_request_error", f"Invalid URL ({scope['method']} {scope['path']})")
        elif self._api_key is not None and headers.get("authorization") != f"Bearer {self._api_key}":
            await out.error(
                401, "invalid_request_error", "Incorrect API key provided.", code="invalid_api_key"
            )
        elif not isinstance(body, dict):
            await out.error(400, "invalid_request_error", "We could not parse the JSON body of your request.")
        elif (problem := check_request(body, self.flavor.strict)) is not None:
            await out.error(400, "invalid_request_error", problem[1], param=problem[0])
        elif body.get("tools") and not self.flavor.takes_tools:
            await out.error(
                400,
                "invalid_request_error",
                f"registry.ollama.ai/library/{body['model']} does not support tools",
            )
        elif not self._script:
            await out.error(
                500,
                "server_error",
                f"ChatCompletionsServer: no scripted reply is left for request {len(self.requests)}",
            )
        else:
            reply = self._script.popleft()
            completion = reply(body) if callable(reply) else reply
            await self._answer(completion, body, out, receive)

    async def _answer(
        self, completion: Completion, body: dict[str, Any], out: _Wire, receive: Receive
    ) -> None:
        if completion.status != 200:
            extra = {} if completion.retry_after is None else {"retry-after": f"{completion.retry_after:g}"}
            await out.json(completion.status, completion.error_body(), extra)
            return
        tokens = prompt_tokens(body)
        cached = self._cache.read(tokens) if self.flavor.prefix_cache else 0
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        pieces, produced, finish = _output(completion, limit if isinstance(limit, int) else None)
        prompt = len(tokens) if completion.prompt_tokens is None else completion.prompt_tokens
        output = produced if completion.completion_tokens is None else completion.completion_tokens
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": output,
            "total_tokens": prompt + output,
            "prompt_tokens_details": {"cached_tokens": cached},
        }
        if body.get("stream") is not True:
            self.billed.append(usage)
            await out.json(200, _whole(body, completion, pieces, finish, usage))
            return
        chunks = _Chunks(body, self.flavor, usage).all(pieces, finish)
        if completion.cut is None and self.flavor.usage != "none":
            self.billed.append(usage)
        await self._stream(completion, chunks, out, receive)

    async def _stream(
        self, completion: Completion, chunks: list[dict[str, Any]], out: _Wire, receive: Receive
    ) -> None:
        await out.start_stream()
        shown = chunks[: completion.cut_after] if completion.cut else chunks
        for index, chunk in enumerate(shown):
            if index and completion.delay and await self._hangup(receive, completion.delay):
                return
            await out.data(json.dumps(chunk, ensure_ascii=False, separators=(",", ":")))
        if completion.cut == "error":
            await out.data(json.dumps(completion.error_body()))
        elif completion.cut == "stall" and await self._hangup(receive, None):
            return
        elif completion.cut is None:
            await out.data("[DONE]")
        await out.end()

    async def _hangup(self, receive: Receive, timeout: float | None) -> bool:
        """Wait up to ``timeout`` (cut short when the server closes); True if the client hung up."""

        async def disconnected() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        hangup = asyncio.ensure_future(disconnected())
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


def _output(completion: Completion, limit: int | None) -> tuple[list[tuple[str, Any]], int, str]:
    """(pieces of the answer, output tokens, finish reason), cut where the ``limit``-th output token
    ends (each text is counted whole, so its pieces cost what the model's tokens do)."""
    texts: list[tuple[str, Any, str]] = [
        ("reasoning", None, completion.reasoning),
        ("content", None, completion.text),
    ]
    texts += [("arguments", (index, call), call.raw) for index, call in enumerate(completion.calls)]
    pieces: list[tuple[str, Any]] = []
    produced = 0
    for kind, call, text in texts:
        if call is not None:
            pieces.append(("call", call))
        ends = token_ends(text)
        if limit is not None and produced + len(ends) > limit:
            allowed = ends[limit - produced - 1] if limit > produced else 0
            pieces += _pieces(kind, call, text[:allowed], completion.chunk_size)
            return pieces, limit, "length"
        pieces += _pieces(kind, call, text, completion.chunk_size)
        produced += len(ends)
    return pieces, produced, completion.finish


def _pieces(kind: str, call: tuple[int, Call] | None, text: str, size: int) -> list[tuple[str, Any]]:
    if call is None:
        return [(kind, part) for part in _split(text, size)]
    return [(kind, (call[0], part)) for part in _split(text, size)]


def _split(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


class _Chunks:
    """The ``chat.completion.chunk`` objects of one answer, in a server's flavour."""

    def __init__(self, body: dict[str, Any], flavor: Flavor, usage: dict[str, Any]) -> None:
        self.flavor = flavor
        self.usage = usage
        self.include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        self.head = {
            "id": f"chatcmpl-{id(self):x}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_vibe",
        }

    def chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        chunk = {
            **self.head,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if self.flavor.usage == "every_chunk" or (self.flavor.usage == "finish_chunk" and finish):
            chunk["usage"] = self.usage
        elif self.flavor.usage == "final_chunk" and self.include_usage:
            chunk["usage"] = None
        return chunk

    def all(self, pieces: list[tuple[str, Any]], finish: str) -> list[dict[str, Any]]:
        chunks = [self.chunk({"role": "assistant", "content": ""})]
        calls: dict[int, Call] = {}
        for kind, value in pieces:
            if kind == "content":
                chunks.append(self.chunk({"content": value}))
            elif kind == "reasoning":
                chunks.append(self.chunk({self.flavor.reasoning_field: value}))
            elif kind == "call":
                calls[value[0]] = value[1]
                if not self.flavor.whole_calls:
                    chunks.append(self.chunk({"tool_calls": [self._call_piece(*value, first=True)]}))
            elif not self.flavor.whole_calls:
                index, part = value
                chunks.append(self.chunk({"tool_calls": [self._call_piece(index, calls[index], part)]}))
        if self.flavor.whole_calls:
            chunks += [
                self.chunk({"tool_calls": [self._call_piece(i, c, c.raw, first=True)]})
                for i, c in calls.items()
            ]
        if finish == "tool_calls" and self.flavor.stop_with_tools:
            finish = "stop"
        chunks.append(self.chunk({}, finish))
        if self.flavor.usage == "final_chunk" and self.include_usage:
            chunks.append({**self.head, "choices": [], "usage": self.usage})
        return chunks

    def _call_piece(
        self, index: int, call: Call, arguments: str = "", *, first: bool = False
    ) -> dict[str, Any]:
        piece: dict[str, Any] = (
            {} if self.flavor.no_index else {"index": 0 if self.flavor.reuse_index else index}
        )
        call_id = call.id or f"call_{index}_{abs(hash(call.name)) % 10**8:08d}"
        if first:
            piece |= {
                "id": call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": arguments},
            }
        else:
            if self.flavor.fresh_ids:
                piece["id"] = f"call_{time.monotonic_ns()}"
            piece["function"] = {"arguments": arguments}
        return piece


def _whole(body: dict[str, Any], completion: Completion, pieces: list[tuple[str, Any]], finish: str,
           usage: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    text = "".join(v for k, v in pieces if k == "content")
    calls = [
        {"id": c.id or f"call_{i}", "type": "function", "function": {"name": c.name, "arguments": c.raw}}
        for i, c in enumerate(completion.calls)
    ]
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = calls
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
    return {"id": "chatcmpl-whole", "object": "chat.completion", "created": int(time.time()),
            "model": body["model"], "choices": [choice], "usage": usage}  # fmt: skip


class _Wire:
    """One response on the wire."""

    def __init__(self, send: Send) -> None:
        self._send = send

    async def json(self, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None) -> None:
        content = json.dumps(payload).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode()),
                   *((k.encode(), v.encode()) for k, v in (extra or {}).items())]  # fmt: skip
        await self._send({"type": "http.response.start", "status": status, "headers": headers})
        await self._send({"type": "http.response.body", "body": content, "more_body": False})

    async def error(
        self, status: int, kind: str, message: str, *, param: str | None = None, code: str | None = None
    ) -> None:
        await self.json(status, {"error": {"message": message, "type": kind, "param": param, "code": code}})

    async def start_stream(self) -> None:
        headers = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]
        await self._send({"type": "http.response.start", "status": 200, "headers": headers})

    async def data(self, payload: str) -> None:
        await self._send(
            {"type": "http.response.body", "body": f"data: {payload}\n\n".encode(), "more_body": True}
        )

    async def end(self) -> None:
        await self._send({"type": "http.response.body", "body": b"", "more_body": False})
