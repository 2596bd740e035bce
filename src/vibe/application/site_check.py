"""Check a finished version: every local ``href``/``src`` of its HTML names one of its files, and the HTML
parses (tags close in order). Problems are reported on the session; they never fail a generation."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

__all__ = ["check_site"]

_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)
_OPTIONAL_END = frozenset("p li dt dd option optgroup tr td th thead tbody tfoot colgroup rp rt".split())  # noqa: SIM905
_LINKS = {"href", "src", "poster", "data"}
_MAX_PROBLEMS = 20


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.problems: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in _LINKS and value:
                self.links.append(value)
            elif name == "srcset" and value:
                self.links.extend(part.split()[0] for part in value.split(",") if part.strip())
        if tag not in _VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if tag not in self._open:
            self.problems.append(f"</{tag}> closes nothing")
            return
        while self._open:
            top = self._open.pop()
            if top == tag:
                return
            if top not in _OPTIONAL_END:
                self.problems.append(f"<{top}> is not closed before </{tag}>")

    def unclosed(self) -> list[str]:
        return [
            f"<{tag}> is never closed"
            for tag in self._open
            if tag not in _OPTIONAL_END | {"html", "body", "head"}
        ]


def _local_target(page: str, link: str) -> str | None:
    """The project path a link points at, or None when it leaves the site (or stays on the page)."""
    parts = urlsplit(link.strip())
    if parts.scheme or parts.netloc or not parts.path or link.startswith(("#", "//")):
        return None
    target = unquote(parts.path)
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), target))


def check_site(files: Mapping[str, str]) -> tuple[str, ...]:
    """Human-readable problems of a version, at most 20, ``()`` when there are none."""
    problems: list[str] = []
    for page in sorted(p for p in files if p.lower().endswith((".html", ".htm"))):
        parser = _Page()
        parser.feed(files[page])
        parser.close()
        problems += [f"{page}: {problem}" for problem in parser.problems + parser.unclosed()]
        for link in dict.fromkeys(parser.links):
            target = _local_target(page, link)
            if target is not None and target not in files and f"{target}/index.html" not in files:
                problems.append(f"{page}: '{link}' does not name a file of the site")
    if files and not any(p.lower() == "index.html" for p in files):
        problems.append("the site has no index.html")
    return tuple(problems[:_MAX_PROBLEMS])
