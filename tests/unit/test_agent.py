"""The agent loop with a scripted model: streaming, tools, refusals, retries and the html fence."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vibe.application.agent import run_agent
from vibe.application.workspace import Workspace
from vibe.domain.conversation import CallRetry, Message, TextBlock, ToolResultBlock
from vibe.domain.events import Event, FileDelta, FileEdit, FileEnd, FileStart, Text, UsageEvent
from vibe.testing.scripted_model import ScriptedModel, turn
from vibe.testing.strategies import safe_paths, unsafe_paths

PAGE = (
    '<!doctype html>\n<html lang="en"><head><link rel="stylesheet" href="style.css"></head>\n'
    '<body>é "q" \\ </body></html>'
)
CSS = "body { color: #123; }\n"


def ask(prompt: str = "a page") -> Message:
    return Message(role="user", content=(TextBlock(text=prompt),))


async def collect(model: ScriptedModel, workspace: Workspace, max_turns: int = 8) -> list[Event]:
    return [event async for event in run_agent(model, workspace, ask(), max_turns=max_turns)]


def writes(events: list[Event]) -> dict[str, str]:
    """The files as a stream client rebuilds them: each file_start begins the file anew."""
    files: dict[str, str] = {}
    for event in events:
        if isinstance(event, FileStart):
            files[event.path] = ""
        elif isinstance(event, FileDelta):
            files[event.path] += event.delta
    return files


def two_file_site(sizes: list[int] | tuple[int, ...] = (7,)) -> ScriptedModel:
    return ScriptedModel(
        [
            turn(
                "I'll build it.",
                [
                    ("write_file", {"path": "index.html", "content": PAGE}),
                    ("write_file", {"content": CSS, "path": "style.css"}),
                ],
                sizes=sizes,
            ),
            turn("Done: a page with a stylesheet."),
        ]
    )


async def test_files_stream_while_written_and_end_with_their_size() -> None:
    workspace = Workspace()
    events = await collect(two_file_site(), workspace)
    assert workspace.files == {"index.html": PAGE, "style.css": CSS}
    assert writes(events) == workspace.files
    ends = [e for e in events if isinstance(e, FileEnd)]
    assert [(e.path, e.size) for e in ends] == [("index.html", len(PAGE.encode())), ("style.css", len(CSS))]
    deltas = [e for e in events if isinstance(e, FileDelta) and e.path == "index.html"]
    assert len(deltas) > 5  # streamed in pieces, not at the end
    first_delta = events.index(deltas[0])
    assert first_delta < events.index(ends[0])
    assert (
        "".join(e.delta for e in events if isinstance(e, Text))
        == "I'll build it.Done: a page with a stylesheet."
    )
    assert [e for e in events if isinstance(e, UsageEvent)] == [
        UsageEvent(input_tokens=100, output_tokens=13),
        UsageEvent(input_tokens=100, output_tokens=17),
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=8))
async def test_any_chunking_gives_the_same_files_and_deltas(sizes: list[int]) -> None:
    workspace = Workspace()
    events = await collect(two_file_site(sizes), workspace)
    assert workspace.files == {"index.html": PAGE, "style.css": CSS}
    assert writes(events) == workspace.files


async def test_tool_results_go_back_to_the_model() -> None:
    model = ScriptedModel(
        [
            turn(
                "",
                [
                    ("write_file", {"path": "a.html", "content": "<p>hi</p>"}),
                    ("read_file", {"path": "a.html"}),
                    ("list_files", {}),
                    ("read_file", {"path": "nope.css"}),
                ],
            ),
            turn("ok"),
        ]
    )
    await collect(model, Workspace())
    results = model.requests[1].messages[-1].content
    assert [r.content for r in results if isinstance(r, ToolResultBlock)][:3] == [
        "Wrote a.html (9 bytes).",
        "<p>hi</p>",
        "a.html (9 bytes)",
    ]
    last = results[-1]
    assert isinstance(last, ToolResultBlock)
    assert last.is_error
    assert last.cache


async def test_edit_file_applies_exactly_one_occurrence_and_reports_it() -> None:
    workspace = Workspace({"index.html": "<h1>Old</h1><p>Old</p>", "style.css": "a{}"})
    model = ScriptedModel(
        [
            turn(
                "",
                [
                    ("edit_file", {"path": "index.html", "old_string": "Old", "new_string": "New"}),
                    ("edit_file", {"path": "index.html", "old_string": "<h1>Old", "new_string": "<h1>New"}),
                    ("edit_file", {"path": "style.css", "old_string": "zzz", "new_string": "y"}),
                ],
            ),
            turn("Renamed."),
        ]
    )
    events = await collect(model, workspace)
    assert workspace.files["index.html"] == "<h1>New</h1><p>Old</p>"
    assert [e for e in events if isinstance(e, FileEdit)] == [
        FileEdit(path="index.html", old_string="<h1>Old", new_string="<h1>New")
    ]
    results = [r for r in model.requests[1].messages[-1].content if isinstance(r, ToolResultBlock)]
    assert [r.is_error for r in results] == [True, False, True]
    assert "2 times" in results[0].content
    assert "0 times" in results[2].content


@settings(max_examples=40, deadline=None)
@given(unsafe_paths(), st.sampled_from(["write_file", "edit_file", "read_file", "delete_file"]))
async def test_hostile_paths_are_refused_and_touch_nothing(path: str, tool: str) -> None:
    before = {"index.html": "<p>safe</p>"}
    workspace = Workspace(before)
    args: dict[str, Any] = {"path": path, "content": "pwned", "old_string": "safe", "new_string": "x"}
    model = ScriptedModel([turn("", [(tool, args)]), turn("sorry")])
    events = await collect(model, workspace)
    assert workspace.files == before
    assert not [e for e in events if isinstance(e, (FileStart, FileDelta, FileEnd, FileEdit))]
    result = model.requests[1].messages[-1].content[0]
    assert isinstance(result, ToolResultBlock)
    assert result.is_error


@pytest.mark.parametrize(
    "raw", ['{"path": "a.html", "content": ', "[1, 2]", '{"path": 5, "content": "x"}', '{"path": "a.html"}']
)
async def test_malformed_tool_input_is_refused(raw: str) -> None:
    workspace = Workspace()
    model = ScriptedModel([turn("", [("write_file", {})], raw_inputs=[raw]), turn("sorry")])
    await collect(model, workspace)
    assert workspace.files == {}
    result = model.requests[1].messages[-1].content[0]
    assert isinstance(result, ToolResultBlock)
    assert result.is_error


async def test_unknown_tools_and_oversized_files_are_refused() -> None:
    workspace = Workspace()
    huge = "x" * (1024 * 1024 + 1)
    model = ScriptedModel(
        [
            turn("", [("rm_rf", {}), ("write_file", {"path": "a.txt", "content": huge})], sizes=[65536]),
            turn("ok"),
        ]
    )
    events = await collect(model, workspace)
    assert workspace.files == {}
    assert not [e for e in events if isinstance(e, FileEnd)]
    assert all(r.is_error for r in model.requests[1].messages[-1].content if isinstance(r, ToolResultBlock))


async def test_a_plain_html_fence_becomes_index_html() -> None:
    workspace = Workspace()
    answer = "Here you go:\n```html\n<!doctype html><h1>Hi</h1>\n```\nEnjoy."
    events = await collect(ScriptedModel([turn(answer)]), workspace)
    assert workspace.files == {"index.html": "<!doctype html><h1>Hi</h1>\n"}
    assert writes(events) == workspace.files


async def test_the_turn_limit_ends_the_loop() -> None:
    model = ScriptedModel([turn("", [("list_files", {})]) for _ in range(5)])
    events = await collect(model, Workspace(), max_turns=3)
    assert len(model.requests) == 3
    assert len([e for e in events if isinstance(e, UsageEvent)]) == 3


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 200), st.booleans(), st.lists(st.integers(1, 30), min_size=1, max_size=4))
async def test_a_retry_never_repeats_what_went_out(cut: int, diverge: bool, sizes: list[int]) -> None:
    """The adapter retried after ``cut`` chunks: the client's view of each file is still exact."""
    first = turn(
        "I'll build it.",
        [
            ("write_file", {"path": "index.html", "content": PAGE}),
            ("write_file", {"path": "style.css", "content": CSS}),
        ],
        sizes=sizes,
    )
    page = PAGE.replace("</body>", "<p>retry</p></body>") if diverge else PAGE
    second = turn(
        "I'll build it.",
        [
            ("write_file", {"path": "index.html", "content": page}),
            ("write_file", {"path": "style.css", "content": CSS}),
        ],
        sizes=sizes[::-1],
    )
    cut = min(cut, len(first) - 1)
    model = ScriptedModel([[*first[:cut], CallRetry("overloaded"), *second], turn("done")])
    workspace = Workspace()
    events = await collect(model, workspace)
    assert workspace.files == {"index.html": page, "style.css": CSS}
    assert writes(events) == workspace.files
    text = "".join(e.delta for e in events if isinstance(e, Text))
    assert text == "I'll build it.done"
    ends = [e.path for e in events if isinstance(e, FileEnd)]
    assert sorted(set(ends)) == ["index.html", "style.css"]
    if not diverge:
        assert len(ends) == 2  # an identical retry adds no second file_end
        assert len([e for e in events if isinstance(e, FileStart)]) == 2


async def test_a_retry_rolls_back_what_the_failed_attempt_applied() -> None:
    workspace = Workspace({"index.html": "<h1>A</h1>"})
    edit = ("edit_file", {"path": "index.html", "old_string": "A", "new_string": "AB"})
    once = turn("", [edit])
    model = ScriptedModel([[*once[:-1], CallRetry("overloaded"), *once], turn("ok")])
    events = await collect(model, workspace)
    assert workspace.files == {"index.html": "<h1>AB</h1>"}  # applied once, not twice
    assert len([e for e in events if isinstance(e, FileEdit)]) == 1


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(safe_paths(), st.text(max_size=300), min_size=1, max_size=6), st.data())
async def test_any_site_round_trips_through_the_stream(files: dict[str, str], data: st.DataObject) -> None:
    sizes = data.draw(st.lists(st.integers(1, 50), min_size=1, max_size=5))
    calls = [("write_file", {"path": p, "content": c}) for p, c in files.items()]
    workspace = Workspace()
    events = await collect(ScriptedModel([turn("go", calls, sizes=sizes), turn("ok")]), workspace)
    assert workspace.files == files
    assert writes(events) == files
    assert json.loads(json.dumps(workspace.files)) == files
