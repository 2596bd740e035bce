"""Path and size rules shared by the API, the version store and the generation tools."""

from __future__ import annotations

import posixpath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vibe.domain.errors import InvalidInputError
from vibe.domain.projects import (
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_VERSION_BYTES,
    ProjectPath,
    check_file_set,
    content_type_for,
)
from vibe.testing.strategies import safe_paths, unsafe_paths


@given(safe_paths())
def test_safe_paths_are_accepted_and_parsing_is_idempotent(path: str) -> None:
    parsed = ProjectPath.parse(path)
    assert ProjectPath.parse(parsed) == parsed
    assert content_type_for(parsed).endswith("charset=utf-8")


@given(st.text(max_size=300))
def test_no_accepted_path_escapes_the_project(raw: str) -> None:
    try:
        parsed = ProjectPath.parse(raw)
    except InvalidInputError:
        return
    assert not parsed.startswith(("/", "\\"))
    assert ".." not in parsed.split("/")
    assert posixpath.normpath(posixpath.join("/project", parsed)).startswith("/project/")
    assert "\\" not in parsed
    assert "\x00" not in parsed
    assert len(parsed) <= 255
    assert ProjectPath.parse(parsed) == parsed


@given(unsafe_paths())
def test_unsafe_paths_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInputError):
        ProjectPath.parse(raw)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("./index.html", "index.html"), ("css//site.css", "css/site.css"), ("a/./b.js", "a/b.js")],
)
def test_harmless_spellings_are_normalised(raw: str, normalized: str) -> None:
    assert ProjectPath.parse(raw) == normalized


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("mod.mjs", "text/javascript; charset=utf-8"),
        ("data.json", "application/json; charset=utf-8"),
        ("logo.svg", "image/svg+xml; charset=utf-8"),
        ("README.md", "text/markdown; charset=utf-8"),
        ("site.webmanifest", "application/manifest+json; charset=utf-8"),
        ("INDEX.HTML", "text/html; charset=utf-8"),
    ],
)
def test_content_types(path: str, content_type: str) -> None:
    assert content_type_for(ProjectPath.parse(path)) == content_type


def test_file_set_limits() -> None:
    check_file_set({f"f{i}.txt": "x" for i in range(MAX_FILES)})
    with pytest.raises(InvalidInputError):
        check_file_set({f"f{i}.txt": "x" for i in range(MAX_FILES + 1)})
    with pytest.raises(InvalidInputError):
        check_file_set({"big.txt": "x" * (MAX_FILE_BYTES + 1)})
    check_file_set({"big.txt": "é" * (MAX_FILE_BYTES // 2)})
    with pytest.raises(InvalidInputError):
        check_file_set({"big.txt": "é" * (MAX_FILE_BYTES // 2 + 1)})  # bytes, not characters
    with pytest.raises(InvalidInputError):
        check_file_set(
            {f"f{i}.txt": "x" * MAX_FILE_BYTES for i in range(MAX_VERSION_BYTES // MAX_FILE_BYTES + 1)}
        )
