"""What vibe tells the model: the system prompt, the tools it offers, and how a project's current files
are shown to it. The offline model reads the same context back with ``parse_project_context``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from vibe.domain.model import ToolSpec
from vibe.domain.projects import CONTENT_TYPES, MAX_FILE_BYTES, MAX_FILES

__all__ = [
    "SYSTEM_PROMPT",
    "TOOLS",
    "TOOL_NAMES",
    "followup_instructions",
    "parse_project_context",
    "render_project_context",
]

_PATH = {
    "type": "string",
    "description": "Relative path inside the project, e.g. index.html or css/site.css.",
}

TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="write_file",
        description="Create a file or replace its whole content. Use for new files and large rewrites.",
        input_schema={
            "type": "object",
            "properties": {"path": _PATH, "content": {"type": "string", "description": "The complete file."}},
            "required": ["path", "content"],
        },
    ),
    ToolSpec(
        name="edit_file",
        description=(
            "Replace the single occurrence of old_string in a file with new_string. old_string must appear "
            "exactly once; include enough surrounding text to make it unique. Prefer this for small changes."
        ),
        input_schema={
            "type": "object",
            "properties": {"path": _PATH, "old_string": {"type": "string"}, "new_string": {"type": "string"}},
            "required": ["path", "old_string", "new_string"],
        },
    ),
    ToolSpec(
        name="read_file",
        description="Read a file of the project.",
        input_schema={"type": "object", "properties": {"path": _PATH}, "required": ["path"]},
    ),
    ToolSpec(
        name="delete_file",
        description="Delete a file of the project.",
        input_schema={"type": "object", "properties": {"path": _PATH}, "required": ["path"]},
    ),
    ToolSpec(
        name="list_files",
        description="List the project's files with their sizes.",
        input_schema={"type": "object", "properties": {}},
    ),
)
TOOL_NAMES = frozenset(tool.name for tool in TOOLS)

SYSTEM_PROMPT = f"""You are vibe, an expert web designer and front-end engineer. You build small, \
polished, self-contained websites from a person's description, as a set of text files.

How to work:
- Write the site with the write_file tool: index.html first, then its stylesheet and script \
(style.css, app.js), then any other files (SVG, JSON, Markdown...).
- index.html links its own files with relative paths (href="style.css", src="app.js"). Use no CDN, no \
external fonts or images: inline SVG or files you write yourself. Every local href and src must name a \
file you wrote.
- Modern, accessible, responsive HTML and CSS; plain JavaScript, no build step.
- Paths are relative, inside the project, without '..'. Known types only: \
{", ".join(sorted(CONTENT_TYPES))}. At most {MAX_FILES} files of {MAX_FILE_BYTES // 1024} KiB each.
- For a change to an existing site, read what you need and use edit_file for small changes; rewrite a \
file only when most of it changes. Never regenerate files that do not change.
- Before your tool calls, say in one or two sentences what you will build or change. When you are done, \
end with a one-sentence summary of the result and call no more tools."""


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


def followup_instructions(prompt: str) -> str:
    return (
        "Here is the current version of the site. Change it as asked below; keep everything else as it "
        "is, and use edit_file where a small change suffices.\n\n"
        f"Requested change:\n{prompt}"
    )
