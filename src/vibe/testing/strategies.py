"""Explicit Hypothesis strategies for vibe's values (``st.from_type`` ignores msgspec constraints).

Registered through the ``hypothesis`` entry point, so ``st.from_type(Settings)`` and friends work in
any project that installs vibe with its ``testing`` extra.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

from vibe.domain.generations import MAX_PROMPT_CHARS
from vibe.domain.projects import CONTENT_TYPES, MAX_PATH_CHARS
from vibe.domain.users import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS

__all__ = [
    "email_case_variants",
    "emails",
    "invalid_passwords",
    "passwords",
    "prompts",
    "safe_paths",
    "unsafe_paths",
]

_LOCAL = string.ascii_letters + string.digits + "._%+-"
_LABEL = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)


@st.composite
def emails(draw: st.DrawFn) -> str:
    """Valid addresses, ASCII and otherwise, in any case."""
    local = draw(st.text(_LOCAL, min_size=1, max_size=20).filter(lambda s: s.strip(".")))
    labels = draw(st.lists(_LABEL, min_size=1, max_size=3))
    tld = draw(st.sampled_from(["com", "org", "io", "example", "dev", "中国", "рф"]))
    return f"{local}@{'.'.join(labels)}.{tld}"


@st.composite
def email_case_variants(draw: st.DrawFn) -> tuple[str, str]:
    """An email and the same email with other letter case and surrounding spaces."""
    email = draw(emails())
    flips = draw(st.lists(st.booleans(), min_size=len(email), max_size=len(email)))
    variant = "".join(c.swapcase() if flip else c for c, flip in zip(email, flips, strict=True))
    pad = draw(st.sampled_from(["", " ", "\t", "  "]))
    return email, f"{pad}{variant}{pad[::-1]}"


def passwords() -> st.SearchStrategy[str]:
    """Passwords the policy accepts: 8 to 128 characters of any Unicode."""
    return st.text(min_size=MIN_PASSWORD_CHARS, max_size=MAX_PASSWORD_CHARS)


def invalid_passwords() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=MIN_PASSWORD_CHARS - 1),
        st.text(min_size=MAX_PASSWORD_CHARS + 1, max_size=MAX_PASSWORD_CHARS + 40),
    )


def prompts() -> st.SearchStrategy[str]:
    words = st.sampled_from(
        [
            "landing",
            "page",
            "for",
            "a",
            "bakery",
            "dashboard",
            "blog",
            "shop",
            "portfolio",
            "login",
            "dark",
            "blue",
        ]
    )
    return st.one_of(
        st.lists(words, min_size=1, max_size=20).map(" ".join),
        st.text(min_size=1, max_size=200).filter(lambda s: s.strip() and "\x00" not in s),
    ).filter(lambda s: len(s.strip()) <= MAX_PROMPT_CHARS)


_SEGMENT = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=20)


@st.composite
def safe_paths(draw: st.DrawFn) -> str:
    """Relative, normalised paths of known text types."""
    folders = draw(st.lists(_SEGMENT, max_size=3))
    name = draw(_SEGMENT)
    ext = draw(st.sampled_from(sorted(CONTENT_TYPES)))
    path = "/".join([*folders, f"{name}.{ext}"])
    return path[-MAX_PATH_CHARS:] if len(path) > MAX_PATH_CHARS else path


def unsafe_paths() -> st.SearchStrategy[str]:
    """Paths that must be refused: escapes, absolute, control characters, unknown types, too long."""
    return st.one_of(
        safe_paths().map(lambda p: "../" + p),
        safe_paths().map(lambda p: "a/../../" + p),
        safe_paths().map(lambda p: "/" + p),
        safe_paths().map(lambda p: "\\" + p),
        safe_paths().map(lambda p: "C:\\" + p),
        safe_paths().map(lambda p: p.replace(".", "\x00.", 1)),
        st.tuples(safe_paths(), st.characters(categories=["Cc"])).map(lambda t: t[1] + t[0]),
        st.sampled_from(["", ".", "..", "/", "a/..", "index.exe", "photo.png", "noext", "a/b/"]),
        safe_paths().map(lambda p: "x" * MAX_PATH_CHARS + p),
    )


def _hypothesis_setup_hook() -> None:
    """Called by Hypothesis through the entry point: nothing to register globally yet beyond import."""
