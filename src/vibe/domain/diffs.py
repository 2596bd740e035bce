"""What changed between two versions of a project, file by file (docs/api.md, "Versions you can read").

Pure: two ``{path: content}`` maps in, a list of ``FileChange`` out. A text file gets a unified diff
(``patch``) whose ``+``/``-`` lines are counted in ``additions``/``deletions``; a file held as bytes
that is not UTF-8 text of a known text type (an image, a font) is compared by its SHA-256 and gets no
patch, only its sizes. Lines are split on ``\\n`` alone, so a ``\\r`` stays part of its line and
``apply_patch(old, patch) == new`` holds for any two texts.
"""

from __future__ import annotations

import difflib
import enum
import hashlib
from collections.abc import Iterator, Mapping

import msgspec

__all__ = ["NO_NEWLINE", "ChangeStatus", "FileChange", "apply_patch", "diff_files", "diff_text"]

NO_NEWLINE = "\\ No newline at end of file"
_TEXT_TYPES = frozenset(
    {"html", "htm", "css", "js", "mjs", "json", "map", "webmanifest", "svg", "md", "txt", "csv", "xml"}
)


class Stored(msgspec.Struct, frozen=True):
    """A binary asset as the version store lists it: its SHA-256 (hex) and size, its bytes not read."""

    sha256: str
    size: int


Content = str | bytes | Stored


class ChangeStatus(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"


class FileChange(msgspec.Struct, frozen=True, kw_only=True):
    """One changed file; ``patch`` is None for a binary asset. Sizes in bytes (None where absent)."""

    path: str
    status: ChangeStatus
    additions: int
    deletions: int
    patch: str | None
    old_size: int | None
    size: int | None


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _as_bytes(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _size(content: Content) -> int:
    return content.size if isinstance(content, Stored) else len(_as_bytes(content))


def _digest(content: Content) -> str:
    return content.sha256 if isinstance(content, Stored) else hashlib.sha256(_as_bytes(content)).hexdigest()


def _as_text(path: str, content: Content) -> str | None:
    """The text of a file, or None for a binary asset (bytes of a non-text type, or not UTF-8)."""
    if isinstance(content, str):
        return content
    if isinstance(content, Stored):
        return None
    if path.rsplit(".", 1)[-1].lower() not in _TEXT_TYPES:
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _patch_lines(old: list[str], new: list[str], path: str, context: int) -> Iterator[str]:
    for line in difflib.unified_diff(old, new, f"a/{path}", f"b/{path}", n=context):
        if line.endswith("\n"):
            yield line
        else:  # the last line of a file without a final newline, as diff(1) marks it
            yield line + "\n" + NO_NEWLINE + "\n"


def diff_text(old: str, new: str, path: str = "file", context: int = 3) -> tuple[str, int, int]:
    """(unified diff, lines added, lines removed) from ``old`` to ``new``; an empty patch when equal."""
    lines = list(_patch_lines(_lines(old), _lines(new), path, context))
    body = lines[2:]  # after the two header lines, which look like a removal and an addition
    additions = sum(1 for line in body if line.startswith("+"))
    deletions = sum(1 for line in body if line.startswith("-"))
    return "".join(lines), additions, deletions


def _change(path: str, old: Content | None, new: Content | None) -> FileChange | None:
    old_size = _size(old) if old is not None else None
    size = _size(new) if new is not None else None
    if old is not None and new is not None:
        if _digest(old) == _digest(new):
            return None
        status = ChangeStatus.MODIFIED
    else:
        status = ChangeStatus.ADDED if old is None else ChangeStatus.REMOVED
    old_text = "" if old is None else _as_text(path, old)
    new_text = "" if new is None else _as_text(path, new)
    if old_text is None or new_text is None:
        return FileChange(
            path=path, status=status, additions=0, deletions=0, patch=None, old_size=old_size, size=size
        )
    patch, additions, deletions = diff_text(old_text, new_text, path)
    return FileChange(
        path=path,
        status=status,
        additions=additions,
        deletions=deletions,
        patch=patch,
        old_size=old_size,
        size=size,
    )


def diff_files(old: Mapping[str, Content], new: Mapping[str, Content]) -> list[FileChange]:
    """Every file added, removed or modified from ``old`` to ``new``, by path; unchanged files are
    left out (so two equal versions give an empty list)."""
    changes = (_change(path, old.get(path), new.get(path)) for path in sorted(old.keys() | new.keys()))
    return [change for change in changes if change is not None]


def apply_patch(old: str, patch: str) -> str:
    """``old`` with a patch of ``diff_text`` applied: the inverse a client (or a test) relies on.
    Raises ValueError when the patch does not fit ``old``."""
    source = _lines(old)
    result: list[str] = []
    at = 0
    lines = _lines(patch)
    i = 0
    while i < len(lines):
        header = lines[i]
        i += 1
        if not header.startswith("@@ "):
            continue
        first, _, length = header.split(" ")[1][1:].partition(",")
        begin = int(first) if length == "0" else int(first) - 1
        if begin < at:
            raise ValueError("the hunks of the patch overlap")
        result.extend(source[at:begin])
        at = begin
        last = ""
        while i < len(lines) and lines[i][:1] in (" ", "-", "+", "\\"):
            body = lines[i]
            i += 1
            if body[0] == "\\":
                if last in (" ", "+") and result:
                    result[-1] = result[-1].removesuffix("\n")
                continue
            last, text = body[0], body[1:]
            if last in (" ", "-"):
                if at >= len(source) or source[at].removesuffix("\n") != text.removesuffix("\n"):
                    raise ValueError(f"the patch does not fit at line {at + 1}")
                at += 1
            if last in (" ", "+"):
                result.append(text)
    result.extend(source[at:])
    return "".join(result)
