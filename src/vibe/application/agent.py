"""The agent loop: stream the model's answer, apply its tool calls to the workspace, loop until done.

``run_agent`` is a plain async generator of the contract's stream events. It knows nothing of HTTP,
storage or which model answers. ``write_file`` content goes out as ``file_start``/``file_delta``/
``file_end`` while the model writes it; the deltas of one write, joined, equal the file.

A model call that fails mid-answer is retried by the model adapter, which then sends ``Restart``. The
turn then rolls the workspace back to where the turn began and replays the new answer against what
already went out, so a retry never sends the same delta twice (see ``_Turn``).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import msgspec

from vibe.application.prompting import SYSTEM_PROMPT, TOOLS
from vibe.application.tool_stream import ToolInputStream
from vibe.application.workspace import ToolRefused, Workspace
from vibe.domain.events import Event, FileDelta, FileEdit, FileEnd, FileStart, Text, UsageEvent
from vibe.domain.model import (
    ContentBlock,
    Message,
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
    TurnUsage,
)
from vibe.domain.ports import ModelClient
from vibe.domain.projects import MAX_FILE_BYTES

__all__ = ["run_agent"]

_HTML_FENCE = re.compile(r"```html[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)


async def run_agent(
    model: ModelClient, workspace: Workspace, first_message: Message, *, max_turns: int = 8
) -> AsyncIterator[Event]:
    """Run the conversation that starts with ``first_message`` against ``workspace``."""
    messages = [first_message]
    called_tools = False
    final_text = ""
    for _ in range(max_turns):
        turn = _Turn(workspace)
        request = ModelRequest(
            system=(TextBlock(text=SYSTEM_PROMPT, cache=True),), messages=tuple(messages), tools=TOOLS
        )
        async for event in turn.run(model.stream(request)):
            yield event
        yield _usage_event(turn.usage)
        messages.append(Message(role="assistant", content=turn.assistant_blocks()))
        if not turn.calls:
            final_text = turn.text
            break
        called_tools = True
        messages.append(Message(role="user", content=turn.results()))
    if not called_tools and (fence := _HTML_FENCE.search(final_text)):
        for event in _write_whole(workspace, "index.html", fence.group(1)):
            yield event


def _usage_event(usage: TurnUsage) -> UsageEvent:
    """``input_tokens`` counts every input token, cached or not; the cache fields say how many were."""
    cached = usage.cache_read_input_tokens + usage.cache_creation_input_tokens
    return UsageEvent(
        input_tokens=usage.input_tokens + cached,
        output_tokens=usage.output_tokens,
        cache_creation_input_tokens=usage.cache_creation_input_tokens,
        cache_read_input_tokens=usage.cache_read_input_tokens,
    )


def _write_whole(workspace: Workspace, path: str, content: str) -> list[Event]:
    try:
        path, size = workspace.write(path, content)
    except ToolRefused:
        return []
    return [FileStart(path=path), FileDelta(path=path, delta=content), FileEnd(path=path, size=size)]


@dataclass
class _Call:
    """One tool call of the current attempt."""

    index: int
    id: str
    name: str
    json: list[str] = field(default_factory=list)
    parser: ToolInputStream = field(default_factory=ToolInputStream)
    path: str = ""  # the raw path, once complete
    path_ok: bool = False
    content: str = ""  # the write_file content decoded so far
    emitted: str = ""  # what went out as file_delta for the current write
    started: bool = False  # a file_start went out for this write
    ended: bool = False  # a file_end went out
    edit: tuple[str, str, str] | None = None  # the file_edit that went out
    input: dict[str, Any] = field(default_factory=dict)
    result: ToolResultBlock | None = None


class _Turn:
    """One model call, including the adapter's retries of it."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._start = workspace.files
        self._before: dict[int, _Call] = {}  # what earlier attempts sent, by call index
        self._sent_text = ""  # prose sent so far this turn, across attempts
        self.calls: list[_Call] = []
        self._blocks: list[str | _Call] = []  # text pieces and calls in arrival order
        self.text = ""
        self.usage = TurnUsage()
        self.stop_reason = ""

    async def run(self, chunks: AsyncIterator[Any]) -> AsyncIterator[Event]:
        async for chunk in chunks:
            for event in self._handle(chunk):
                yield event

    def _handle(self, chunk: Any) -> list[Event]:
        if isinstance(chunk, TextDelta):
            return self._text(chunk.text)
        if isinstance(chunk, ToolCallStart):
            call = _Call(chunk.index, chunk.id, chunk.name)
            self.calls.append(call)
            self._blocks.append(call)
            return []
        if isinstance(chunk, ToolCallDelta):
            return self._delta(self._call(chunk.index), chunk.partial_json)
        if isinstance(chunk, ToolCallEnd):
            return self._finish(self._call(chunk.index))
        if isinstance(chunk, Restart):
            self._restart()
        elif isinstance(chunk, TurnEnd):
            self.usage = chunk.usage
            self.stop_reason = chunk.stop_reason
        return []

    def _call(self, index: int) -> _Call:
        return next(c for c in reversed(self.calls) if c.index == index)

    # --- prose ------------------------------------------------------------------------------------

    def _text(self, delta: str) -> list[Event]:
        if self._blocks and isinstance(self._blocks[-1], str):
            self._blocks[-1] += delta
        else:
            self._blocks.append(delta)
        self.text += delta
        if self._sent_text.startswith(self.text):
            return []  # a retry repeating what already went out
        if self.text.startswith(self._sent_text):
            fresh, self._sent_text = self.text[len(self._sent_text) :], self.text
            return [Text(delta=fresh)]
        self._sent_text += delta  # the retry says something else: prose cannot be taken back
        return [Text(delta=delta)]

    # --- tool calls -------------------------------------------------------------------------------

    def _delta(self, call: _Call, partial: str) -> list[Event]:
        call.json.append(partial)
        if call.name != "write_file":
            return []
        for piece in call.parser.feed(partial):
            if piece.key == "path" and not call.path_ok:
                call.path += piece.text
                if piece.done:
                    call.path_ok = self._valid_path(call.path)
            elif piece.key == "content":
                call.content += piece.text
        return self._stream_file(call) if call.path_ok else []

    def _valid_path(self, raw: str) -> bool:
        try:
            self.workspace.check_path(raw)
        except ToolRefused:
            return False
        return True

    def _stream_file(self, call: _Call) -> list[Event]:
        """Send what is new of the file, against what this call (or its earlier attempt) sent."""
        path = self.workspace.check_path(call.path)
        before = self._before.get(call.index)
        if not call.started and before is not None and before.started and before.path == call.path:
            call.started, call.emitted = True, before.emitted  # resume the earlier attempt's write
        content = call.content
        if len(content) * 4 > MAX_FILE_BYTES and len(content.encode()) > MAX_FILE_BYTES:
            return []  # it will be refused; stop streaming it
        if call.started and call.emitted.startswith(content):
            return []
        if call.started and content.startswith(call.emitted):
            delta, call.emitted = content[len(call.emitted) :], content
            return [FileDelta(path=path, delta=delta)]
        call.started, call.emitted = True, content  # a new write, or a retry that diverged
        return [FileStart(path=path)] + ([FileDelta(path=path, delta=content)] if content else [])

    def _finish(self, call: _Call) -> list[Event]:
        try:
            parsed = json.loads("".join(call.json) or "{}")
            if not isinstance(parsed, dict):
                raise ToolRefused("The tool input must be a JSON object.")
            call.input = parsed
            content, events = self._apply(call, parsed)
        except (ToolRefused, ValueError) as error:
            reason = str(error) if isinstance(error, ToolRefused) else "The tool input was not valid JSON."
            call.result = ToolResultBlock(tool_use_id=call.id, content=reason, is_error=True)
            return []
        call.result = ToolResultBlock(tool_use_id=call.id, content=content)
        return events

    def _apply(self, call: _Call, args: dict[str, Any]) -> tuple[str, list[Event]]:
        ws = self.workspace
        if call.name == "write_file":
            path, size = ws.write(args.get("path"), args.get("content"))
            call.path, call.content = str(args["path"]), str(args["content"])
            events = self._stream_file(call)  # whatever the stream had not yet sent
            before = self._before.get(call.index)
            repeat = (
                before is not None and before.ended and before.path == path and before.emitted == call.emitted
            )
            call.ended = True
            return f"Wrote {path} ({size} bytes).", events + (
                [] if repeat else [FileEnd(path=path, size=size)]
            )
        if call.name == "edit_file":
            old, new = args.get("old_string"), args.get("new_string")
            path, _ = ws.edit(args.get("path"), old, new)
            call.edit = (path, str(old), str(new))
            before = self._before.get(call.index)
            if before is not None and before.edit == call.edit:
                return f"Edited {path}.", []
            return f"Edited {path}.", [FileEdit(path=path, old_string=str(old), new_string=str(new))]
        if call.name == "read_file":
            return ws.read(args.get("path")), []
        if call.name == "delete_file":
            return f"Deleted {ws.delete(args.get('path'))}.", []
        if call.name == "list_files":
            return ws.listing(), []
        raise ToolRefused(f"There is no tool '{call.name}'.")

    # --- retries ----------------------------------------------------------------------------------

    def _restart(self) -> None:
        """Forget this attempt's answer; remember what it sent so the next one does not repeat it."""
        for call in self.calls:
            self._before[call.index] = call
        self.workspace.reset(self._start)
        self.calls, self._blocks, self.text = [], [], ""

    # --- what goes back into the conversation -----------------------------------------------------

    def assistant_blocks(self) -> tuple[ContentBlock, ...]:
        blocks: list[ContentBlock] = []
        for block in self._blocks:
            if isinstance(block, str):
                if block.strip():
                    blocks.append(TextBlock(text=block))
            else:
                blocks.append(ToolUseBlock(id=block.id, name=block.name, input=block.input))
        return tuple(blocks) or (TextBlock(text="(no answer)"),)

    def results(self) -> tuple[ContentBlock, ...]:
        results = [
            call.result
            or ToolResultBlock(tool_use_id=call.id, content="The tool call was cut off.", is_error=True)
            for call in self.calls
        ]
        results[-1] = msgspec.structs.replace(results[-1], cache=True)  # later turns read the cache to here
        return tuple(results)
