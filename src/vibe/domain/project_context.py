"""The project-context text format: a project's current files as a model is shown them, and back.

The application writes it into the first message of a follow-up; the offline model reads it back, so
both sides share this one definition instead of the adapter importing the application.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["parse_project_context", "render_project_context"]


def render_project_context(files: Mapping[str, str]) -> str:
    """The project's current files as the model sees them; ``parse_project_context`` reverses it.

    Each file carries its length in characters, so contents are taken verbatim, whatever they hold.
    """
    if not files:
        return "<project_files>\n(the project is empty)\n</project_files>"
    parts = ["<project_files>"]
    for path in sorted(files):
        content = files[path]
        parts.append(f'<file path="{path}" chars="{len(content)}">\n{content}\n</file>')
    parts.append("</project_files>")
    return "\n".join(parts)


_FILE_HEADER = re.compile(r'<file path="([^"]*)" chars="(\d+)">\n')


def parse_project_context(text: str) -> dict[str, str]:
    """The files of a context made by ``render_project_context`` (empty when there is none)."""
    files: dict[str, str] = {}
    position = 0
    while match := _FILE_HEADER.search(text, position):
        start = match.end()
        end = start + int(match.group(2))
        files[match.group(1)] = text[start:end]
        position = end
    return files
