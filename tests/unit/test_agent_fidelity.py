"""The agent loop against what today's models do: thinking shown as prose, assistant turns sent back
exactly as returned, the conversation append-only, usage reported as billed (retries included),
files cut off by the output limit finished with append_file, and refusals and full context windows
reported as such."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vibe.application.agent import AgentReport, run_agent
from vibe.application.workspace import Workspace
from vibe.domain.conversation import (
    Billed,
    CallRetry,
    Message,
    ModelChunk,
    ModelRequest,
    OpaqueBlock,
    TextBlock,
    TextDelta,
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
from vibe.testing.scripted_model import ScriptedModel, chunk_text, turn

PAGE = "<!doctype html>\n<title>Cut</title>\n" + "".join(f"<p>line {i} é</p>\n" for i in range(60))


def ask(prompt: str = "a page") -> Message:
    return Message(role="user", content=(TextBlock(text=prompt),))


async def collect(model: ScriptedModel, workspace: Workspace, **options: Any) -> list[Event]:
    return [
        e async for e in run_agent(model, workspace, ask(), max_turns=options.pop("max_turns", 8), **options)
    ]


def joined(events: list[Event]) -> dict[str, str]:
    files: dict[str, str] = {}
    for event in events:
        if isinstance(event, FileStart):
            files[event.path] = ""
        elif isinstance(event, FileDelta):
            files[event.path] += event.delta
    return files


def total(events: list[Event]) -> Usage:
    usage = Usage()
    for e in events:
        if isinstance(e, UsageEvent):
            usage += Usage(
                input_tokens=e.input_tokens,
                output_tokens=e.output_tokens,
                cache_creation_input_tokens=e.cache_creation_input_tokens,
                cache_read_input_tokens=e.cache_read_input_tokens,
            )
    return usage


def cut_write(path: str, content: str, keep: int, usage: Usage | None = None) -> list[ModelChunk]:
    """A turn whose write_file call is cut by the output limit after ``keep`` characters of JSON."""
    raw = json.dumps({"path": path, "content": content})[:keep]
    return [
        ToolCallStart(0, "toolu_cut", "write_file"),
        *(ToolCallDelta(0, piece) for piece in chunk_text(raw, [9])),
        ToolCallEnd(0),
        TurnEnd("max_tokens", usage or Usage(input_tokens=50, output_tokens=keep // 4)),
    ]


def append(path: str, rest: str, call_id: str = "toolu_more") -> list[ModelChunk]:
    raw = json.dumps({"path": path, "content": rest})
    return [
        ToolCallStart(0, call_id, "append_file"),
        *(ToolCallDelta(0, piece) for piece in chunk_text(raw, [11])),
        ToolCallEnd(0),
        TurnEnd("tool_use", Usage(input_tokens=60, output_tokens=len(raw) // 4)),
    ]


# --- prose and the conversation ---------------------------------------------------------------------


async def test_what_the_model_shows_of_its_thinking_reaches_the_user_as_text() -> None:
    model = ScriptedModel(
        [
            turn(
                "Writing the page.",
                [("write_file", {"path": "index.html", "content": "<p>x</p>"})],
                thinking="The user wants a page; I will write index.html.",
            ),
            turn("Done: one page.", thinking="All written."),
        ]
    )
    events = await collect(model, Workspace())
    text = "".join(e.delta for e in events if isinstance(e, Text))
    assert text == (
        "The user wants a page; I will write index.html.\n\nWriting the page.All written.\n\nDone: one page."
    )


async def test_an_assistant_turn_goes_back_exactly_as_the_model_returned_it() -> None:
    thinking = OpaqueBlock(
        provider="anthropic", data={"type": "thinking", "thinking": "", "signature": "sig-1"}
    )
    redacted = OpaqueBlock(provider="anthropic", data={"type": "redacted_thinking", "data": "xyz"})
    call = ToolUseBlock(id="toolu_0000", name="write_file", input={"path": "a.html", "content": "<p>a</p>"})
    returned = Message(role="assistant", content=(thinking, redacted, TextBlock(text="On it."), call))
    first = turn("On it.", [("write_file", {"path": "a.html", "content": "<p>a</p>"})])
    first[-1] = TurnEnd("tool_use", Usage(input_tokens=10, output_tokens=5), returned)
    model = ScriptedModel([first, turn("Done.")])
    await collect(model, Workspace())
    second = model.requests[1].messages
    assert second[1] == returned  # the same blocks, in the same order, untouched
    results = second[2].content
    assert isinstance(results[0], ToolResultBlock)
    assert results[0].tool_use_id == "toolu_0000"


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["write", "edit", "read", "bad"]), min_size=1, max_size=5))
async def test_the_conversation_is_append_only(kinds: list[str]) -> None:
    calls = {
        "write": ("write_file", {"path": "a.html", "content": "<p>a</p>"}),
        "edit": ("edit_file", {"path": "a.html", "old_string": "a", "new_string": "b"}),
        "read": ("read_file", {"path": "a.html"}),
        "bad": ("write_file", {"path": "../x", "content": "no"}),
    }
    model = ScriptedModel([turn(kind, [calls[kind]]) for kind in kinds] + [turn("done")])
    await collect(model, Workspace(), max_turns=len(kinds) + 1)
    for earlier, later in zip(model.requests, model.requests[1:], strict=False):
        assert later.messages[: len(earlier.messages)] == earlier.messages
        assert later.system == earlier.system
        assert later.tools == earlier.tools


# --- usage ------------------------------------------------------------------------------------------


async def test_usage_goes_out_as_billed_and_adds_up_across_retries() -> None:
    failed: list[ModelChunk] = [
        Billed(Usage(input_tokens=100, cache_read_input_tokens=900, output_tokens=1)),
        TextDelta("Wri"),
    ]
    retried: list[ModelChunk] = [
        Billed(Usage(input_tokens=100, cache_read_input_tokens=900, output_tokens=1)),
        TextDelta("Writing."),
        TurnEnd("end_turn", Usage(input_tokens=100, cache_read_input_tokens=900, output_tokens=40)),
    ]
    model = ScriptedModel([[*failed, CallRetry("overloaded"), *retried]])
    events = await collect(model, Workspace())
    usage_events = [e for e in events if isinstance(e, UsageEvent)]
    # the input as soon as each call starts, the output when it ends; the failed call stays billed
    assert [(e.input_tokens, e.cache_read_input_tokens, e.output_tokens) for e in usage_events] == [
        (100, 900, 1),
        (100, 900, 1),
        (0, 0, 39),
    ]
    assert total(events) == Usage(input_tokens=200, cache_read_input_tokens=1800, output_tokens=41)
    assert events.index(usage_events[0]) < next(i for i, e in enumerate(events) if isinstance(e, Text))


# --- the output limit -------------------------------------------------------------------------------


@pytest.mark.parametrize("keep", [40, 300, 900])
async def test_a_file_cut_off_by_the_output_limit_is_finished_with_append_file(keep: int) -> None:
    told: list[str] = []

    def finish(request: ModelRequest) -> list[ModelChunk]:
        """The model continues from what the tool result tells it, and from nothing else."""
        result = request.messages[-1].content[0]
        assert isinstance(result, ToolResultBlock)
        assert result.is_error
        told.append(result.content)
        tail = result.content.split("<tail>")[1].split("</tail>")[0]
        return append("index.html", PAGE[PAGE.index(tail) + len(tail) :])

    model = ScriptedModel([cut_write("index.html", PAGE, keep), finish, turn("Finished the page.")])
    workspace = Workspace()
    report = AgentReport()
    events = await collect(model, workspace, report=report)
    kept = len(json.loads(json.dumps({"path": "index.html", "content": PAGE})[:keep] + '"}')["content"])
    assert f"first {kept} characters" in told[0]
    assert "append_file" in told[0]
    assert workspace.files == {"index.html": PAGE}
    assert not workspace.drafts
    assert joined(events) == {"index.html": PAGE}  # one stream, continued, never restarted
    assert [e for e in events if isinstance(e, FileStart)] == [FileStart(path="index.html")]
    assert [e for e in events if isinstance(e, FileEnd)] == [
        FileEnd(path="index.html", size=len(PAGE.encode()))
    ]
    assert report.stop_reasons == ["max_tokens", "tool_use", "end_turn"]


async def test_a_file_never_finished_fails_output_truncated_and_says_so() -> None:
    model = ScriptedModel([cut_write("index.html", PAGE, 400), turn("I could not finish.")])
    workspace = Workspace({"style.css": "p{}"})
    with pytest.raises(UpstreamError) as caught:
        await collect(model, workspace)
    assert caught.value.code == "output_truncated"
    assert "index.html" in caught.value.detail
    assert "no files" not in caught.value.detail.lower()
    assert workspace.drafts == {"index.html"}


async def test_a_cut_in_prose_asks_the_model_to_continue() -> None:
    model = ScriptedModel(
        [
            turn("I will build a long", stop_reason="max_tokens"),
            turn("", [("write_file", {"path": "index.html", "content": "<p>ok</p>"})]),
            turn("Built it."),
        ]
    )
    workspace = Workspace()
    await collect(model, workspace)
    note = model.requests[1].messages[-1]
    assert note.role == "user"
    assert isinstance(note.content[0], TextBlock)
    assert "interrupted" in note.content[0].text
    assert workspace.files == {"index.html": "<p>ok</p>"}


async def test_append_file_only_continues_a_cut_off_file() -> None:
    model = ScriptedModel([append("index.html", "more"), turn("ok")])
    workspace = Workspace({"index.html": "<p>whole</p>"})
    events = await collect(model, workspace)
    assert workspace.files == {"index.html": "<p>whole</p>"}
    assert not [e for e in events if isinstance(e, (FileDelta, FileEnd))]
    result = model.requests[1].messages[-1].content[0]
    assert isinstance(result, ToolResultBlock)
    assert result.is_error
    assert "not a file that was cut off" in result.content


# --- how a model may end ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stop", "code"), [("refusal", "refusal"), ("model_context_window_exceeded", "context_window_exceeded")]
)
async def test_refusals_and_full_context_windows_end_with_their_own_codes(stop: str, code: str) -> None:
    model = ScriptedModel([turn("Sorry.", stop_reason=stop)])
    with pytest.raises(UpstreamError) as caught:
        await collect(model, Workspace())
    assert caught.value.code == code


@pytest.mark.parametrize("raw", ['{"path": "a.html", "content": "x', '{"path": "a.html",, }', "[]"])
async def test_malformed_tool_input_is_answered_truthfully_and_the_loop_goes_on(raw: str) -> None:
    model = ScriptedModel(
        [
            turn("", [("write_file", {})], raw_inputs=[raw]),
            turn("", [("write_file", {"path": "a.html", "content": "ok"})]),
            turn("Fixed."),
        ]
    )
    workspace = Workspace()
    await collect(model, workspace)
    result = model.requests[1].messages[-1].content[0]
    assert isinstance(result, ToolResultBlock)
    assert result.is_error
    assert json.loads(result.content[result.content.index("{") :]) == {"INVALID_JSON": raw}
    sent_back = model.requests[1].messages[1].content[0]
    assert isinstance(sent_back, ToolUseBlock)
    assert sent_back.input == {}  # the API's own placeholder, never the invalid JSON
    assert workspace.files == {"a.html": "ok"}


async def test_a_pause_lets_the_model_go_on() -> None:
    model = ScriptedModel([turn("Searching", stop_reason="pause_turn"), turn("Done.")])
    report = AgentReport()
    await collect(model, Workspace(), report=report)
    assert report.stop_reasons == ["pause_turn", "end_turn"]
    assert report.summary == "Done."


async def test_thinking_only_deltas_are_not_part_of_the_summary() -> None:
    model = ScriptedModel(
        [[ThinkingDelta("pondering"), TextDelta("Built a bakery page."), TurnEnd("end_turn")]]
    )
    report = AgentReport()
    await collect(model, Workspace(), report=report)
    assert report.summary == "Built a bakery page."
