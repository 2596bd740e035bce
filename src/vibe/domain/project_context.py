"""How a project's files are shown to a model, and read back: the text format both sides share.

``render_project_context(files)`` lists every file with its length in characters, so a content is
taken verbatim whatever it holds. ``render_changes(base, current)`` says what changed since such a
listing: new and rewritten files whole, small changes as unified diffs, removed files by name. A
follow-up shows the model a listing it has already seen (which the prompt cache holds) plus the
changes since, instead of a new listing; ``parse_project_context`` reads either back, applying the
changes, so the offline model sees exactly the files the prompt describes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

from vibe.domain.projects import FileEntry

__all__ = [
    "parse_assets",
    "parse_project_context",
    "render_assets",
    "render_changes",
    "render_project_context",
]

_NO_NEWLINE = "\\ No newline at end of file\n"
_ITEM = re.compile(r'<(file|patch) path="([^"]*)" chars="(\d+)">\n|<removed path="([^"]*)"/>\n')
_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def render_project_context(files: Mapping[str, str]) -> str:
    """The project's files as the model sees them; ``parse_project_context`` reverses it."""
    if not files:
        return "<project_files>\n(the project is empty)\n</project_files>"
    parts = ["<project_files>"]
    for path in sorted(files):
        parts.append(_item("file", path, files[path]))
    parts.append("</project_files>")
    return "\n".join(parts)


def render_changes(base: Mapping[str, str], current: Mapping[str, str]) -> str:
    """What changed from ``base`` to ``current``, in the form ``parse_project_context`` applies."""
    parts = [
        "<project_changes>",
        "The project changed since the files above. Its current files are those files with these "
        "changes applied: a <file> replaces a file whole, a <patch> is a unified diff of it, and a "
        "<removed> file is gone.",
    ]
    for path in sorted(current):
        new, old = current[path], base.get(path)
        if old == new:
            continue
        patch = _patch(old, new) if old is not None else None
        if patch is not None and len(patch) * 2 < len(new):
            parts.append(_item("patch", path, patch))
        else:
            parts.append(_item("file", path, new))
    parts.extend(f'<removed path="{path}"/>' for path in sorted(set(base) - set(current)))
    parts.append("</project_changes>")
    return "\n".join(parts)


def parse_project_context(text: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The files a listing (and any changes after it) describe, starting from ``base`` (a changes
    block read on its own applies to the files of the listing before it); empty when there is none."""
    files: dict[str, str] = dict(base or {})
    position = 0
    while match := _ITEM.search(text, position):
        kind, path, chars, removed = match.groups()
        if removed is not None:
            files.pop(removed, None)
            position = match.end()
            continue
        start = match.end()
        end = start + int(chars)
        body = text[start:end]
        files[path] = body if kind == "file" else apply_patch(files.get(path, ""), body)
        position = end
    return files


_ASSET = re.compile(r"^- (.+?) \(([a-z0-9.+/-]+), (\d+) bytes(?:, (\d+)x(\d+) px)?\)$", re.MULTILINE)


def render_assets(assets: Sequence[FileEntry]) -> str:
    """The project's binary files (uploaded images and fonts) by path, type, size and, for images,
    pixel size: the model uses them by path and never sees their bytes. ``parse_assets`` reverses it."""
    lines = [
        "<project_assets>",
        "Binary files the person uploaded into the project. Use them by their path where they belong "
        '(the logo in the header, photos in the hero or a gallery: src="img/logo.png", '
        "url(fonts/brand.woff2) in @font-face). They exist already: never write, edit or delete them, "
        "and give every image a fitting alt text and its width and height.",
    ]
    for asset in sorted(assets, key=lambda a: a.path):
        pixels = f", {asset.width}x{asset.height} px" if asset.width and asset.height else ""
        lines.append(f"- {asset.path} ({asset.content_type}, {asset.size} bytes{pixels})")
    lines.append("</project_assets>")
    return "\n".join(lines)


def parse_assets(text: str) -> list[FileEntry]:
    """The assets a ``render_assets`` block in ``text`` lists (without hashes: the model has none)."""
    start = text.find("<project_assets>")
    end = text.find("</project_assets>", start)
    if start < 0 or end < 0:
        return []
    return [
        FileEntry(
            path=m.group(1),
            content_type=m.group(2),
            size=int(m.group(3)),
            sha256="",
            width=int(m.group(4)) if m.group(4) else None,
            height=int(m.group(5)) if m.group(5) else None,
        )
        for m in _ASSET.finditer(text, start, end)
    ]


def _item(kind: str, path: str, body: str) -> str:
    return f'<{kind} path="{path}" chars="{len(body)}">\n{body}\n</{kind}>'


def _patch(old: str, new: str) -> str | None:
    """A unified diff (3 lines of context) that ``apply_patch`` turns ``old`` into ``new`` with."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    hunks = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(3):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        lines = [f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@\n"]
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                lines += [_line(" ", line) for line in a[a1:a2]]
            else:
                lines += [_line("-", line) for line in a[a1:a2]]
                lines += [_line("+", line) for line in b[b1:b2]]
        hunks.append("".join(lines))
    return "".join(hunks) or None


def _line(mark: str, line: str) -> str:
    return mark + line if line.endswith("\n") else mark + line + "\n" + _NO_NEWLINE


def apply_patch(old: str, patch: str) -> str:
    """``old`` with a unified diff made by ``_patch`` applied (ValueError if it does not fit)."""
    source = old.splitlines(keepends=True)
    out: list[str] = []
    used = 0  # lines of ``source`` consumed
    lines = patch.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        header = _HUNK.match(lines[i])
        if header is None:
            raise ValueError(f"not a hunk header: {lines[i]!r}")
        start = int(header.group(1)) - 1
        out += source[used:start]
        used = start
        i += 1
        while i < len(lines) and not lines[i].startswith("@@"):
            mark, body = lines[i][:1], lines[i][1:]
            if i + 1 < len(lines) and lines[i + 1] == _NO_NEWLINE:
                body = body[:-1]
                i += 1
            if mark in " -":
                if used >= len(source) or source[used] != body:
                    raise ValueError("the patch does not fit the file")
                used += 1
            if mark in " +":
                out.append(body)
            i += 1
    return "".join(out + source[used:])
