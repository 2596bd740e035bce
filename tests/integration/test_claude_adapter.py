"""The Claude adapter and the agent loop against vibe's stand-in Messages API, as strict as the real
one on ``claude-sonnet-5-5``: thinking blocks that must come back unchanged, tool input buffered
unless eager, answers cut at ``max_tokens``, usage billed by the cache rules; and every retry case,
failures after the last try, and cancelling mid-stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import pytest

from vibe.adapters.claude import ClaudeModel, ClaudeOptions
from vibe.application.agent import run_agent
from vibe.application.prompting import SYSTEM_PROMPT, TOOLS
from vibe.application.workspace import Workspace
from vibe.domain.conversation import (
    Billed,
    CallRetry,
    Message,
    ModelChunk,
    ModelRequest,
    OpaqueBlock,
    TextBlock,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResultBlock,
    ToolUseBlock,
    TurnEnd,
)
from vibe.domain.errors import UpstreamError
from vibe.domain.events import Event, FileDelta, FileEnd, FileStart, Text, UsageEvent
from vibe.domain.usage import Usage
from vibe.testing.messages_server import MessagesServer, Reply

MODEL = "claude-sonnet-5-5"
PAGE = '<!doctype html>\n<h1 class="t">Caf\u00e9 \\ "quoted"</h1>\n'
# no character JSON escapes, so a cut of its JSON is a cut of the text
PLAIN = "<!doctype html> <title>Plain</title> " + " ".join(f"<p>Paragraph number {i}.</p>" for i in range(60))


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


_CLIENTS: list[anthropic.AsyncAnthropic] = []


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    """Every SDK client a test made is closed while its event loop still runs."""
    yield
    while _CLIENTS:
        await _CLIENTS.pop().close()


def claude(server: MessagesServer, sleeps: Sleeps, model: str = MODEL, **options: Any) -> ClaudeModel:
    client = anthropic.AsyncAnthropic(api_key="test-key", base_url=server.url, max_retries=0)
    _CLIENTS.append(client)
    return ClaudeModel(client, model, ClaudeOptions(**options), sleep=sleeps, jitter=lambda: 0.5)


def request() -> ModelRequest:
    first = Message(role="user", content=(TextBlock(text="a cafe page"),))
    return ModelRequest(system=(TextBlock(text=SYSTEM_PROMPT, cache=True),), messages=(first,), tools=TOOLS)


async def chunks_of(model: ClaudeModel, req: ModelRequest) -> list[ModelChunk]:
    return [chunk async for chunk in model.stream(req)]


async def agent(model: ClaudeModel, workspace: Workspace, prompt: str = "a cafe page") -> list[Event]:
    first = Message(role="user", content=(TextBlock(text=prompt),))
    return [e async for e in run_agent(model, workspace, first, max_turns=8)]


def site_reply(page: str = PAGE, **options: Any) -> Reply:
    return Reply.tool_calls(
        [("write_file", {"path": "index.html", "content": page})], text="Building.", **options
    )


def joined(events: list[Event]) -> dict[str, str]:
    files: dict[str, str] = {}
    for event in events:
        if isinstance(event, FileStart):
            files[event.path] = ""
        elif isinstance(event, FileDelta):
            files[event.path] += event.delta
    return files


# --- today's model: thinking, the conversation, usage -----------------------------------------------


async def test_thinking_is_shown_and_kept_whole_for_the_conversation(sleeps: Sleeps) -> None:
    async with MessagesServer([site_reply()]) as server:
        chunks = await chunks_of(claude(server, sleeps), request())
    shown = "".join(c.text for c in chunks if isinstance(c, ThinkingDelta))
    assert "Building." in shown  # the note before the tool call comes back inside a thinking block
    end = chunks[-1]
    assert isinstance(end, TurnEnd)
    assert end.stop_reason == "tool_use"
    assert end.message is not None
    thinking = [b for b in end.message.content if isinstance(b, OpaqueBlock)]
    assert thinking
    assert all(b.data["type"] == "thinking" and b.data["signature"] for b in thinking)
    starts = [c for c in chunks if isinstance(c, ToolCallStart)]
    raw = "".join(c.partial_json for c in chunks if isinstance(c, ToolCallDelta))
    assert json.loads(raw) == {"path": "index.html", "content": PAGE}
    assert any(isinstance(c, ToolCallEnd) and c.index == starts[0].index for c in chunks)


async def test_a_whole_generation_round_trips_its_thinking_blocks(sleeps: Sleeps) -> None:
    """The stand-in answers 400 to a turn sent back with a thinking block changed, missing or moved:
    the loop only gets to its end if every turn went back exactly as it came."""
    replies = [
        site_reply(),
        Reply.tool_calls([("edit_file", {"path": "index.html", "old_string": "Caf", "new_string": "Kaf"})],
                         text="Renaming the heading."),
        Reply.text("A cafe page."),
    ]  # fmt: skip
    async with MessagesServer(replies) as server:
        workspace = Workspace()
        events = await agent(claude(server, sleeps), workspace)
    assert workspace.files == {"index.html": PAGE.replace("Caf", "Kaf")}
    assert len(server.requests) == 3
    later = server.requests[2].body["messages"]
    assert [m["role"] for m in later] == ["user", "assistant", "user", "assistant", "user"]
    assert later[1]["content"][0]["type"] == "thinking"
    text = "".join(e.delta for e in events if isinstance(e, Text))
    assert "Renaming the heading." in text  # the prose between tool calls reached the user


async def test_a_tampered_turn_is_refused_by_the_stand_in(sleeps: Sleeps) -> None:
    """The guard that makes the test above mean something: a thinking block changed on its way back
    is a 400, which the adapter reports as a model error, without retrying."""
    async with MessagesServer([site_reply(), Reply.text("never")]) as server:
        model = claude(server, sleeps)
        end = (await chunks_of(model, request()))[-1]
        assert isinstance(end, TurnEnd)
        assert end.message is not None
        forged = tuple(
            OpaqueBlock(provider=b.provider, data={**b.data, "thinking": b.data["thinking"] + " (edited)"})
            if isinstance(b, OpaqueBlock)
            else b
            for b in end.message.content
        )
        call = next(c for c in end.message.content if isinstance(c, ToolUseBlock))
        later = ModelRequest(
            system=request().system,
            tools=TOOLS,
            messages=(
                *request().messages,
                Message(role="assistant", content=forged),
                Message(role="user", content=(ToolResultBlock(tool_use_id=call.id, content="ok"),)),
            ),
        )
        with pytest.raises(UpstreamError) as caught:
            await chunks_of(model, later)
    assert caught.value.code == "model_error"
    assert "cannot be modified" in caught.value.detail
    assert sleeps.delays == []


async def test_usage_is_billed_as_it_comes_with_the_cache(sleeps: Sleeps) -> None:
    replies = [site_reply(), Reply.text("Done."), site_reply(), Reply.text("Done.")]
    async with MessagesServer(replies) as server:
        model = claude(server, sleeps)
        first = await agent(model, Workspace())
        second = await agent(model, Workspace())  # the same tools and system prompt: read from the cache
    billed = [e for e in first + second if isinstance(e, UsageEvent)]
    assert billed[0].output_tokens <= 1
    assert billed[0].input_tokens + billed[0].cache_creation_input_tokens > 0
    starts = [e for e in second if isinstance(e, UsageEvent) and e.input_tokens + e.cache_read_input_tokens]
    assert starts[0].cache_read_input_tokens > 0  # the 1-hour breakpoint after the system prompt
    usage = [e for e in second if isinstance(e, UsageEvent)]
    assert sum(e.cache_read_input_tokens for e in usage) >= sum(e.input_tokens for e in usage)


# --- live files ---------------------------------------------------------------------------------------


async def test_a_file_streams_while_the_model_writes_it(sleeps: Sleeps) -> None:
    """The server pauses in the middle of the file's content: with eager tool streaming vibe already
    sent part of the file; buffered (the API's default), it would have sent nothing of it."""
    reply = Reply.tool_calls([("write_file", {"path": "index.html", "content": PLAIN})], pause_after=800)
    async with MessagesServer([reply, Reply.text("Done.")]) as server:
        seen: list[Event] = []

        async def run() -> None:
            seen.extend([])
            first = Message(role="user", content=(TextBlock(text="a page"),))
            async for event in run_agent(claude(server, sleeps), Workspace(), first, max_turns=4):
                seen.append(event)

        task = asyncio.create_task(run())
        await asyncio.wait_for(server.paused.wait(), 10)
        await asyncio.sleep(0.2)
        during = joined(seen).get("index.html", "")
        server.resume.set()
        await asyncio.wait_for(task, 10)
    assert 100 < len(during) < len(PLAIN)
    assert PLAIN.startswith(during)
    assert joined(seen) == {"index.html": PLAIN}
    tools = {t["name"]: t for t in server.requests[0].body["tools"]}
    assert tools["write_file"]["eager_input_streaming"] is True


# --- the output limit -----------------------------------------------------------------------------


async def test_a_file_cut_at_max_tokens_is_finished_and_nothing_half_written_is_kept(sleeps: Sleeps) -> None:
    limit = 250  # the stand-in counts 4 characters a token: the call is cut after 1,000 characters
    raw = json.dumps({"path": "index.html", "content": PLAIN})
    kept = raw[: limit * 4][len('{"path": "index.html", "content": "') :]
    assert PLAIN.startswith(kept)
    assert len(kept) < len(PLAIN)
    replies = [
        Reply.tool_calls([("write_file", {"path": "index.html", "content": PLAIN})], reasoning=""),
        Reply.tool_calls(
            [("append_file", {"path": "index.html", "content": PLAIN[len(kept) :]})], reasoning=""
        ),
        Reply.text("Finished the page.", reasoning=""),
    ]
    async with MessagesServer(replies) as server:
        workspace = Workspace()
        events = await agent(claude(server, sleeps, max_output_tokens=limit), workspace)
    assert server.requests[0].body["max_tokens"] == limit
    result = server.requests[1].body["messages"][-1]["content"][0]
    assert result["type"] == "tool_result"
    assert result["is_error"] is True
    assert f"first {len(kept)} characters" in result["content"]
    assert workspace.files == {"index.html": PLAIN}
    assert joined(events) == {"index.html": PLAIN}
    assert [e.size for e in events if isinstance(e, FileEnd)] == [len(PLAIN)]


async def test_a_file_the_model_never_finishes_fails_output_truncated(sleeps: Sleeps) -> None:
    replies = [Reply.tool_calls([("write_file", {"path": "index.html", "content": PLAIN})], reasoning="")]
    replies += [Reply.text("I cannot.", reasoning="")]
    async with MessagesServer(replies) as server:
        workspace = Workspace()
        with pytest.raises(UpstreamError) as caught:
            await agent(claude(server, sleeps, max_output_tokens=250), workspace)
    assert caught.value.code == "output_truncated"


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (Reply.refusal("I can't help with that."), "refusal"),
        (
            Reply.message([Reply.text_block("...")], stop_reason="model_context_window_exceeded"),
            "context_window_exceeded",
        ),
    ],
)
async def test_refusals_and_full_context_windows_are_reported_as_such(
    sleeps: Sleeps, reply: Reply, code: str
) -> None:
    async with MessagesServer([reply]) as server:
        with pytest.raises(UpstreamError) as caught:
            await agent(claude(server, sleeps), Workspace())
    assert caught.value.code == code


