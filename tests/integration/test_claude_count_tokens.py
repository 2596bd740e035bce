"""The Claude adapter's estimate: ``POST /v1/messages/count_tokens`` with the parameters a call would
send (less what counting does not take), read as ``{"input_tokens": N}``; vibe's own estimate when
the count fails.

Served by a minimal endpoint of that shape, and by the stand-in Messages API, against which the count
agrees within 10 % with what the first call is then billed, on a set of prompts and projects."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anthropic
import pytest

from vibe.adapters.claude import ClaudeModel
from vibe.application.agent import request_for
from vibe.application.prompting import first_message
from vibe.domain.conversation import TurnEnd, estimate_input_tokens
from vibe.testing.loopback import LoopbackServer
from vibe.testing.messages_server import MessagesServer, Reply

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


PROMPTS_AND_PROJECTS = [
    ("A landing page for my bakery in Paris", {}),
    ("make the heading blue", {"index.html": "<!doctype html><h1>Café</h1>" * 40, "style.css": "h1{}" * 50}),
    ("add a FAQ", {f"page{i}.html": f"<p>Page {i}</p>" * 200 for i in range(5)}),
    ("做一个巴黎面包店的落地页", {}),
]


@pytest.mark.parametrize(("prompt", "files"), PROMPTS_AND_PROJECTS)
async def test_the_estimate_is_within_ten_percent_of_the_first_calls_bill(
    prompt: str, files: dict[str, str]
) -> None:
    async with MessagesServer([Reply.text("Done.")]) as server:
        client = anthropic.AsyncAnthropic(api_key="test-key", base_url=server.url, max_retries=0)
        model = ClaudeModel(client, "claude-sonnet-5-5")
        request = request_for([first_message(prompt, files)])
        estimate = await model.count_input(request)
        chunks = [chunk async for chunk in model.stream(request)]
    billed = next(c for c in chunks if isinstance(c, TurnEnd)).usage.total_input
    assert estimate.exact
    assert abs(estimate.input_tokens - billed) <= 0.1 * billed
