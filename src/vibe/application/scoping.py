"""Scoped generations (docs/api.md, "Pointing at the page"): the picks located in the version a
generation starts from, how they are quoted to the model, and the check, once the model is done, that
it changed nothing else in their files.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from vibe.domain.errors import InvalidInputError
from vibe.domain.selection import (
    MAX_SELECTED_HTML_CHARS,
    ElementLocator,
    Picked,
    Selected,
    outside_spans,
    with_blanks,
)

__all__ = ["SELECTION_OPEN", "locate", "scope_note", "scoped_instructions"]

SELECTION_OPEN = "<selected_element"


def locate(
    locator: ElementLocator, files: Mapping[str, str], selection: Sequence[Selected]
) -> tuple[Picked, ...]:
    """Each pick located in ``files``; InvalidInputError unless its selector matches exactly one
    element of its file."""
    picked: list[Picked] = []
    for pick in selection:
        source = files.get(pick.path)
        if source is None:
            raise InvalidInputError(f"The current version has no file {pick.path}.", field="selection")
        spans = locator.find(source, pick.selector)
        if len(spans) != 1:
            found = "no element" if not spans else f"{len(spans)} elements"
            raise InvalidInputError(
                f"'{pick.selector[:200]}' matches {found} of {pick.path} in the current version; it must "
                "match exactly one (an element a script made is not in the file).",
                field="selection",
            )
        span = spans[0]
        picked.append(
            Picked(
                path=pick.path,
                selector=pick.selector,
                span=span,
                source=source[span.start : span.end],
                seen=pick.html,
            )
        )
    return tuple(picked)


def scoped_instructions(prompt: str, picked: Sequence[Picked]) -> str:
    """The closing text of a scoped generation's first turn: the picks quoted, then the request."""
    quoted = "\n\n".join(
        f'{SELECTION_OPEN} path="{html.escape(p.path)}" selector="{html.escape(p.selector)}">\n'
        f"{p.source}\n</selected_element>{_as_seen(p)}"
        for p in picked
    )
    return (
        "Here is the current version of the site. The person picked the elements quoted below in its "
        "preview. Change only these elements, as asked below; leave everything else in their files exactly "
        "as it is (touch another file, such as the stylesheet, only when the change cannot be made on the "
        "elements themselves). Each element is quoted exactly as it is in its file: use that text in "
        "edit_file's old_string.\n\n"
        f"{quoted}\n\n"
        f"Requested change:\n{prompt}"
    )


def _as_seen(pick: Picked) -> str:
    """The element as the browser showed it, when that differs from the file (a script changed it);
    indented, so no line of it can pass for the start of another pick."""
    if not pick.seen or " ".join(pick.seen.split()) == " ".join(pick.source.split()):
        return ""
    shown = "\n".join(f"  {line}" for line in pick.seen[:MAX_SELECTED_HTML_CHARS].splitlines())
    return f"\nAs the browser showed it (after the page's scripts ran):\n{shown}"


def scope_note(before: Mapping[str, str], after: Mapping[str, str], picked: Sequence[Picked]) -> str | None:
    """What the reply should say when the edit went beyond the picked elements: a picked file changed
    outside them, or another file changed. None when it stayed inside."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for p in picked:
        spans.setdefault(p.path, []).append(with_blanks(before.get(p.path, ""), p.span.start, p.span.end))
    outside = [
        path
        for path, ranges in sorted(spans.items())
        if path in after and outside_spans(before.get(path, ""), after[path], ranges)
    ]
    outside += [path for path in sorted(set(before) - set(spans)) if before.get(path) != after.get(path)]
    outside += [path for path in sorted(set(after) - set(before) - set(spans))]
    removed = [path for path in sorted(spans) if path not in after]
    if not outside and not removed:
        return None
    parts = []
    if outside:
        parts.append(f"changed {', '.join(outside)} outside the selected elements")
    if removed:
        parts.append(f"deleted {', '.join(removed)}")
    return f"Note: this edit also {' and '.join(parts)}; check the diff."
