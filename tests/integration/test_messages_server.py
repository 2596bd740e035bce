"""The stand-in Messages API speaks the real wire format: the official anthropic SDK drives it unchanged.

These format tests use an older model, whose responses carry no thinking blocks; the current model's
behaviour has its own test files (test_messages_*.py)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

import anthropic
import httpx
import pytest
from anthropic.types import MessageParam, ToolParam

from tests.messages_api import HEADERS, OLDER
from vibe.testing.messages_server import MessagesServer, RecordedRequest, Reply, Usage

MODEL = OLDER
USER: list[MessageParam] = [{"role": "user", "content": "Make me a page"}]
TOOLS: list[ToolParam] = [
    {
        "name": "write_file",
        "description": "Write a file",
        "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}},
    }
]
EAGER: list[ToolParam] = [
    {"name": "write_file", "input_schema": {"type": "object"}, "eager_input_streaming": True}
]
AWKWARD_INPUT = {
    "path": "site/index.html",
    "content": '<p class="x">café ☕ 😀 "quoted" back\\slash \\n not a newline</p>\nline two\ttab\r\n\u2028',
    "nested": {"list": [1, 2.5, None, True, '\\"', ""], "empty": {}},
}


@pytest.fixture
async def server() -> AsyncIterator[MessagesServer]:
    async with MessagesServer() as running:
        yield running


@pytest.fixture
async def claude(server: MessagesServer) -> AsyncIterator[anthropic.AsyncAnthropic]:
    async with anthropic.AsyncAnthropic(api_key="test-key", base_url=server.url, max_retries=0) as client:
        yield client


async def final_message(claude: anthropic.AsyncAnthropic, **extra: Any) -> anthropic.types.Message:
    async with claude.messages.stream(model=MODEL, max_tokens=1024, messages=USER, **extra) as stream:
        return await stream.get_final_message()


async def raw_events(claude: anthropic.AsyncAnthropic, **extra: Any) -> list[Any]:
    stream = await claude.messages.create(model=MODEL, max_tokens=1024, messages=USER, stream=True, **extra)
    return [event async for event in stream]


async def collect_event_types(claude: anthropic.AsyncAnthropic, seen: list[str]) -> None:
    async with claude.messages.stream(model=MODEL, max_tokens=64, messages=USER) as stream:
        async for event in stream:
            seen.append(event.type)


async def eventually(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("chunk_size", [1, 7])
async def test_streamed_text_arrives_exactly(
    server: MessagesServer, claude: anthropic.AsyncAnthropic, chunk_size: int
) -> None:
    text = 'Hello, "world" — ünïcödé 😀\nback\\slash'
    server.add(Reply.text(text, chunk_size=chunk_size))

    message = await final_message(claude)

    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == text  # type: ignore[union-attr]
    assert message.stop_reason == "end_turn"
    assert message.model == MODEL


@pytest.mark.parametrize("chunk_size", [1, 7])
async def test_tool_input_survives_any_chunking(
    server: MessagesServer, claude: anthropic.AsyncAnthropic, chunk_size: int
) -> None:
    server.add(
        Reply.tool_calls(
            [("write_file", AWKWARD_INPUT), ("noop", {})], text="Writing.", chunk_size=chunk_size
        )
    )

    message = await final_message(claude, tools=TOOLS)

    text, first, second = message.content
    assert text.type == "text"
    assert text.text == "Writing."
    assert first.type == "tool_use"
    assert second.type == "tool_use"
    assert (first.name, first.input) == ("write_file", AWKWARD_INPUT)
    assert (second.name, second.input) == ("noop", {})
    assert first.id.startswith("toolu_01")
    assert first.id != second.id
    assert message.stop_reason == "tool_use"


async def test_explicit_tool_ids_are_kept(server: MessagesServer, claude: anthropic.AsyncAnthropic) -> None:
    server.add(
        Reply.message([Reply.tool_use_block("noop", {"a": 1}, id="toolu_01custom")], stop_reason="tool_use")
    )

    message = await final_message(claude)

    assert message.content[0].id == "toolu_01custom"  # type: ignore[union-attr]


async def test_deltas_come_in_chunk_size_pieces(
    server: MessagesServer, claude: anthropic.AsyncAnthropic
) -> None:
    server.add(Reply.tool_calls([("write_file", AWKWARD_INPUT)], text="0123456789", chunk_size=4))

    events = await raw_events(claude, tools=EAGER)

    texts = [e.delta.text for e in events if e.type == "content_block_delta" and e.delta.type == "text_delta"]
    pieces = [
        e.delta.partial_json
        for e in events
        if e.type == "content_block_delta" and e.delta.type == "input_json_delta"
    ]
    assert texts == ["0123", "4567", "89"]
    assert "".join(pieces) == json.dumps(AWKWARD_INPUT)
    assert {len(piece) for piece in pieces[:-1]} == {4}
    assert 1 <= len(pieces[-1]) <= 4
    assert [e.type for e in events if e.type != "content_block_delta"] == [
        "message_start",
        "content_block_start",
        "content_block_stop",
        "content_block_start",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]


async def test_wire_format_matches_the_api(server: MessagesServer) -> None:
    server.add(Reply.tool_calls([("noop", {"k": "v"})], text="Hi", chunk_size=50))
    body = {"model": MODEL, "max_tokens": 10, "messages": USER, "stream": True}

    async with httpx.AsyncClient() as http:
        response = await http.post(f"{server.url}/v1/messages", json=body, headers=HEADERS)

    assert response.headers["content-type"].startswith("text/event-stream")
    frames = response.text.split("\n\n")
    assert frames.pop() == ""
    parsed = []
    for frame in frames:
        event_line, data_line = frame.split("\n")
        assert event_line.startswith("event: ")
        assert data_line.startswith("data: ")
        data = json.loads(data_line.removeprefix("data: "))
        assert data["type"] == event_line.removeprefix("event: ")
        parsed.append(data)
    start = parsed[0]["message"]
    assert start["type"] == "message"
    assert start["role"] == "assistant"
    assert start["content"] == []
    assert start["stop_reason"] is None
    assert start["stop_sequence"] is None
    assert start["stop_details"] is None
    assert set(start["usage"]) == {
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
        "cache_creation",
    }
    assert set(start["usage"]["cache_creation"]) == {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"}
    assert [data["type"] for data in parsed] == [
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert parsed[2]["content_block"] == {"type": "text", "text": ""}
    assert parsed[5]["content_block"] == {
        "type": "tool_use",
        "id": "toolu_010000010001",
        "name": "noop",
        "input": {},
    }
    assert parsed[8]["delta"] == {"stop_reason": "tool_use", "stop_sequence": None, "stop_details": None}
    # Cumulative counts (https://platform.claude.com/docs/en/build-with-claude/streaming).
    counts = {k: v for k, v in start["usage"].items() if k != "cache_creation"}
    assert parsed[8]["usage"] == {**counts, "output_tokens": 3}  # 12 characters


async def test_usage_is_derived_deterministically(
    server: MessagesServer, claude: anthropic.AsyncAnthropic
) -> None:
    server.add(Reply.text("x" * 40))
    server.add(Reply.text("x" * 40))

    first, second = await final_message(claude), await final_message(claude)

    assert first.usage == second.usage
    assert first.usage.input_tokens > 0
    assert first.usage.output_tokens == 10
    assert (first.usage.cache_creation_input_tokens, first.usage.cache_read_input_tokens) == (0, 0)


async def test_usage_can_be_scripted(server: MessagesServer, claude: anthropic.AsyncAnthropic) -> None:
    usage = Usage(
        input_tokens=11, output_tokens=22, cache_creation_input_tokens=33, cache_read_input_tokens=44
    )
    server.add(Reply.text("cached", usage=usage))

    message = await final_message(claude)

    got = message.usage
    assert (got.input_tokens, got.output_tokens) == (11, 22)
    assert (got.cache_creation_input_tokens, got.cache_read_input_tokens) == (33, 44)


async def test_requests_are_recorded_with_their_bodies(
    server: MessagesServer, claude: anthropic.AsyncAnthropic
) -> None:
    server.add(Reply.text("ok", model="claude-scripted"))
    system = [{"type": "text", "text": "Be terse.", "cache_control": {"type": "ephemeral"}}]

    message = await final_message(claude, system=system, tools=TOOLS)

    assert message.model == "claude-scripted"
    (request,) = server.requests
    assert isinstance(request, RecordedRequest)
    assert (request.method, request.path) == ("POST", "/v1/messages")
    # This SDK sends an api_key as a bearer token, not as x-api-key.
    assert request.headers["authorization"] == "Bearer test-key"
    assert "anthropic-version" in request.headers
    assert request.body["model"] == MODEL
    assert request.body["max_tokens"] == 1024
    assert request.body["stream"] is True
    assert request.body["messages"] == USER
    assert request.body["system"] == system
    assert request.body["tools"] == TOOLS


async def test_non_streaming_create_gets_the_whole_message(
    server: MessagesServer, claude: anthropic.AsyncAnthropic
) -> None:
    server.add(Reply.tool_calls([("write_file", AWKWARD_INPUT)], text="Here."))

    message = await claude.messages.create(model=MODEL, max_tokens=64, messages=USER)

    text, tool = message.content
    assert text.type == "text"
    assert text.text == "Here."
    assert tool.type == "tool_use"
    assert tool.input == AWKWARD_INPUT
    assert message.stop_reason == "tool_use"
    assert "stream" not in server.requests[0].body


async def test_rate_limit_raises_with_retry_after(
    server: MessagesServer, claude: anthropic.AsyncAnthropic
) -> None:
    server.add(Reply.rate_limited(retry_after=7))

    with pytest.raises(anthropic.RateLimitError) as caught:
        await final_message(claude)

    assert caught.value.status_code == 429
    assert caught.value.type == "rate_limit_error"
    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.body == {
        "type": "error",
        "error": {"type": "rate_limit_error", "message": "Rate limited"},
        "request_id": "req_01000001",
    }
    assert len(server.requests) == 1


async def test_overloaded_raises_the_sdks_529_class(
    server: MessagesServer, claude: anthropic.AsyncAnthropic
) -> None:
    server.add(Reply.overloaded())

    with pytest.raises(anthropic.OverloadedError) as caught:
        await final_message(claude)

    assert isinstance(caught.value, anthropic.InternalServerError)
    assert (caught.value.status_code, caught.value.type) == (529, "overloaded_error")


@pytest.mark.parametrize(
    ("status", "error_class", "error_type"),
    [
        (400, anthropic.BadRequestError, "invalid_request_error"),
        (500, anthropic.InternalServerError, "api_error"),
    ],
)
async def test_error_defaults(
    server: MessagesServer,
    claude: anthropic.AsyncAnthropic,
    status: int,
    error_class: type[anthropic.APIStatusError],
    error_type: str,
) -> None:
    server.add(Reply.error(status, message="custom words"))

    with pytest.raises(error_class) as caught:
        await claude.messages.create(model=MODEL, max_tokens=64, messages=USER)

    assert (caught.value.status_code, caught.value.type) == (status, error_type)
    assert caught.value.api_message == "custom words"
    assert caught.value.request_id == "req_01000001"


async def test_mid_stream_error_raises_while_iterating(
    server: MessagesServer, claude: anthropic.AsyncAnthropic
) -> None:
    server.add(Reply.mid_stream_error(Reply.text("abcdefghijklmnop", chunk_size=2), after_events=5))
    seen: list[str] = []

    with pytest.raises(anthropic.APIStatusError) as caught:
        await collect_event_types(claude, seen)

    # The HTTP status was 200, so the SDK raises the base class, not InternalServerError/OverloadedError.
    assert type(caught.value) is anthropic.APIStatusError
    assert (caught.value.status_code, caught.value.type) == (200, "overloaded_error")
    assert caught.value.body == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }
    assert "text" in seen
    assert "message_stop" not in seen


async def test_mid_stream_error_without_streaming_is_an_http_error(
    server: MessagesServer, claude: anthropic.AsyncAnthropic
) -> None:
    server.add(Reply.mid_stream_error(Reply.text("abc"), after_events=3))

    with pytest.raises(anthropic.OverloadedError):
        await claude.messages.create(model=MODEL, max_tokens=64, messages=USER)


async def test_cancelling_a_stalled_stream_hangs_up(
    server: MessagesServer, claude: anthropic.AsyncAnthropic
) -> None:
    server.add(Reply.stall(Reply.text("never finished", chunk_size=3), after_events=4))
    seen: list[str] = []

    task = asyncio.create_task(collect_event_types(claude, seen))
    await eventually(lambda: "content_block_delta" in seen)
    assert server.disconnects == 0
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await eventually(lambda: server.disconnects == 1)


async def test_hanging_up_during_a_delay_is_counted(
    server: MessagesServer, claude: anthropic.AsyncAnthropic
) -> None:
    server.add(Reply.text("slow " * 20, chunk_size=1, delay=0.05))

    async with claude.messages.stream(model=MODEL, max_tokens=64, messages=USER) as stream:
        async for event in stream:
            if event.type == "content_block_start":
                break

    await eventually(lambda: server.disconnects == 1)


async def test_closing_the_server_ends_a_stalled_stream() -> None:
    seen: list[str] = []
    started = time.monotonic()
    async with MessagesServer([Reply.stall(Reply.text("abc"), after_events=2)]) as server:
        client = anthropic.AsyncAnthropic(api_key="test-key", base_url=server.url, max_retries=0)
        task = asyncio.create_task(collect_event_types(client, seen))
        await eventually(lambda: seen == ["message_start"])
    await task
    await client.close()
    assert time.monotonic() - started < 1.5
    assert server.disconnects == 0


async def test_exhausted_script_answers_500_and_records(
    server: MessagesServer, claude: anthropic.AsyncAnthropic
) -> None:
    server.add(Reply.text("only one"))
    assert len(server.remaining) == 1
    await final_message(claude)
    assert server.remaining == []

    with pytest.raises(anthropic.InternalServerError) as caught:
        await final_message(claude)

    assert caught.value.status_code == 500
    assert "no scripted reply is left" in str(caught.value.api_message)
    assert len(server.requests) == 2


async def test_replies_are_used_in_order(server: MessagesServer, claude: anthropic.AsyncAnthropic) -> None:
    first, second = Reply.text("one"), Reply.text("two")
    server.add(first)
    server.add(second)
    assert server.remaining == [first, second]

    texts = [(await final_message(claude)).content[0].text for _ in range(2)]  # type: ignore[union-attr]

    assert texts == ["one", "two"]


async def test_binds_loopback_only(server: MessagesServer) -> None:
    url = urlsplit(server.url)
    assert url.scheme == "http"
    assert url.hostname == "127.0.0.1"
    assert url.port
    # A wildcard bind would also answer on 127.0.0.2; a bind to 127.0.0.1 refuses it.
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.2", url.port)


def test_url_before_start_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        _ = MessagesServer().url


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        Reply.text("x", chunk_size=0)
