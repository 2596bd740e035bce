"""The OpenAI-compatible adapter against vibe's stand-in Chat Completions server: the request shape,
tool calls streamed the ways real servers stream them, usage as each gives it, retries, failures
after the last try, errors that are not retried, and models that take no tools."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from vibe.adapters.openai_compat import OpenAICompatModel, OpenAIOptions
from vibe.application.agent import run_agent
from vibe.application.prompting import first_message
from vibe.application.workspace import Workspace
from vibe.domain.conversation import CallRetry, TurnEnd
from vibe.domain.errors import UpstreamError
from vibe.domain.events import Event, FileDelta, FileEnd, Text, UsageEvent
from vibe.domain.usage import Usage
from vibe.testing import ChatCompletionsServer, Completion, Flavor

PAGE = '<!doctype html>\n<h1 class="t">Caf\u00e9 \\ "quoted"</h1>\n<link rel="stylesheet" href="style.css">\n'
CSS = "h1 { color: #c00 }\n" * 20


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def model(
    server: ChatCompletionsServer, sleeps: Sleeps | None = None, name: str = "gpt-4.1", **kw: Any
) -> OpenAICompatModel:
    client = openai.AsyncOpenAI(api_key="test-key", base_url=server.url, max_retries=0)
    options = OpenAIOptions(openai_hosted=server.flavor.name == "openai", **kw)
    return OpenAICompatModel(client, name, options, sleep=sleeps or Sleeps(), jitter=lambda: 0.5)


def site() -> Completion:
    calls = [
        ("write_file", {"path": "index.html", "content": PAGE}),
        ("write_file", {"path": "style.css", "content": CSS}),
    ]
    return Completion.tool_calls(calls, text="Building the page.")


async def generate(
    m: OpenAICompatModel, files: dict[str, str] | None = None
) -> tuple[list[Event], Workspace]:
    workspace = Workspace(files or {})
    events = [e async for e in run_agent(m, workspace, first_message("a page", files or {}), max_turns=4)]
    return events, workspace


def streamed(events: list[Event], path: str) -> str:
    return "".join(e.delta for e in events if isinstance(e, FileDelta) and e.path == path)


@pytest.mark.parametrize(
    "flavor",
    [Flavor.openai(), Flavor.ollama(), Flavor.vllm(), Flavor.llama_cpp(), Flavor.lm_studio()],
    ids=lambda f: f.name,
)
async def test_two_files_in_one_message_stream_live_in_every_flavour(flavor: Flavor) -> None:
    async with ChatCompletionsServer([site(), Completion.say("A red page.")], flavor=flavor) as server:
        events, workspace = await generate(model(server))
    assert workspace.files == {"index.html": PAGE, "style.css": CSS}
    assert streamed(events, "index.html") == PAGE
    assert streamed(events, "style.css") == CSS
    assert [e.path for e in events if isinstance(e, FileEnd)] == ["index.html", "style.css"]
    assert "".join(e.delta for e in events if isinstance(e, Text)).startswith("Building the page.")
    if not flavor.whole_calls:  # the file arrived in many deltas, as it was written
        assert len([e for e in events if isinstance(e, FileDelta) and e.path == "style.css"]) > 5
    billed = sum(
        (
            Usage(
                input_tokens=e.input_tokens,
                output_tokens=e.output_tokens,
                cache_read_input_tokens=e.cache_read_input_tokens,
            )
            for e in events
            if isinstance(e, UsageEvent)
        ),
        Usage(),
    )
    if flavor.usage != "none":
        reported = server.billed
        assert billed.total_input == sum(u["prompt_tokens"] for u in reported)
        assert billed.output_tokens == sum(u["completion_tokens"] for u in reported)
    else:  # no usage reported: vibe's estimate stands in
        assert billed.total_input > 1000
        assert billed.output_tokens > 100


async def test_the_request_is_what_the_api_takes_and_the_conversation_goes_back_valid() -> None:
    async with ChatCompletionsServer([site(), Completion.say("Done.")]) as server:
        await generate(model(server, name="gpt-5"))
    first, second = (r.body for r in server.requests)
    assert first["stream"] is True
    assert first["stream_options"] == {"include_usage": True}
    assert first["max_completion_tokens"] == 128_000
    assert "max_tokens" not in first
    assert first["reasoning_effort"] == "medium"
    assert first["messages"][0]["role"] == "system"
    assert [t["function"]["name"] for t in first["tools"]][:2] == ["write_file", "edit_file"]
    assistant, *tools = second["messages"][2:]
    assert assistant["role"] == "assistant"
    assert [json.loads(c["function"]["arguments"])["path"] for c in assistant["tool_calls"]] == [
        "index.html",
        "style.css",
    ]
    assert [t["role"] for t in tools] == ["tool", "tool"]
    assert [t["tool_call_id"] for t in tools] == [c["id"] for c in assistant["tool_calls"]]


async def test_local_servers_get_max_tokens_and_no_reasoning_effort() -> None:
    async with ChatCompletionsServer(
        [Completion.say("```html\n<p>hi</p>\n```")], flavor=Flavor.vllm()
    ) as server:
        await generate(model(server, name="qwen2.5-coder", max_output_tokens=4096))
    body = server.requests[0].body
    assert body["max_tokens"] == 4096
    assert "max_completion_tokens" not in body
    assert "reasoning_effort" not in body


async def test_a_follow_up_reads_its_prefix_from_the_cache_as_openai_bills_it() -> None:
    files = {"index.html": PAGE * 40, "style.css": CSS * 20}
    async with ChatCompletionsServer(
        [Completion.say("Nothing to change."), Completion.say("Nothing.")]
    ) as server:
        m = model(server)
        await generate(m, files)
        events, _ = await generate(m, files)
    usage = [e for e in events if isinstance(e, UsageEvent)]
    assert usage[0].cache_read_input_tokens >= 1024
    assert usage[0].cache_read_input_tokens % 128 == 0
    assert usage[0].input_tokens + usage[0].cache_read_input_tokens == server.billed[1]["prompt_tokens"]


async def test_malformed_tool_json_is_answered_truthfully_and_the_loop_goes_on() -> None:
    bad = Completion.tool_calls([("write_file", '{"path": "index.html", "content": "<p>unclosed')])
    async with ChatCompletionsServer([bad, site(), Completion.say("Fixed.")]) as server:
        _, workspace = await generate(model(server))
    assert workspace.files["index.html"] == PAGE
    result = next(m for m in server.requests[1].body["messages"] if m["role"] == "tool")
    assert result["content"].startswith("Error: The input of this call was not a valid JSON object")
    assert "INVALID_JSON" in result["content"]


@pytest.mark.parametrize(
    "failure",
    [
        Completion.rate_limited(retry_after=7),
        Completion.error(500),
        Completion.error(503),
        site().mid_stream_error(after_chunks=6),
        site().dropped(after_chunks=9),
    ],
    ids=["429", "500", "503", "error-mid-stream", "dropped-mid-stream"],
)
async def test_failures_are_retried_with_backoff_and_nothing_is_sent_twice(failure: Completion) -> None:
    sleeps = Sleeps()
    async with ChatCompletionsServer([failure, site(), Completion.say("Done.")]) as server:
        events, workspace = await generate(model(server, sleeps))
    assert workspace.files["index.html"] == PAGE
    assert streamed(events, "index.html") == PAGE  # a retry never repeats a delta
    assert len(sleeps.delays) == 1
    if failure.retry_after:
        assert sleeps.delays == [7.0]


async def test_a_retry_after_chunks_went_out_is_announced() -> None:
    async with ChatCompletionsServer([site().dropped(after_chunks=12), site()]) as server:
        chunks = [c async for c in model(server).stream(_request())]
    assert sum(isinstance(c, CallRetry) for c in chunks) == 1
    assert isinstance(chunks[-1], TurnEnd)
    assert chunks[-1].stop_reason == "tool_use"


def _request() -> Any:
    from vibe.application.agent import request_for

    return request_for([first_message("a page", {})])


async def test_after_the_last_try_the_model_is_unavailable() -> None:
    sleeps = Sleeps()
    async with ChatCompletionsServer([Completion.error(500)] * 4) as server:
        with pytest.raises(UpstreamError) as failed:
            await generate(model(server, sleeps))
    assert failed.value.code == "model_unavailable"
    assert len(server.requests) == 4
    assert sleeps.delays == [1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (Completion.error(401, code="invalid_api_key"), "model_error"),
        (Completion.error(429, code="insufficient_quota", error_type="insufficient_quota"), "model_error"),
        (
            Completion.error(
                400,
                code="context_length_exceeded",
                message="This model's maximum context length is 8192 tokens.",
            ),
            "context_window_exceeded",
        ),
        (Completion.error(404, message="The model `nope` does not exist"), "model_error"),
    ],
    ids=["401", "quota", "context", "404"],
)
async def test_errors_that_retrying_cannot_mend_end_at_once(failure: Completion, code: str) -> None:
    async with ChatCompletionsServer([failure]) as server:
        with pytest.raises(UpstreamError) as failed:
            await generate(model(server))
    assert failed.value.code == code
    assert len(server.requests) == 1


async def test_the_stand_in_refuses_what_the_api_refuses() -> None:
    async with ChatCompletionsServer([], api_key="right") as server:
        client = openai.AsyncOpenAI(api_key="wrong", base_url=server.url, max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            await client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "x"}])
        client = openai.AsyncOpenAI(api_key="right", base_url=server.url, max_retries=0)
        orphan = [
            {"role": "user", "content": "x"},
            {"role": "tool", "tool_call_id": "call_1", "content": "r"},
        ]
        unanswered = [
            {"role": "user", "content": "x"},
            {
                "role": "assistant",
                "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
            },
            {"role": "user", "content": "y"},
        ]
        for messages, says in (
            (orphan, "must be a response to a preceeding message"),
            (unanswered, "did not have response"),
        ):
            with pytest.raises(openai.BadRequestError, match=says):
                await client.chat.completions.create(model="gpt-4.1", messages=messages)  # type: ignore[arg-type]
        with pytest.raises(openai.BadRequestError, match="Use 'max_completion_tokens'"):
            await client.chat.completions.create(
                model="o3", messages=[{"role": "user", "content": "x"}], max_tokens=5
            )
        with pytest.raises(
            openai.BadRequestError, match="Unrecognized request argument supplied: temperatur"
        ):
            await client.chat.completions.create(
                model="gpt-4.1", messages=[{"role": "user", "content": "x"}], extra_body={"temperatur": 1}
            )


async def test_a_model_that_takes_no_tools_is_asked_for_fenced_files() -> None:
    answer = "Here it is.\n\n```html index.html\n" + PAGE + "```\n\n```css style.css\n" + CSS + "```\n"
    async with ChatCompletionsServer(
        [Completion.say(answer)], flavor=Flavor.ollama(takes_tools=False)
    ) as server:
        events, workspace = await generate(model(server, name="gemma2"))
    assert workspace.files == {"index.html": PAGE, "style.css": CSS}
    assert len(server.requests) == 2
    retried = server.requests[1].body
    assert "tools" not in retried
    assert "fenced code block" in retried["messages"][0]["content"]
    assert streamed(events, "style.css") == CSS
