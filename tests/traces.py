"""Reading the spans of one generation, however they were exported (in memory, or JSON lines in
files), and checking that they make one trace in the expected shape."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vibe.application.tracing import CLAIM, COMMIT, QUEUE, RUN

Span = dict[str, Any]  # a span as the SDK's ``ReadableSpan.to_json()`` writes it


def from_sdk(spans: Iterable[Any]) -> list[Span]:
    return [json.loads(span.to_json()) for span in spans]


def from_files(paths: Iterable[Path]) -> list[Span]:
    """Every span of JSON-lines files (what ``OTEL_TRACES_EXPORTER=console`` writes), each with the
    file it came from under ``_file``; other lines are skipped."""
    spans: list[Span] = []
    for path in paths:
        for line in path.read_text().splitlines():
            if line.startswith("{") and '"trace_id"' in line:
                spans.append(json.loads(line) | {"_file": path.name})
    return spans


def trace_id(span: Span) -> str:
    return str(span["context"]["trace_id"])


def one_generation(spans: list[Span], session_id: str) -> list[Span]:
    """The spans of the trace that ran ``session_id``, in the order they started."""
    runs = [s for s in spans if s["name"] == RUN and s["attributes"].get("vibe.session.id") == session_id]
    assert len(runs) == 1, [s["name"] for s in spans]
    found = [s for s in spans if trace_id(s) == trace_id(runs[0])]
    return sorted(found, key=lambda s: str(s["start_time"]))


def assert_request_to_version(trace: list[Span], prompt: str) -> None:
    """One trace from ``POST /api/generate`` to the version: the request, the queueing, the run and
    its claim, each model call with its token counts and tool calls inside, then the commit, in that
    order and each under the step it belongs to; and no prompt text anywhere in it."""
    by_id = {s["context"]["span_id"]: s for s in trace}

    def only(name: str) -> Span:
        matching = [s for s in trace if s["name"] == name]
        assert len(matching) == 1, (name, [s["name"] for s in trace])
        return matching[0]

    def parent(span: Span) -> Span:
        return by_id[span["parent_id"]]

    request = only("POST /api/generate")
    queue, run, claim, commit = only(QUEUE), only(RUN), only(CLAIM), only(COMMIT)
    calls = [s for s in trace if s["name"].startswith("chat ")]
    tools = [s for s in trace if s["name"].startswith("execute_tool ")]
    assert calls, "no model call span"
    assert tools, "no tool call span"
    assert parent(queue) is request
    assert parent(run) is queue
    assert parent(claim) is run
    assert parent(commit) is run
    assert all(parent(call) is run for call in calls)
    assert all(parent(tool) in calls for tool in tools)
    ordered = [s["name"] for s in trace if s in (request, queue, run, claim, calls[0], tools[0], commit)]
    assert ordered == [request["name"], QUEUE, RUN, CLAIM, calls[0]["name"], tools[0]["name"], COMMIT]
    assert str(commit["start_time"]) > str(calls[-1]["end_time"])
    for call in calls:
        assert call["attributes"]["gen_ai.usage.input_tokens"] > 0
        assert call["attributes"]["gen_ai.usage.output_tokens"] > 0
    assert commit["attributes"]["vibe.version"] >= 1
    assert_no_text(trace, prompt)


def assert_no_text(spans: list[Span], text: str) -> None:
    """``text`` (a prompt), or any long word of it, appears in no attribute, event or resource."""
    for words in (text, *(word for word in text.split() if len(word) >= 8)):
        for span in spans:
            shown = json.dumps(
                {k: span.get(k) for k in ("name", "attributes", "events", "resource", "links")}
            )
            assert words not in shown, (words, span["name"])
