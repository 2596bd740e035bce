"""How the stand-in streams what it generates: eager or buffered tool input, cuts at max_tokens, and stop
reasons passed through."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import pytest

from tests.messages_api import CURRENT, HEADERS, OLDER, USER, body, post, sdk
from vibe.testing.messages_server import MessagesServer, Reply

PAGE = {"path": "index.html", "content": "<p>" + "abcdefghij" * 20 + "</p>"}
SERIAL = json.dumps(PAGE)
PATH_PART = '{"path": "index.html"'  # the first top-level property, as the buffered stream sends it


def tool(eager: bool) -> dict[str, Any]:
    return {"name": "write_file", "input_schema": {"type": "object"}, "eager_input_streaming": eager}


@pytest.fixture
async def server() -> AsyncIterator[MessagesServer]:
    async with MessagesServer() as running:
        yield running


def sent_json(server: MessagesServer) -> str:
    return "".join(
        data["delta"]["partial_json"]
        for name, data in server.requests[-1].events
        if name == "content_block_delta" and data["delta"]["type"] == "input_json_delta"
    )


async def consume(claude: anthropic.AsyncAnthropic, tools: list[Any], max_tokens: int = 4096) -> list[Any]:
    stream = await claude.messages.create(
        model=CURRENT, max_tokens=max_tokens, messages=USER, tools=tools, stream=True
    )
    return [event async for event in stream]


@pytest.mark.parametrize("eager", [True, False])
async def test_what_has_been_sent_when_generation_pauses(server: MessagesServer, eager: bool) -> None:
    into_content = len('{"path": "index.html", "content": "') + 50
    server.add(
        Reply.tool_calls([("write_file", PAGE)], reasoning="", chunk_size=10, pause_after=into_content)
    )
    async with sdk(server) as claude:
        task = asyncio.create_task(consume(claude, [tool(eager)]))
        await asyncio.wait_for(server.paused.wait(), 5)

        sent = sent_json(server)
        server.resume.set()
        events = await asyncio.wait_for(task, 5)

    if eager:
        # https://platform.claude.com/docs/en/agents-and-tools/tool-use/fine-grained-tool-streaming
        assert SERIAL.startswith(sent)
        assert into_content - 10 < len(sent) <= into_content
    else:
        # Buffered: one complete top-level property at a time, none of the one being written.
        assert sent == PATH_PART
    pieces = [e.delta.partial_json for e in events if e.type == "content_block_delta"]
    assert "".join(pieces) == SERIAL
    assert not server.paused.is_set()


async def test_buffered_input_comes_property_by_property(server: MessagesServer) -> None:
    server.add(Reply.tool_calls([("write_file", PAGE)], reasoning="", chunk_size=8))
    async with sdk(server) as claude:
        events = await consume(claude, [tool(False)])

    pieces = [e.delta.partial_json for e in events if e.type == "content_block_delta"]
    assert "".join(pieces) == SERIAL
    # Each property's chunks are cut from that property alone: one piece ends exactly where it does.
    ends = [len("".join(pieces[: n + 1])) for n in range(len(pieces))]
    assert len(PATH_PART) in ends


@pytest.mark.parametrize("eager", [True, False])
async def test_max_tokens_cuts_inside_a_tool_input(server: MessagesServer, eager: bool) -> None:
    reasoning = "Plan: one page."  # 15 characters of thinking count towards the limit too
    server.add(Reply.tool_calls([("write_file", PAGE), ("write_file", PAGE)], reasoning=reasoning))
    async with sdk(server) as claude:
        events = await consume(claude, [tool(eager)], max_tokens=30)

    budget = 30 * 4 - len(reasoning)
    pieces = "".join(e.delta.partial_json for e in events if e.type == "content_block_delta" and e.index == 1)
    assert pieces == (SERIAL[:budget] if eager else PATH_PART)
    assert [e.type for e in events[-3:]] == ["content_block_stop", "message_delta", "message_stop"]
    starts = [e.index for e in events if e.type == "content_block_start"]
    assert starts == [0, 1]  # the second call never starts
    final = next(e for e in events if e.type == "message_delta")
    assert (final.delta.stop_reason, final.usage.output_tokens) == ("max_tokens", 30)


async def test_max_tokens_cuts_text_and_the_whole_message_says_so(server: MessagesServer) -> None:
    server.add(Reply.text("x" * 100))
    async with sdk(server) as claude:
        message = await claude.messages.create(model=OLDER, max_tokens=5, messages=USER)

    assert message.content[0].text == "x" * 20  # type: ignore[union-attr]
    assert (message.stop_reason, message.usage.output_tokens) == ("max_tokens", 5)


async def test_a_response_that_fits_exactly_is_not_cut(server: MessagesServer) -> None:
    server.add(Reply.text("x" * 20))
    async with sdk(server) as claude:
        message = await claude.messages.create(model=OLDER, max_tokens=5, messages=USER)

    assert (message.stop_reason, message.usage.output_tokens) == ("end_turn", 5)


async def test_a_refusal_passes_through_with_its_details(server: MessagesServer) -> None:
    server.add(Reply.refusal(category="cyber", explanation="Not this."))
    async with (
        sdk(server) as claude,
        claude.messages.stream(model=CURRENT, max_tokens=64, messages=USER) as stream,
    ):
        message = await stream.get_final_message()

    assert message.stop_reason == "refusal"
    assert message.stop_details is not None
    assert (message.stop_details.type, message.stop_details.category) == ("refusal", "cyber")
    assert message.stop_details.explanation == "Not this."


@pytest.mark.parametrize("reason", ["pause_turn", "model_context_window_exceeded", "stop_sequence"])
async def test_other_stop_reasons_pass_through(server: MessagesServer, reason: str) -> None:
    server.add(Reply.message([Reply.text_block("partial")], stop_reason=reason))
    async with sdk(server) as claude:
        message = await claude.messages.create(model=CURRENT, max_tokens=64, messages=USER)

    assert (message.stop_reason, message.stop_details) == (reason, None)


@pytest.mark.parametrize(("field", "eager"), [(None, True), (False, False)])
async def test_the_legacy_beta_header_makes_unset_tools_eager(
    server: MessagesServer, field: bool | None, eager: bool
) -> None:
    tool_def: dict[str, Any] = {"name": "write_file", "input_schema": {"type": "object"}}
    if field is not None:
        tool_def["eager_input_streaming"] = field
    server.add(Reply.tool_calls([("write_file", PAGE)], reasoning="", chunk_size=10, pause_after=60))
    headers = {**HEADERS, "anthropic-beta": "fine-grained-tool-streaming-2025-05-14"}
    task = asyncio.create_task(post(server, body(tools=[tool_def], stream=True), headers))
    await asyncio.wait_for(server.paused.wait(), 5)

    sent = sent_json(server)
    server.resume.set()
    await task

    assert (len(sent) > len(PATH_PART)) is eager
