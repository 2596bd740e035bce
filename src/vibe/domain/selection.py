"""Elements picked in the preview (docs/api.md, "Pointing at the page"): what a scoped generation is
about, where those elements are in their file's source, and whether an edit stayed inside them.

A pick names a file, a CSS selector that matches exactly one element of that file in the version the
person looks at, and (optionally) the element's outer HTML as the browser showed it. The source
positions come from an ``ElementLocator`` (an adapter: CSS matching needs a parser); the rules here are
pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import msgspec

from vibe.domain.errors import InvalidInputError
from vibe.domain.projects import ProjectPath

__all__ = [
    "MARKUP_EXTENSIONS",
    "MAX_SELECTED",
    "MAX_SELECTED_HTML_CHARS",
    "MAX_SELECTOR_CHARS",
    "ElementLocator",
    "ElementSpan",
    "Picked",
    "Selected",
    "outside_spans",
    "parse_selection",
    "with_blanks",
]

MAX_SELECTED = 10
MAX_SELECTOR_CHARS = 1_000
MAX_SELECTED_HTML_CHARS = 20_000
MARKUP_EXTENSIONS = (".html", ".htm", ".svg")


class Selected(msgspec.Struct, frozen=True, kw_only=True):
    """One pick as the client sent it, checked for shape (not yet against the file)."""

    path: str
    selector: str
    html: str | None = None


class ElementSpan(msgspec.Struct, frozen=True, kw_only=True):
    """Where one element is in its file's source: ``source[start:end]`` is its outer HTML, and
    ``source[open_end:close_start]`` its inner HTML (empty for a void element). ``text_only`` says its
    children are text alone (no element, no comment): its text can be edited in place."""

    tag: str
    start: int
    open_end: int
    close_start: int
    end: int
    text_only: bool


class ElementLocator(Protocol):
    """Finds elements of an HTML (or SVG) source by CSS selector, with their source positions. A port
    kept beside the values it speaks of (CSS matching needs an HTML parser: an adapter)."""

    def find(self, source: str, selector: str) -> list[ElementSpan]:
        """Every element ``selector`` matches, in document order; InvalidInputError for a selector
        that is not valid CSS."""
        ...


class Picked(msgspec.Struct, frozen=True, kw_only=True):
    """A pick located in the version a generation starts from: its source text is quoted to the model."""

    path: str
    selector: str
    span: ElementSpan
    source: str  # the element's outer HTML as it is in the file
    seen: str | None = None  # its outer HTML as the browser showed it (scripts may have changed it)


def parse_selection(items: Iterable[Selected]) -> tuple[Selected, ...]:
    """The picks, each path normalised; refuses more than ``MAX_SELECTED``, a file that is not markup,
    an empty or oversized selector, an oversized ``html`` and the same element picked twice."""
    picks = tuple(items)
    if len(picks) > MAX_SELECTED:
        raise InvalidInputError(f"At most {MAX_SELECTED} elements may be selected.", field="selection")
    seen: set[tuple[str, str]] = set()
    out: list[Selected] = []
    for pick in picks:
        path = ProjectPath.parse(pick.path)
        if not path.lower().endswith(MARKUP_EXTENSIONS):
            raise InvalidInputError(f"'{path}' is not an HTML or SVG file.", field="selection")
        selector = pick.selector.strip()
        if not selector or len(selector) > MAX_SELECTOR_CHARS or "\x00" in selector:
            raise InvalidInputError(
                f"A selector must be 1 to {MAX_SELECTOR_CHARS} characters.", field="selection"
            )
        if pick.html is not None and len(pick.html) > MAX_SELECTED_HTML_CHARS:
            raise InvalidInputError(
                f"A picked element's html is at most {MAX_SELECTED_HTML_CHARS} characters.", field="selection"
            )
        if (path, selector) in seen:
            raise InvalidInputError(f"'{selector}' in {path} is selected twice.", field="selection")
        seen.add((path, selector))
        out.append(Selected(path=path, selector=selector, html=pick.html))
    return tuple(out)


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def with_blanks(source: str, start: int, end: int) -> tuple[int, int]:
    """``start:end`` widened over the blanks around it on its lines (and one line break after it):
    removing an element alone on its line takes its indentation and line break along."""
    while start > 0 and source[start - 1] in " \t":
        start -= 1
    while end < len(source) and source[end] in " \t":
        end += 1
    if end < len(source) and source[end] == "\n":
        end += 1
    return start, end


def outside_spans(old: str, new: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``new`` differs from ``old`` anywhere but inside ``spans`` (ranges of ``old``): true
    unless ``new`` is ``old`` with each span replaced by some text (text put right before or after
    an element counts as inside it, as a duplicate does).

    The parts of ``old`` between the spans must appear in ``new`` in order, the first at the start and
    the last at the end; taking each middle part at its earliest place leaves the most room for the
    rest, so one left-to-right pass decides it."""
    merged = _merged(spans)
    if not merged:
        return old != new
    cuts = [0, *(edge for span in merged for edge in span), len(old)]
    parts = [old[cuts[i] : cuts[i + 1]] for i in range(0, len(cuts), 2)]
    first, last, middle = parts[0], parts[-1], parts[1:-1]
    if not new.startswith(first) or len(first) + len(last) > len(new) or not new.endswith(last):
        return True
    position = len(first)
    limit = len(new) - len(last)
    for part in middle:
        found = new.find(part, position, limit)
        if found < 0:
            return True
        position = found + len(part)
    return False
