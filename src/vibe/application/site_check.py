"""Check a finished version, whatever model made it: the HTML parses (tags close in order), and each page
meets the quality criteria: exactly one ``h1``, every image has alternative text, every form control
has a label, no broken local link (files and ``#fragments``), body text contrasts at least 4.5:1 with
its background, and it fits a 360 px screen (a viewport meta, no fixed width beyond 360 px).
Problems are reported on the session; they never fail a generation."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from vibe.application.site_style import SMALL_SCREEN_PX, body_contrast, too_wide
from vibe.domain.contrast import MIN_TEXT_CONTRAST

__all__ = ["check_site"]

_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)
_OPTIONAL_END = frozenset("p li dt dd option optgroup tr td th thead tbody tfoot colgroup rp rt".split())  # noqa: SIM905
_LINKS = {"href", "src", "poster", "data"}
_MAX_PROBLEMS = 20
_UNLABELLED_INPUTS = frozenset({"hidden", "submit", "button", "reset", "image"})


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.problems: list[str] = []
        self.h1 = 0
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, str | None, bool]] = []  # description, id, labelled otherwise
        self.viewport = False
        self.stylesheets: list[str] = []
        self.styles: list[str] = []
        self._open: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        for name, value in attrs:
            if name in _LINKS and value:
                self.links.append(value)
            elif name == "srcset" and value:
                self.links.extend(part.split()[0] for part in value.split(",") if part.strip())
        self._note(tag, found)
        if tag not in _VOID:
            self._open.append(tag)

    def _note(self, tag: str, attrs: dict[str, str]) -> None:
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        self.h1 += tag == "h1"
        named = bool(attrs.get("aria-label", "").strip() or attrs.get("aria-labelledby", "").strip())
        if tag in ("img", "area") or (tag == "input" and attrs.get("type", "").lower() == "image"):
            if "alt" not in attrs:
                self.problems.append(f"<{tag} src='{attrs.get('src', '')}'> has no alt text")
        elif tag == "svg" and attrs.get("role") == "img" and not named:
            self.problems.append("an <svg role='img'> has no aria-label")
        elif tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if tag != "input" or attrs.get("type", "text").lower() not in _UNLABELLED_INPUTS:
                inside = "label" in self._open
                what = f"<{tag} name='{attrs.get('name', '')}'>"
                self.controls.append((what, attrs.get("id"), named or inside or bool(attrs.get("title"))))
        elif tag == "meta" and attrs.get("name", "").lower() == "viewport":
            self.viewport = "width=device-width" in attrs.get("content", "").replace(" ", "").lower()
        elif tag == "link" and "stylesheet" in attrs.get("rel", "").lower().split() and attrs.get("href"):
            self.stylesheets.append(attrs["href"])
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def quality(self) -> list[str]:
        """Problems with the criteria that need the whole page: one h1 and labelled controls."""
        problems = [] if self.h1 == 1 else [f"has {self.h1} <h1> headings; a page needs exactly one"]
        problems += [
            f"{what} has no label"
            for what, control_id, labelled in self.controls
            if not labelled and (control_id is None or control_id not in self.label_for)
        ]
        if not self.viewport:
            problems.append(
                f"has no viewport meta (width=device-width): it will not fit a {SMALL_SCREEN_PX} px screen"
            )
        return problems

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
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


def _link_problems(page: str, parser: _Page, files: Mapping[str, str]) -> list[str]:
    problems: list[str] = []
    for link in dict.fromkeys(parser.links):
        if link.startswith("#"):
            fragment = unquote(link[1:])
            if fragment and fragment != "top" and fragment not in parser.ids:
                problems.append(f"'{link}' points to no element of the page")
            continue
        target = _local_target(page, link)
        if target is not None and target not in files and f"{target}/index.html" not in files:
            problems.append(f"'{link}' does not name a file of the site")
    return problems


def _style_problems(page: str, parser: _Page, files: Mapping[str, str]) -> list[str]:
    sheets = {
        href: files.get(target, "") for href in parser.stylesheets if (target := _local_target(page, href))
    }
    css = "\n".join([*sheets.values(), *parser.styles])
    problems: list[str] = []
    measured = body_contrast(css)
    if measured is not None and measured[0] < MIN_TEXT_CONTRAST:
        ratio, fg, bg = measured
        problems.append(
            f"body text contrast is {ratio:.2f}:1 ({fg} on {bg}); at least {MIN_TEXT_CONTRAST}:1 is needed"
        )
    problems += [f"'{width}' is wider than a {SMALL_SCREEN_PX} px screen" for width in too_wide(css)]
    return problems


def check_site(files: Mapping[str, str]) -> tuple[str, ...]:
    """Human-readable problems of a version, at most 20, ``()`` when there are none."""
    problems: list[str] = []
    for page in sorted(p for p in files if p.lower().endswith((".html", ".htm"))):
        parser = _Page()
        parser.feed(files[page])
        parser.close()
        found = parser.problems + parser.unclosed() + parser.quality()
        found += _link_problems(page, parser, files) + _style_problems(page, parser, files)
        problems += [f"{page}: {problem}" for problem in found]
    if files and not any(p.lower() == "index.html" for p in files):
        problems.append("the site has no index.html")
    return tuple(problems[:_MAX_PROBLEMS])