# --- failures and retries -------------------------------------------------------------------------


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
    # every failed try is announced (a circuit breaker counts them); nothing had gone out to undo
    retries = [i for i, c in enumerate(chunks) if isinstance(c, CallRetry)]
    assert retries == [0, 1]
    assert [c.outage for c in chunks[:2] if isinstance(c, CallRetry)] == [retry_after is None] * 2
    assert isinstance(chunks[-1], TurnEnd)
    if retry_after is not None:
        assert min(sleeps.delays) >= retry_after  # the server's word wins over our backoff
    else:
        assert sleeps.delays[1] > sleeps.delays[0]  # exponential


async def test_a_mid_stream_overload_restarts_the_answer_and_keeps_its_bill(sleeps: Sleeps) -> None:
    async with MessagesServer(
        [Reply.mid_stream_error(site_reply(), after_events=12), site_reply()]
    ) as server:
        chunks = await chunks_of(claude(server, sleeps), request())
    retries = [i for i, c in enumerate(chunks) if isinstance(c, CallRetry)]
    assert len(retries) == 1
    billed = [c for c in chunks[: retries[0]] if isinstance(c, Billed)]
    assert billed
    assert billed[0].usage.total_input > 0
    after = chunks[retries[0] + 1 :]
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
async def test_rejected_requests_are_not_retried(sleeps: Sleeps, status: int) -> None:
    async with MessagesServer([Reply.error(status), site_reply()]) as server:
        with pytest.raises(UpstreamError) as caught:
            await chunks_of(claude(server, sleeps), request())
    assert len(server.requests) == 1
    assert caught.value.code == "model_error"
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
        events = await agent(claude(server, sleeps), workspace)
    assert workspace.files == {"index.html": PAGE}
    assert len([e for e in events if isinstance(e, FileStart)]) == 1
    assert "".join(e.delta for e in events if isinstance(e, FileDelta)) == PAGE
    usage = sum(
        (
            Usage(input_tokens=e.input_tokens, output_tokens=e.output_tokens)
            for e in events
            if isinstance(e, UsageEvent)
        ),
        Usage(),
    )
    assert usage.output_tokens > 0


async def test_an_older_model_gets_the_older_shape(sleeps: Sleeps) -> None:
    async with MessagesServer([site_reply(), Reply.text("Done.")]) as server:
        workspace = Workspace()
        await agent(claude(server, sleeps, model="claude-sonnet-4-5"), workspace)
    body = server.requests[0].body
    assert "thinking" not in body
    assert "output_config" not in body
    assert workspace.files == {"index.html": PAGE}
