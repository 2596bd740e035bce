"""Fenced code blocks taken as files (for models that do not call tools): named by the info string,
by the line before, else by their language the way the system prompt names files."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vibe.application.fences import fenced_files


def test_blocks_are_named_by_info_string_line_before_or_language() -> None:
    answer = (
        "Here is the site.\n\n**about.html**\n```html\n<h1>About</h1>\n```\n\n"
        '```css title="css/site.css"\nh1 { color: red }\n```\n\n'
        "```html\n<!doctype html><p>Home</p>\n```\n"
        "app.js:\n```javascript\nconsole.log(1)\n```\n"
        "```css\nbody { margin: 0 }\n```\n"
        "```python\nprint('not a site file')\n```\n"
    )
    assert fenced_files(answer) == [
        ("about.html", "<h1>About</h1>\n"),
        ("css/site.css", "h1 { color: red }\n"),
        ("index.html", "<!doctype html><p>Home</p>\n"),
        ("app.js", "console.log(1)\n"),
        ("style.css", "body { margin: 0 }\n"),
    ]


def test_only_the_first_unnamed_block_of_a_language_is_taken() -> None:
    answer = "```html\n<p>one</p>\n```\nand\n```html\n<p>two</p>\n```\n"
    assert fenced_files(answer) == [("index.html", "<p>one</p>\n")]


def test_a_block_cut_off_at_the_end_keeps_what_was_written() -> None:
    assert fenced_files("```html\n<!doctype html><p>cut") == [("index.html", "<!doctype html><p>cut")]


@given(st.text(alphabet=st.characters(blacklist_characters="`"), max_size=200))
def test_text_without_fences_gives_no_files(text: str) -> None:
    assert fenced_files(text) == []


@given(st.text(alphabet=st.characters(blacklist_characters="`\r"), max_size=200))
def test_a_named_block_gives_back_its_content(body: str) -> None:
    content = body if body.endswith("\n") or not body else body + "\n"
    assert fenced_files(f"```html index.html\n{content}```\n") == [("index.html", content)]
