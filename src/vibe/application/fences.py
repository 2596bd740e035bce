"""Files written as fenced code blocks, for models that answer in prose instead of calling tools.

The model protocol: a fenced ``html`` block in an answer without tool calls becomes ``index.html``. Models
that do not call tools well (small local ones, or any model on a server that takes no tools) write
the whole site that way, so every block is taken: a block is named by a path in its info string
(```` ```css style.css ````, ```` ```html title="about.html" ````) or on the line just before it
(``**about.html**``, ``### app.js``, ``style.css:``), else by its language the way the system prompt
names the site's files (``index.html``, ``style.css``, ``app.js``), the first block of each kind only.
"""

from __future__ import annotations

import re

__all__ = ["fenced_files"]

_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w+#-]*)([^\n]*)\n(.*?)(?:^[ \t]*```[ \t]*$|\Z)", re.M | re.S)
_PATH = re.compile(r"([\w][\w./-]*\.(?:html?|css|m?js|svg|json|md|txt|xml|webmanifest))\b", re.I)
_BY_LANGUAGE = {
    "html": "index.html",
    "css": "style.css",
    "js": "app.js",
    "javascript": "app.js",
    "svg": "image.svg",
    "json": "data.json",
}


def fenced_files(text: str) -> list[tuple[str, str]]:
    """(path, content) of each fenced block of ``text`` that names a file or has a known language;
    a path given twice keeps its last block."""
    files: dict[str, str] = {}
    named_by_language: set[str] = set()
    for match in _FENCE.finditer(text):
        language, info, body = match.group(1).lower(), match.group(2), match.group(3)
        path = _named(info) or _named(_line_before(text, match.start()))
        if path is None:
            path = _BY_LANGUAGE.get(language)
            if path is None or path in named_by_language or path in files:
                continue
            named_by_language.add(path)
        files[path] = body
    return list(files.items())


def _named(text: str) -> str | None:
    found = _PATH.search(text)
    return found.group(1) if found else None


def _line_before(text: str, start: int) -> str:
    lines = text[:start].rstrip("\n").rsplit("\n", 1)
    line = lines[-1] if lines else ""
    return line if len(line) <= 120 else ""
