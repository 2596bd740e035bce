"""The working files of one generation, and the tools the model applies to them.

Seeded from the project's current version. Every tool checks everything before it changes anything,
so a refused call leaves the workspace exactly as it was; the refusal's reason goes back to the model.
"""

from __future__ import annotations

from collections.abc import Mapping

from vibe.domain.errors import InvalidInputError
from vibe.domain.projects import MAX_FILE_BYTES, MAX_FILES, MAX_VERSION_BYTES, ProjectPath

__all__ = ["ToolRefused", "Workspace"]


class ToolRefused(Exception):
    """A tool call that was not applied; the message says why, for the model."""


class Workspace:
    def __init__(self, files: Mapping[str, str] | None = None) -> None:
        self._files: dict[str, str] = dict(files or {})

    @property
    def files(self) -> dict[str, str]:
        return dict(self._files)

    def reset(self, files: Mapping[str, str]) -> None:
        """Go back to ``files`` (a retried model call undoes what its failed attempt applied)."""
        self._files = dict(files)

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
        return path, size

    def edit(self, raw_path: object, old: object, new: object) -> tuple[str, str]:
        """Replace the single occurrence of ``old``; returns (path, new content)."""
        path = self.check_path(raw_path)
        if not isinstance(old, str) or not isinstance(new, str):
            raise ToolRefused("'old_string' and 'new_string' must be strings.")
        if path not in self._files:
            raise ToolRefused(f"There is no file '{path}'; use write_file to create it.")
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
        return path

    def listing(self) -> str:
        if not self._files:
            return "The project has no files yet."
        return "\n".join(f"{path} ({self.size_of(path)} bytes)" for path in sorted(self._files))

    def size_of(self, path: str) -> int:
        return len(self._files[path].encode("utf-8")) if path in self._files else 0

    def total_bytes(self) -> int:
        return sum(len(content.encode("utf-8")) for content in self._files.values())
