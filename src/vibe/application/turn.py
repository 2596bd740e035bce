"""One model call of the agent loop: its chunks become stream events and changes to the workspace.

Prose (the model's text, and what it shows of its thinking) goes out as ``text`` events. A tool that
carries file content (``write_file``, ``append_file``) goes out as ``file_start``/``file_delta`` while
the model writes it, decoded by the linear ``ToolInputStream``; every tool call is applied when its
input is complete. What the call billed goes out as ``usage`` events, as the model reports it.

A call that fails mid-answer is made again by the model adapter, which sends ``CallRetry``: the turn
then rolls the workspace back to where it began and replays the new answer against what already went
out, so a retry never sends the same delta twice (``_before``).

A call cut off by the output limit (``max_tokens``) leaves its last tool call unfinished: a file it
was writing is kept as a draft, and ``cut_off_results`` tells the model truthfully where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from vibe.application.tool_stream import ToolInputStream
from vibe.application.tracing import NO_TRACER
from vibe.application.workspace import ToolRefused, Workspace
from vibe.domain.conversation import (
    INVALID_JSON_KEY,
    Billed,
    CallRetry,
    ContentBlock,
    Message,
    ModelChunk,
    TextBlock,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResultBlock,
    ToolUseBlock,
    parse_tool_input,
)
from vibe.domain.events import Event, FileDelta, FileEdit, FileEnd, FileStart, Text, UsageEvent
from vibe.domain.ports import Attribute, Tracer
from vibe.domain.projects import MAX_FILE_BYTES
from vibe.domain.usage import Usage

__all__ = ["Turn"]

_CONTENT_TOOLS = frozenset({"write_file", "append_file"})
_TAIL_CHARS = 300
_RAW_SHOWN = 4000


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
    content: str = ""  # the content decoded so far
    emitted: str = ""  # what went out as file_delta for this call
    started: bool = False  # its file's stream is open (a file_start went out, or an append continues)
    ended: bool = False  # a file_end went out
    edit: tuple[str, str, str] | None = None  # the file_edit that went out
    input: dict[str, Any] | None = None  # None until complete and valid
    result: ToolResultBlock | None = None

    @property
    def raw(self) -> str:
        return "".join(self.json)


class Turn:
    def __init__(self, workspace: Workspace, tracer: Tracer = NO_TRACER) -> None:
        self.workspace = workspace
        self._tracer = tracer
        self.billed = Usage()  # what the call billed, every attempt of it
        self.retries = 0
        self._start = workspace.state()
        self._before: dict[int, _Call] = {}  # what earlier attempts sent, by call index
        self._sent_text = ""  # prose sent so far this turn, across attempts
        self._prose_kind = ""  # "text" or "thinking": the kind of the last prose
        self._billed = Usage()  # what the current attempt reported as billed so far
        self._said = ""  # the prose of the current attempt, as sent or skipped
        self.calls: list[_Call] = []
        self._blocks: list[str | _Call] = []  # text pieces and calls in arrival order
        self.text = ""  # the model's own text (not its thinking) of the last attempt
        self.stop_reason = ""
        self.message: Message | None = None

    async def run(self, chunks: AsyncIterator[ModelChunk]) -> AsyncIterator[Event]:
        async for chunk in chunks:
            for event in self._handle(chunk):
                yield event

    def _handle(self, chunk: ModelChunk) -> list[Event]:
        if isinstance(chunk, TextDelta):
            return self._prose(chunk.text, "text")
        if isinstance(chunk, ThinkingDelta):
            return self._prose(chunk.text, "thinking")
        if isinstance(chunk, ToolCallStart):
            call = _Call(chunk.index, chunk.id, chunk.name)
            self.calls.append(call)
            self._blocks.append(call)
            return []
        if isinstance(chunk, ToolCallDelta):
            return self._delta(self._call(chunk.index), chunk.partial_json)
        if isinstance(chunk, ToolCallEnd):
            return self._finish(self._call(chunk.index))
        if isinstance(chunk, Billed):
            return self._bill(chunk.usage)
        if isinstance(chunk, CallRetry):
            self._restart()
            return []
        self.stop_reason, self.message = chunk.stop_reason, chunk.message
        return self._bill(chunk.usage)

    def _call(self, index: int) -> _Call:
        return next(c for c in reversed(self.calls) if c.index == index)

    def _bill(self, usage: Usage) -> list[Event]:
        fresh, self._billed = usage.since(self._billed), usage
        if fresh.empty:
            return []
        self.billed += fresh
        return [
            UsageEvent(
                input_tokens=fresh.input_tokens,
                output_tokens=fresh.output_tokens,
                cache_creation_input_tokens=fresh.cache_creation_input_tokens,
                cache_read_input_tokens=fresh.cache_read_input_tokens,
            )
        ]

    # --- prose ------------------------------------------------------------------------------------

    def _prose(self, delta: str, kind: str) -> list[Event]:
        if not delta:
            return []
        if kind == "text":
            if self._blocks and isinstance(self._blocks[-1], str):
                self._blocks[-1] += delta
            else:
                self._blocks.append(delta)
            self.text += delta
        if self._prose_kind and kind != self._prose_kind:
            delta = "\n\n" + delta  # thinking and text are separate paragraphs
        self._prose_kind = kind
        return self._say(delta)

    def _say(self, delta: str) -> list[Event]:
        """Send prose, except what an earlier attempt of this call already sent."""
        said = self._said + delta
        self._said = said
        if self._sent_text.startswith(said):
            return []  # a retry repeating what already went out
        if said.startswith(self._sent_text):
            fresh, self._sent_text = said[len(self._sent_text) :], said
            return [Text(delta=fresh)]
        self._sent_text += delta  # the retry says something else: prose cannot be taken back
        return [Text(delta=delta)]

    # --- tool calls -------------------------------------------------------------------------------

    def _delta(self, call: _Call, partial: str) -> list[Event]:
        call.json.append(partial)
        if call.name not in _CONTENT_TOOLS:
            return []
        for piece in call.parser.feed(partial):
            if piece.key == "path" and not call.path_ok:
                call.path += piece.text
                if piece.done:
                    call.path_ok = self._streamable(call)
            elif piece.key == "content":
                call.content += piece.text
        return self._stream_file(call) if call.path_ok else []

    def _streamable(self, call: _Call) -> bool:
        try:
            path = self.workspace.check_path(call.path)
        except ToolRefused:
            return False
        return call.name == "write_file" or path in self.workspace.drafts

    def _stream_file(self, call: _Call) -> list[Event]:
        """Send what is new of the file, against what this call (or its earlier attempt) sent."""
        path = self.workspace.check_path(call.path)
        before = self._before.get(call.index)
        if not call.started and before is not None and before.started and before.path == call.path:
            call.started, call.emitted = True, before.emitted  # resume the earlier attempt's write
        content = call.content
        if len(content) * 4 > MAX_FILE_BYTES and len(content.encode()) > MAX_FILE_BYTES:
            return []  # it will be refused; stop streaming it
        if not call.started and call.name == "append_file":
            call.started = True  # an append continues the draft's open stream
        if call.started and call.emitted.startswith(content):
            return []
        if call.started and content.startswith(call.emitted):
            delta, call.emitted = content[len(call.emitted) :], content
            return [FileDelta(path=path, delta=delta)]
        call.started, call.emitted = True, content  # a new write, or a retry that diverged
        return [FileStart(path=path)] + ([FileDelta(path=path, delta=content)] if content else [])

    def _finish(self, call: _Call) -> list[Event]:
        attributes: dict[str, Attribute] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": call.name,
            "gen_ai.tool.call.id": call.id,
            "vibe.tool.input_chars": len(call.raw),
        }
        with self._tracer.span(f"execute_tool {call.name}", attributes) as span:
            parsed = parse_tool_input(call.raw)
            if parsed is None:
                shown = call.raw if len(call.raw) <= _RAW_SHOWN else call.raw[:_RAW_SHOWN] + "…"
                reason = "The input of this call was not a valid JSON object; nothing was applied. "
                call.result = _error(call, reason + json.dumps({INVALID_JSON_KEY: shown}, ensure_ascii=False))
                span.fail("invalid_tool_input")
                return []
            call.input = parsed
            try:
                content, events = self._apply(call, parsed)
            except ToolRefused as error:
                call.result = _error(call, str(error))
                span.fail("tool_refused")
                return []
            call.result = ToolResultBlock(tool_use_id=call.id, content=content)
            return events

    def _apply(self, call: _Call, args: dict[str, Any]) -> tuple[str, list[Event]]:
        ws = self.workspace
        if call.name in _CONTENT_TOOLS:
            if call.name == "write_file":
                path, size = ws.write(args.get("path"), args.get("content"))
                call.content = str(args["content"])
            else:
                path, size = ws.append(args.get("path"), args.get("content"))
                call.content = str(args["content"])
            call.path, call.path_ok = str(args["path"]), True
            events = self._stream_file(call)  # whatever the stream had not yet sent
            before = self._before.get(call.index)
            repeat = before is not None and before.ended and before.path == call.path
            repeat = repeat and before is not None and before.emitted == call.emitted
            call.ended = True
            done = f"Wrote {path} ({size} bytes)." if call.name == "write_file" else f"Finished {path}."
            return done, events + ([] if repeat else [FileEnd(path=path, size=size)])
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
        if call.name == "set_title":
            return f"The site is titled {ws.set_title(args.get('title'))!r}.", []
        raise ToolRefused(f"There is no tool '{call.name}'.")

    # --- retries ----------------------------------------------------------------------------------

    def _restart(self) -> None:
        """Forget this attempt's answer; remember what it sent so the next one does not repeat it.
        What it billed stays billed: the next attempt reports its own usage from zero."""
        self.retries += 1
        for call in self.calls:
            self._before[call.index] = call
        self.workspace.reset(self._start)
        self.calls, self._blocks, self.text, self._said = [], [], "", ""
        self._prose_kind, self._billed = "", Usage()

    # --- what goes back into the conversation -----------------------------------------------------

    def assistant_message(self) -> Message:
        """The turn as the model returned it, or rebuilt from the chunks when the model gave none."""
        if self.message is not None:
            return self.message
        blocks: list[ContentBlock] = []
        for block in self._blocks:
            if isinstance(block, str):
                if block.strip():
                    blocks.append(TextBlock(text=block))
            else:
                blocks.append(ToolUseBlock(id=block.id, name=block.name, input=block.input or {}))
        return Message(role="assistant", content=tuple(blocks) or (TextBlock(text="(no answer)"),))

    def results(self) -> tuple[ContentBlock, ...]:
        """One tool_result per call, the last marked as a cache breakpoint (later turns read the
        conversation from the cache up to here)."""
        results = [call.result or _error(call, "The tool call was cut off.") for call in self.calls]
        return _mark_last(results)

    def cut_off_results(self, workspace: Workspace) -> tuple[ContentBlock, ...]:
        """The answer to a call the output limit cut off: results for the calls it finished, the
        truth about the one it cut, and what to do next."""
        cut = self.calls[-1] if self.calls and self._blocks and self._blocks[-1] is self.calls[-1] else None
        if cut is not None and cut.input is None:
            cut.result = _error(cut, self._keep_draft(cut, workspace))
        elif not self.calls:
            note = (
                "Your previous response was interrupted by the output limit. Continue from where you "
                "left off, and keep what you write short: use the tools for files."
            )
            return (TextBlock(text=note),)
        return self.results()

    def _keep_draft(self, call: _Call, workspace: Workspace) -> str:
        if call.name not in _CONTENT_TOOLS or not call.path_ok or not call.started:
            return (
                f"Your output reached the output limit in the middle of this {call.name} call, so it "
                "was cut off and nothing of it was applied. Make the call again, smaller if you can."
            )
        try:
            if call.name == "write_file":
                path = workspace.write_draft(call.path, call.content)
            else:
                path, _ = workspace.append(call.path, call.content, complete=False)
        except ToolRefused as error:
            return f"Your output was cut off by the output limit, and what was written is refused: {error}"
        whole = workspace.files[path]
        tail = whole[-_TAIL_CHARS:]
        return (
            f"Your output reached the output limit while you were writing '{path}', so the call was cut "
            f"off. The file holds its first {len(whole)} characters and is not finished; it ends with:\n"
            f"<tail>{tail}</tail>\nCall append_file with path '{path}' and the rest of the file, starting "
            "exactly after that text. Do not repeat what is already there."
        )


def _error(call: _Call, reason: str) -> ToolResultBlock:
    return ToolResultBlock(tool_use_id=call.id, content=reason, is_error=True)


def _mark_last(results: list[ToolResultBlock]) -> tuple[ContentBlock, ...]:
    if results:
        last = results[-1]
        results[-1] = ToolResultBlock(
            tool_use_id=last.tool_use_id, content=last.content, is_error=last.is_error, cache=True
        )
    return tuple(results)
