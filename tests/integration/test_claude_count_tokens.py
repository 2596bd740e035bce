"""The Claude adapter's estimate: ``POST /v1/messages/count_tokens`` with the parameters a call would
send (less what counting does not take), read as ``{"input_tokens": N}``; vibe's own estimate when
the count fails.

Served here by a minimal endpoint of that shape; once vibe.testing.MessagesServer serves
count_tokens, the 10 % agreement with what the first call is billed is checked against it."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anthropic

from vibe.adapters.claude import ClaudeModel
from vibe.application.agent import request_for
from vibe.application.prompting import first_message
from vibe.domain.model import estimate_input_tokens
from vibe.testing.loopback import LoopbackServer

Scope = MutableMapping[str, Any]


class CountTokens:
    """Answers ``POST /v1/messages/count_tokens`` with ``status`` and ``{"input_tokens": count}``."""

    def __init__(self, count: int, status: int = 200) -> None:
        self.count = count
        self.status = status
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Scope]], send: Callable[[Scope], Awaitable[None]]
    ) -> None:
        if scope["type"] != "http":
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.paths.append(scope["path"])
        self.bodies.append(json.loads(raw))
        if self.status == 200:
            payload: dict[str, Any] = {"input_tokens": self.count}
        else:
            payload = {"type": "error", "error": {"type": "api_error", "message": "Internal server error"}}
        body = json.dumps(payload).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def first_request() -> Any:
    files = {"index.html": "<!doctype html><h1>Café</h1>", "style.css": "h1 { color: red }"}
    return request_for([first_message("make it blue", files)])


async def test_the_count_is_the_apis_for_the_request_a_call_would_send() -> None:
    endpoint = CountTokens(4321)
    async with LoopbackServer(endpoint) as server:
        client = anthropic.AsyncAnthropic(api_key="test-key", base_url=server.url, max_retries=0)
        estimate = await ClaudeModel(client, "claude-sonnet-5-5").count_input(first_request())
    assert (estimate.input_tokens, estimate.exact) == (4321, True)
    assert endpoint.paths == ["/v1/messages/count_tokens"]
    body = endpoint.bodies[0]
    assert set(body) <= {"model", "messages", "system", "tools", "thinking", "tool_choice", "output_config"}
    assert body["model"] == "claude-sonnet-5-5"
    assert body["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert [tool["name"] for tool in body["tools"]][:2] == ["write_file", "edit_file"]
    assert body["system"][-1]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    listing = body["messages"][0]["content"][0]["text"]
    assert "Café" in listing
    assert "make it blue" in body["messages"][0]["content"][-1]["text"]


async def test_a_failed_count_gives_vibes_estimate_marked_inexact() -> None:
    async with LoopbackServer(CountTokens(1, status=500)) as server:
        client = anthropic.AsyncAnthropic(api_key="test-key", base_url=server.url, max_retries=0)
        estimate = await ClaudeModel(client, "claude-sonnet-5-5").count_input(first_request())
    assert estimate.exact is False
    assert estimate.input_tokens == estimate_input_tokens(first_request())
