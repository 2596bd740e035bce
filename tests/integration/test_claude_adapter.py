"""The Claude adapter against vibe's stand-in Messages API: streaming, tool shapes, prompt caching,
every retry case, failures after the last try, and cancelling mid-stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import pytest

from vibe.adapters.claude import ClaudeModel
from vibe.application.agent import run_agent
from vibe.application.prompting import SYSTEM_PROMPT, TOOLS
from vibe.application.workspace import Workspace
from vibe.domain.errors import UpstreamError
from vibe.domain.events import FileDelta, FileStart
from vibe.domain.model import (
    Message,
    ModelChunk,
    ModelRequest,
    Restart,
    TextBlock,
    TextDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResultBlock,
    ToolUseBlock,
    TurnEnd,
)
from vibe.testing.messages_server import MessagesServer, Reply, Usage

MODEL = "claude-sonnet-5-5"
PAGE = '<!doctype html>\n<h1 class="t">Caf\u00e9 \\ "quoted"</h1>\n'


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def claude(server: MessagesServer, sleeps: Sleeps, **options: Any) -> ClaudeModel:
    client = anthropic.AsyncAnthropic(api_key="test-key", base_url=server.url, max_retries=0)
    return ClaudeModel(client, MODEL, sleep=sleeps, jitter=lambda: 0.5, **options)


def request(*messages: Message) -> ModelRequest:
    first = Message(
        role="user", content=(TextBlock(text="<project_files/>", cache=True), TextBlock(text="go"))
    )
    return ModelRequest(
        system=(TextBlock(text=SYSTEM_PROMPT, cache=True),), messages=(first, *messages), tools=TOOLS
    )


async def chunks_of(model: ClaudeModel, req: ModelRequest) -> list[ModelChunk]:
    return [chunk async for chunk in model.stream(req)]


def site_reply(**options: Any) -> Reply:
    return Reply.tool_calls(
        [("write_file", {"path": "index.html", "content": PAGE})], text="Building.", **options
    )


async def test_streaming_text_and_tool_calls(sleeps: Sleeps) -> None:
    usage = Usage(input_tokens=1200, output_tokens=90, cache_read_input_tokens=800)
    async with MessagesServer([site_reply(usage=usage)]) as server:
        chunks = await chunks_of(claude(server, sleeps), request())
    text = "".join(c.text for c in chunks if isinstance(c, TextDelta))
    assert text == "Building."
    starts = [c for c in chunks if isinstance(c, ToolCallStart)]
    assert [(s.index, s.name) for s in starts] == [(1, "write_file")]
    raw = "".join(c.partial_json for c in chunks if isinstance(c, ToolCallDelta))
    assert json.loads(raw) == {"path": "index.html", "content": PAGE}
    assert len([c for c in chunks if isinstance(c, ToolCallDelta)]) > 5
    assert any(isinstance(c, ToolCallEnd) and c.index == 1 for c in chunks)
    end = chunks[-1]
    assert isinstance(end, TurnEnd)
    assert end.stop_reason == "tool_use"
    assert (end.usage.input_tokens, end.usage.output_tokens, end.usage.cache_read_input_tokens) == (
        1200,
        90,
        800,
    )


async def test_the_request_carries_tools_system_and_four_cache_breakpoints(sleeps: Sleeps) -> None:
    earlier = (
        Message(role="assistant", content=(ToolUseBlock(id="toolu_1", name="list_files", input={}),)),
        Message(role="user", content=(ToolResultBlock(tool_use_id="toolu_1", content="none", cache=True),)),
        Message(role="assistant", content=(ToolUseBlock(id="toolu_2", name="list_files", input={}),)),
        Message(role="user", content=(ToolResultBlock(tool_use_id="toolu_2", content="none", cache=True),)),
    )
    async with MessagesServer([Reply.text("ok")]) as server:
        await chunks_of(claude(server, sleeps), request(*earlier))
    body = server.requests[0].body
    assert body["model"] == MODEL
    assert body["stream"] is True
    assert [tool["name"] for tool in body["tools"]] == [t.name for t in TOOLS]
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    marked = [
        (m, b)
        for m, message in enumerate(body["messages"])
        for b, block in enumerate(message["content"])
        if "cache_control" in block
    ]
    assert marked == [(0, 0), (4, 0)]  # the project files, and the latest tool results
    assert sum("cache_control" in t for t in body["tools"]) + len(marked) + 1 == 4
    assert body["messages"][1]["content"][0] == {
        "type": "tool_use",
        "id": "toolu_1",
        "name": "list_files",
        "input": {},
    }


@pytest.mark.parametrize(
    ("failure", "retry_after"),
    [(Reply.rate_limited(retry_after=7), 7.0), (Reply.overloaded(), None), (Reply.error(500), None),
     (Reply.error(503), None)],
)  # fmt: skip
async def test_failed_starts_are_retried_with_backoff(
    sleeps: Sleeps, failure: Reply, retry_after: float | None
) -> None:
    async with MessagesServer([failure, failure, site_reply()]) as server:
        chunks = await chunks_of(claude(server, sleeps), request())
    assert len(server.requests) == 3  # no hidden SDK retries: every try is ours
    assert not any(isinstance(c, Restart) for c in chunks)  # nothing had gone out yet
    assert isinstance(chunks[-1], TurnEnd)
    if retry_after is not None:
        assert min(sleeps.delays) >= retry_after  # the server's word wins over our backoff
    else:
        assert sleeps.delays[1] > sleeps.delays[0]  # exponential


async def test_a_mid_stream_overload_restarts_the_answer(sleeps: Sleeps) -> None:
    async with MessagesServer(
        [Reply.mid_stream_error(site_reply(), after_events=12), site_reply()]
    ) as server:
        chunks = await chunks_of(claude(server, sleeps), request())
    restarts = [i for i, c in enumerate(chunks) if isinstance(c, Restart)]
    assert len(restarts) == 1
    assert restarts[0] > 0
    after = chunks[restarts[0] + 1 :]
    raw = "".join(c.partial_json for c in after if isinstance(c, ToolCallDelta))
    assert json.loads(raw)["content"] == PAGE
    assert len(server.requests) == 2


async def test_after_four_tries_it_fails_clearly(sleeps: Sleeps) -> None:
    async with MessagesServer([Reply.overloaded()] * 5) as server:
        with pytest.raises(UpstreamError) as caught:
            await chunks_of(claude(server, sleeps), request())
    assert len(server.requests) == 4
    assert caught.value.code == "model_unavailable"
    assert "overloaded" in caught.value.detail
    assert "4 times" in caught.value.detail


@pytest.mark.parametrize("status", [400, 401, 403, 404])
async def test_refusals_are_not_retried(sleeps: Sleeps, status: int) -> None:
    async with MessagesServer([Reply.error(status), site_reply()]) as server:
        with pytest.raises(UpstreamError) as caught:
            await chunks_of(claude(server, sleeps), request())
    assert len(server.requests) == 1
    assert caught.value.code == "model_refused"
    assert sleeps.delays == []


async def test_cancelling_aborts_the_http_stream(sleeps: Sleeps) -> None:
    async with MessagesServer([Reply.stall(site_reply(), after_events=6)]) as server:
        model = claude(server, sleeps)
        first_chunk = asyncio.Event()

        async def consume() -> None:
            async for _chunk in model.stream(request()):
                first_chunk.set()

        task = asyncio.create_task(consume())
        await first_chunk.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(200):
            if server.disconnects:
                break
            await asyncio.sleep(0.01)
        assert server.disconnects == 1


async def test_the_agent_loop_over_claude_retries_without_repeating_deltas(sleeps: Sleeps) -> None:
    replies = [
        Reply.mid_stream_error(site_reply(chunk_size=5), after_events=30),
        site_reply(chunk_size=11),
        Reply.text("A page with a heading."),
    ]
    async with MessagesServer(replies) as server:
        workspace = Workspace()
        first = Message(role="user", content=(TextBlock(text="a cafe page"),))
        events = [e async for e in run_agent(claude(server, sleeps), workspace, first)]
    assert workspace.files == {"index.html": PAGE}
    assert len([e for e in events if isinstance(e, FileStart)]) == 1
    assert "".join(e.delta for e in events if isinstance(e, FileDelta)) == PAGE
    assert (
        json.loads(json.dumps(server.requests[-1].body["messages"][-1]))["content"][0]["type"]
        == "tool_result"
    )


async def _drain(stream: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in stream]
