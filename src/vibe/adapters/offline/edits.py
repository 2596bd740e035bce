"""A file's new content as tool calls: ``edit_file`` calls for the changed stretches of lines, each with
just enough unchanged lines around it to occur exactly once where it is applied, or one ``write_file``
when that would be shorter or no unique anchor exists.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from vibe.adapters.offline.replies import ToolCall

__all__ = ["file_calls"]

_MAX_EDITS = 6


def file_calls(path: str, old: str | None, new: str) -> list[ToolCall]:
    """The calls that turn ``old`` (None: no such file) into ``new``; none when they are equal."""
    if old == new:
        return []
    edits = _edits(path, old, new) if old else None
    return edits if edits is not None else [ToolCall("write_file", {"path": path, "content": new})]


def _anchor(draft: list[str], lo: int, hi: int) -> tuple[int, int] | None:
    """The smallest stretch around lines lo..hi whose text occurs once in the draft, first at its place."""
    text = "".join(draft)
    before = after = 0
    while True:
        start, end = lo - before, hi + after
        chunk = "".join(draft[start:end])
        if chunk and text.count(chunk) == 1 and text.find(chunk) == len("".join(draft[:start])):
            return start, end
        if start <= 0 and end >= len(draft):
            return None
        before += start > 0
        after += end < len(draft)


def _edits(path: str, old: str, new: str) -> list[ToolCall] | None:
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    groups = list(SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(0))
    if len(groups) > _MAX_EDITS:
        return None
    draft, shift, calls = list(a), 0, []
    for group in groups:
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        found = _anchor(draft, i1 + shift, i2 + shift)
        if found is None:
            return None
        start, end = found
        replacement = draft[start : i1 + shift] + b[j1:j2] + draft[i2 + shift : end]
        calls.append(
            ToolCall(
                "edit_file",
                {"path": path, "old_string": "".join(draft[start:end]), "new_string": "".join(replacement)},
            )
        )
        draft[start:end] = replacement
        shift += (j2 - j1) - (i2 - i1)
    sent = sum(len(c.input["old_string"]) + len(c.input["new_string"]) for c in calls)
    if "".join(draft) != new or sent > len(new):
        return None
    return calls
