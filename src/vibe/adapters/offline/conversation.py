"""What a model request says, read the way the agent writes it: the user's request and the project's
current files (both from the first user message), and, when the last message answers tool calls, those
calls and their results.
"""

from __future__ import annotations

import html
import re

import msgspec

from vibe.domain.conversation import (
    ImageBlock,
    Message,
    ModelRequest,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
)
from vibe.domain.project_context import parse_assets, parse_project_context, render_project_context
from vibe.domain.projects import FileEntry
from vibe.domain.reference_images import REFERENCE_NOTE

__all__ = ["Outcome", "Reading", "read_request"]

_CONTEXT_START = "<project_files>"
_CHANGES_START = "<project_changes>"
_ASSETS_START = "<project_assets>"
_SKIPPED = (_ASSETS_START, REFERENCE_NOTE)
_REQUEST_MARK = "Requested change:\n"


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """One tool call of the previous turn and what became of it."""

    name: str
    path: str
    error: str | None  # the refusal reason, None when the call succeeded


class Reading(msgspec.Struct, frozen=True, kw_only=True):
    prompt: str
    files: dict[str, str]
    outcomes: tuple[Outcome, ...] | None  # None: a fresh turn; otherwise the results being reported
    assets: tuple[FileEntry, ...] = ()  # the uploaded images and fonts the request lists
    images: tuple[ImageBlock, ...] = ()  # reference pictures sent with the prompt
    selection: tuple[tuple[str, str], ...] = ()  # (path, selector) of elements picked in the preview


_PICKED = re.compile(r'^<selected_element path="([^"]*)" selector="([^"]*)">$', re.MULTILINE)


def _picked(text: str) -> list[tuple[str, str]]:
    """The picks quoted before the request (``vibe.application.scoping``), in their order."""
    return [(html.unescape(path), html.unescape(selector)) for path, selector in _PICKED.findall(text)]


def _split_context(text: str) -> tuple[dict[str, str], str]:
    """The files of a block that opens with the rendered context, and whatever text follows it."""
    if not text.startswith(_CONTEXT_START):
        return {}, text
    files = parse_project_context(text)
    rendered = render_project_context(files)
    if not text.startswith(rendered):
        return {}, text  # it only looks like a context: a prompt quoting <project_files> stays a prompt
    return files, text[len(rendered) :]


def _assets(message: Message | None) -> tuple[FileEntry, ...]:
    for block in message.content if message else ():
        if isinstance(block, TextBlock) and block.text.startswith(_ASSETS_START):
            return tuple(parse_assets(block.text))
    return ()


def _request_parts(message: Message | None) -> tuple[str, dict[str, str], list[tuple[str, str]]]:
    prompt_parts: list[str] = []
    picked: list[tuple[str, str]] = []
    files: dict[str, str] = {}
    for block in message.content if message else ():
        if not isinstance(block, TextBlock) or block.text.startswith(_SKIPPED):
            continue
        if block.text.startswith(_CHANGES_START):  # a follow-up's changes since the listing above
            files = parse_project_context(block.text, files)
            continue
        found, text = _split_context(block.text)
        files.update(found)
        if _REQUEST_MARK in text:
            before, _, request = text.partition(_REQUEST_MARK)
            picked += _picked(before)
            prompt_parts.append(request)
        elif text.strip():
            prompt_parts.append(text)
    return "\n".join(prompt_parts), files, picked


def _outcomes(messages: tuple[Message, ...]) -> tuple[Outcome, ...] | None:
    last = messages[-1] if messages else None
    if last is None or last.role != "user":
        return None
    results = {b.tool_use_id: b for b in last.content if isinstance(b, ToolResultBlock)}
    if not results:
        return None
    calls: list[ToolUseBlock] = []
    if len(messages) > 1 and messages[-2].role == "assistant":
        calls = [b for b in messages[-2].content if isinstance(b, ToolUseBlock)]
    known = {call.id for call in calls}
    outcomes = [
        Outcome(
            name=call.name,
            path=str(call.input.get("path", "")),
            error=results[call.id].content if call.id in results and results[call.id].is_error else None,
        )
        for call in calls
    ]
    outcomes += [
        Outcome(name="tool", path="", error=r.content if r.is_error else None)
        for r in results.values()
        if r.tool_use_id not in known
    ]
    return tuple(outcomes)


def read_request(request: ModelRequest) -> Reading:
    first_user = next((m for m in request.messages if m.role == "user"), None)
    prompt, files, picked = _request_parts(first_user)
    return Reading(
        prompt=prompt,
        files=files,
        outcomes=_outcomes(request.messages),
        assets=_assets(first_user),
        images=tuple(b for b in first_user.content if isinstance(b, ImageBlock)) if first_user else (),
        selection=tuple(picked),
    )
