"""CSS selectors over a file's source, with source positions: ``SoupElementLocator``.

The stdlib ``html.parser`` tokenizer reads the source and records where each element starts and ends;
the tree it builds is made of Beautiful Soup tags, so soupsieve (Beautiful Soup's maintained CSS
selector engine) matches selectors on it exactly as on any soup. The tree follows the source as
written plus the few implicit ends a browser applies most often (``<p>`` before a block, ``<li>``,
``<dt>``/``<dd>``, ``<option>``, table rows and cells) and the ``<tbody>`` it puts around rows written
straight in a ``<table>``, so a selector a browser computed on a
generated page matches the same element here.
"""

from __future__ import annotations

import bisect
import contextlib
from html.parser import HTMLParser

import soupsieve
from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, NavigableString

from vibe.domain.errors import InvalidInputError
from vibe.domain.selection import ElementLocator, ElementSpan

__all__ = ["SoupElementLocator", "parse_elements"]

_WORDS_VOID = "area base br col embed hr img input link meta param source track wbr"
_WORDS_CLOSES_P = (
    "address article aside blockquote details dialog div dl fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul"
)
VOID = frozenset(_WORDS_VOID.split())
_CLOSES_P = frozenset(_WORDS_CLOSES_P.split())
_CLOSES_SIBLING = {
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "option": {"option"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
}


class _Builder(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.soup = BeautifulSoup("", "html.parser")
        self.stack: list[Tag] = [self.soup]
        self.spans: dict[int, list[int]] = {}  # id(tag) -> [start, open_end, close_start, end]
        self.order: list[Tag] = []
        self._lines = [0]
        for index, char in enumerate(source):
            if char == "\n":
                self._lines.append(index + 1)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def _close_top(self, at: int) -> None:
        tag = self.stack.pop()
        span = self.spans[id(tag)]
        span[2] = span[3] = at

    def _open(self, name: str, attrs: list[tuple[str, str | None]]) -> tuple[Tag, int, int]:
        start = self._offset()
        text = self.get_starttag_text() or ""
        top = self.stack[-1].name
        if (name in _CLOSES_P and top == "p") or top in _CLOSES_SIBLING.get(name, ()):
            self._close_top(start)
        if name == "tr" and self.stack[-1].name == "table":  # a browser puts rows in a <tbody>
            body = self.soup.new_tag("tbody")
            self.stack[-1].append(body)
            self.order.append(body)
            self.spans[id(body)] = [start, start, start, start]
            self.stack.append(body)
        tag = self.soup.new_tag(name, attrs={key: value or "" for key, value in attrs})
        self.stack[-1].append(tag)
        self.order.append(tag)
        return tag, start, start + len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element, start, open_end = self._open(tag, attrs)
        self.spans[id(element)] = [start, open_end, open_end, open_end]
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element, start, open_end = self._open(tag, attrs)
        self.spans[id(element)] = [start, open_end, open_end, open_end]

    def handle_endtag(self, tag: str) -> None:
        at = self._offset()
        names = [t.name for t in self.stack[1:]]
        if tag not in names:
            return  # a stray end tag, as a browser ignores it
        depth = len(names) - names[::-1].index(tag)  # index in self.stack of the element it ends
        while len(self.stack) > depth + 1:
            self._close_top(at)
        element = self.stack.pop()
        close = self.source.find(">", at)
        span = self.spans[id(element)]
        span[2], span[3] = at, (close + 1 if close >= 0 else len(self.source))

    def handle_data(self, data: str) -> None:
        self.stack[-1].append(NavigableString(data))

    def handle_comment(self, data: str) -> None:
        self.stack[-1].append(Comment(data))

    def finish(self) -> None:
        self.close()
        while len(self.stack) > 1:
            self._close_top(len(self.source))


class Parsed:
    """One parsed source: its soup, and each element's span."""

    def __init__(self, source: str) -> None:
        builder = _Builder(source)
        with contextlib.suppress(AssertionError):  # html.parser's rare give-up: keep what it read
            builder.feed(source)
            builder.finish()
        while len(builder.stack) > 1:
            builder._close_top(len(source))
        self.soup = builder.soup
        self._spans = builder.spans
        self.elements = builder.order
        self._starts = [builder.spans[id(t)][0] for t in builder.order]

    def span(self, tag: Tag) -> ElementSpan:
        start, open_end, close_start, end = self._spans[id(tag)]
        text_only = all(type(child) is NavigableString for child in tag.children)
        return ElementSpan(
            tag=tag.name,
            start=start,
            open_end=open_end,
            close_start=close_start,
            end=end,
            text_only=text_only and close_start < end,  # it has an end tag of its own
        )

    def select(self, selector: str) -> list[Tag]:
        try:
            return list(soupsieve.select(selector, self.soup))
        # soupsieve refuses what it does not support (pseudo-elements...) with NotImplementedError
        except (
            soupsieve.SelectorSyntaxError,
            ValueError,
            TypeError,
            NotImplementedError,
            RecursionError,
        ) as error:
            raise InvalidInputError(
                f"'{selector[:200]}' is not a valid CSS selector.", field="selection"
            ) from error

    def at(self, offset: int) -> Tag | None:
        """The innermost element whose start tag begins at ``offset`` (None: no element starts there)."""
        index = bisect.bisect_right(self._starts, offset) - 1
        if index >= 0 and self._starts[index] == offset:
            return self.elements[index]
        return None


def parse_elements(source: str) -> Parsed:
    return Parsed(source)


class SoupElementLocator(ElementLocator):
    def find(self, source: str, selector: str) -> list[ElementSpan]:
        parsed = Parsed(source)
        return [parsed.span(tag) for tag in parsed.select(selector)]
