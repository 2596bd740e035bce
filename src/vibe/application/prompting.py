"""What vibe tells the model: the system prompt, the tools it offers, and the turn that opens a
generation (the project's files in the shared format of ``vibe.domain.project_context``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vibe.application.scoping import scoped_instructions
from vibe.domain.conversation import ContentBlock, ImageBlock, Message, TextBlock, ToolSpec
from vibe.domain.project_context import (
    parse_project_context,
    render_assets,
    render_changes,
    render_project_context,
)
from vibe.domain.projects import CONTENT_TYPES, MAX_FILE_BYTES, MAX_FILES, FileEntry
from vibe.domain.reference_images import REFERENCE_NOTE, ReferenceImage
from vibe.domain.selection import Picked

__all__ = [
    "SYSTEM_PROMPT",
    "TOOLS",
    "first_message",
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
        streams_content=True,
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
        name="append_file",
        description=(
            "Continue a file whose writing was cut off by the output limit: content is appended exactly "
            "where the file stopped. Only for a file the tool results say was cut off."
        ),
        input_schema={
            "type": "object",
            "properties": {
                "path": _PATH,
                "content": {"type": "string", "description": "The rest of the file, from the cut on."},
            },
            "required": ["path", "content"],
        },
        streams_content=True,
    ),
    ToolSpec(
        name="read_file",
        description="Read a file of the project (only needed for a file not shown in the conversation).",
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
    ToolSpec(
        name="set_title",
        description=(
            "Name a new site: a short title for the project list (2 to 6 words, in the language of the "
            "brief, e.g. 'Bakery in Paris'). Only for a project that has no files yet; call it once."
        ),
        input_schema={
            "type": "object",
            "properties": {"title": {"type": "string", "description": "The site's short title."}},
            "required": ["title"],
        },
    ),
)

SYSTEM_PROMPT = f"""You are vibe, an expert web designer and front-end engineer. You build small, \
polished, self-contained websites from a person's description, as a set of text files.

How to work:
- For a new site (the project has no files yet), first name it with set_title.
- Write the site with the write_file tool: index.html first, then its stylesheet and script \
(style.css, app.js), then any other files (SVG, JSON, Markdown...).
- index.html links its own files with relative paths (href="style.css", src="app.js"). Use no CDN, no \
external fonts or images: inline SVG, files you write yourself, or the uploaded images and fonts the \
project lists as assets. Every local href and src must name a file you wrote or an uploaded asset.
- Modern, accessible, responsive HTML and CSS; plain JavaScript, no build step.
- Paths are relative, inside the project, without '..'. Known types only: \
{", ".join(sorted(CONTENT_TYPES))}. At most {MAX_FILES} files of {MAX_FILE_BYTES // 1024} KiB each.
- For a change to an existing site, the conversation already holds the current content of every \
file: work from it and do not read those files again. Use edit_file for small changes; rewrite a file \
only when most of it changes. Never rewrite files that do not change.
- If a tool result says a file was cut off by the output limit, finish that file with append_file, \
continuing exactly where it stopped.
- Before your tool calls, say in one or two sentences what you will build or change. When you are done, \
end with a one-sentence summary of the result and call no more tools."""


def first_message(
    prompt: str,
    files: Mapping[str, str],
    base: Mapping[str, str] | None = None,
    assets: Sequence[FileEntry] = (),
    images: Sequence[ReferenceImage] = (),
    picked: Sequence[Picked] = (),
) -> Message:
    """The user turn that starts a generation on a project holding ``files``.

    A follow-up shows the files as a listing of ``base`` (default: the files themselves) plus the
    changes since it. The listing is a prompt-cache breakpoint: a follow-up that shows the same base
    as the one before it reads the whole site from the cache and pays only for what changed. Uploaded
    ``assets`` (images, fonts) are listed by path, type, size and pixel size, never their bytes;
    reference ``images`` come first, as image blocks, after the cached listing.
    """
    listed: list[ContentBlock] = [TextBlock(text=render_assets(assets))] if assets else []
    if images:  # pictures first, then the text about them (the vision guide's advice)
        pictures = [ImageBlock(media_type=i.media_type, data=i.data) for i in images]
        listed = [*pictures, TextBlock(text=REFERENCE_NOTE), *listed]
    if not files:
        return Message(role="user", content=(*listed, TextBlock(text=prompt)))
    shown = files if base is None else base
    blocks: list[ContentBlock] = [TextBlock(text=render_project_context(shown), cache=True)]
    if shown != files:
        blocks.append(TextBlock(text=render_changes(shown, files)))
    blocks += listed
    closing = scoped_instructions(prompt, picked) if picked else followup_instructions(prompt)
    blocks.append(TextBlock(text=closing))
    return Message(role="user", content=tuple(blocks))


def followup_instructions(prompt: str) -> str:
    return (
        "Here is the current version of the site. Change it as asked below; keep everything else as it "
        "is, and use edit_file where a small change suffices.\n\n"
        f"Requested change:\n{prompt}"
    )
