"""The working files of one generation, and the tools the model applies to them.

Seeded from the project's current version. Every tool checks everything before it changes anything,
so a refused call leaves the workspace exactly as it was; the refusal's reason goes back to the model.

A file whose writing was cut off by the model's output limit is kept as a *draft*: its text so far,
which only ``append`` may continue. A workspace holding a draft is not a site anyone may commit.
"""

from __future__ import annotations

from collections.abc import Mapping

from vibe.domain.errors import InvalidInputError
from vibe.domain.projects import MAX_FILE_BYTES, MAX_FILES, MAX_VERSION_BYTES, ProjectPath
from vibe.domain.titles import MAX_TITLE_CHARS, clean_text

__all__ = ["ToolRefused", "Workspace"]


class ToolRefused(Exception):
    """A tool call that was not applied; the message says why, for the model."""


class Workspace:
    def __init__(self, files: Mapping[str, str] | None = None) -> None:
        self._files: dict[str, str] = dict(files or {})
        self._drafts: set[str] = set()
        self.title: str | None = None  # what the model named the site (``set_title``)

    def set_title(self, raw: object) -> str:
        """Keep the site's title, cleaned and cut to a title's length."""
        if not isinstance(raw, str):
            raise ToolRefused("'title' must be a string.")
        title = clean_text(raw)[:MAX_TITLE_CHARS].strip()
        if not title:
            raise ToolRefused("'title' must not be empty.")
        self.title = title
        return title

    @property
    def files(self) -> dict[str, str]:
        return dict(self._files)

    @property
    def drafts(self) -> frozenset[str]:
        """Paths whose writing was cut off and not yet finished."""
        return frozenset(self._drafts)

    def state(self) -> tuple[dict[str, str], frozenset[str]]:
        return dict(self._files), frozenset(self._drafts)

    def reset(self, state: tuple[Mapping[str, str], frozenset[str]]) -> None:
        """Go back to a ``state()`` (a retried model call undoes what its failed attempt applied)."""
        files, drafts = state
        self._files, self._drafts = dict(files), set(drafts)

    @staticmethod
    def check_path(raw: object) -> str:
        if not isinstance(raw, str):
            raise ToolRefused("'path' must be a string.")
        try:
            return ProjectPath.parse(raw)
        except InvalidInputError as error:
            raise ToolRefused(error.detail) from None

    def write(self, raw_path: object, content: object) -> tuple[str, int]:
        """Create or replace a file; returns (path, size in UTF-8 bytes)."""
        path = self.check_path(raw_path)
        if not isinstance(content, str):
            raise ToolRefused("'content' must be a string.")
        size = len(content.encode("utf-8"))
        if size > MAX_FILE_BYTES:
            raise ToolRefused(f"'{path}' would be {size} bytes; a file holds at most {MAX_FILE_BYTES}.")
        if path not in self._files and len(self._files) >= MAX_FILES:
            raise ToolRefused(f"The project already holds the maximum of {MAX_FILES} files.")
        total = self.total_bytes() - self.size_of(path) + size
        if total > MAX_VERSION_BYTES:
            raise ToolRefused(
                f"The site would be {total} bytes; a version holds at most {MAX_VERSION_BYTES}."
            )
        self._files[path] = content
        self._drafts.discard(path)
        return path, size

    def write_draft(self, raw_path: object, partial: str) -> str:
        """Keep the text of a write that was cut off, for ``append`` to finish."""
        path, _ = self.write(raw_path, partial)
        self._drafts.add(path)
        return path

    def append(self, raw_path: object, content: object, *, complete: bool = True) -> tuple[str, int]:
        """Continue a draft; with ``complete`` the file is finished. Returns (path, size)."""
        path = self.check_path(raw_path)
        if path not in self._drafts:
            raise ToolRefused(
                f"'{path}' is not a file that was cut off; append_file only continues such a file. "
                "Use write_file or edit_file."
            )
        if not isinstance(content, str):
            raise ToolRefused("'content' must be a string.")
        path, size = self.write(path, self._files[path] + content)
        if not complete:
            self._drafts.add(path)
        return path, size

    def edit(self, raw_path: object, old: object, new: object) -> tuple[str, str]:
        """Replace the single occurrence of ``old``; returns (path, new content)."""
        path = self.check_path(raw_path)
        if not isinstance(old, str) or not isinstance(new, str):
            raise ToolRefused("'old_string' and 'new_string' must be strings.")
        if path not in self._files:
            raise ToolRefused(f"There is no file '{path}'; use write_file to create it.")
        if path in self._drafts:
            raise ToolRefused(f"'{path}' was cut off; finish it with append_file before editing it.")
        if not old:
            raise ToolRefused("'old_string' must not be empty.")
        content = self._files[path]
        count = content.count(old)
        if count != 1:
            raise ToolRefused(
                f"'old_string' must occur exactly once in '{path}' but occurs {count} times; "
                + ("read the file and copy the text exactly." if count == 0 else "include more context.")
            )
        updated = content.replace(old, new, 1)
        self.write(path, updated)
        return path, updated

    def read(self, raw_path: object) -> str:
        path = self.check_path(raw_path)
        if path not in self._files:
            raise ToolRefused(f"There is no file '{path}'.")
        return self._files[path]

    def delete(self, raw_path: object) -> str:
        path = self.check_path(raw_path)
        if self._files.pop(path, None) is None:
            raise ToolRefused(f"There is no file '{path}'.")
        self._drafts.discard(path)
        return path

    def listing(self) -> str:
        if not self._files:
            return "The project has no files yet."
        return "\n".join(f"{path} ({self.size_of(path)} bytes)" for path in sorted(self._files))

    def size_of(self, path: str) -> int:
        return len(self._files[path].encode("utf-8")) if path in self._files else 0

    def total_bytes(self) -> int:
        return sum(len(content.encode("utf-8")) for content in self._files.values())
