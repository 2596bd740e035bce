"""Explicit Hypothesis strategies for vibe's values (``st.from_type`` ignores msgspec constraints).

Emails (with case variants), valid and invalid passwords, prompts, safe and unsafe project paths, file
sets, the contract's stream events, and model scripts: whole conversations for ``ScriptedModel`` whose
text and tool-call JSON are cut at arbitrary places, with the files they must leave behind.

Installing vibe registers ``_hypothesis_setup_hook`` through the ``hypothesis`` entry point, so in any
project ``st.from_type`` draws valid values of the domain types that have rules beyond their fields:
``Email``, ``User``, ``Project``, ``Usage`` and every stream ``Event``. Plain strings
(paths, prompts, passwords) have no type of their own: use the functions here for them.
"""

from __future__ import annotations

from typing import Any

# The hook comes first: when this module is the first to import hypothesis, hypothesis runs the hook
# while this module is still half-imported. It therefore registers resolvers that look the strategies
# up only when a test asks for one, by which time the module is complete.


def _hypothesis_setup_hook() -> None:
    """Register the domain types' strategies with ``st.register_type_strategy`` (lazily resolved)."""
    from hypothesis import strategies as hypothesis_strategies

    from vibe.domain import events, projects, usage, users

    types: list[type[Any]] = [users.Email, users.User, projects.Project, usage.Usage]
    types += [events.Event, *events.Event.__subclasses__()]
    for cls in types:
        hypothesis_strategies.register_type_strategy(cls, _strategy_for)


def _strategy_for(cls: type[Any]) -> Any:
    return _BY_TYPE[cls]()


import functools  # noqa: E402
import string  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import msgspec  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from vibe.domain import events as ev  # noqa: E402
from vibe.domain.conversation import ModelChunk  # noqa: E402
from vibe.domain.generations import MAX_PROMPT_CHARS  # noqa: E402
from vibe.domain.projects import CONTENT_TYPES, MAX_PATH_CHARS, Project, Visibility  # noqa: E402
from vibe.domain.usage import Usage  # noqa: E402
from vibe.domain.users import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, Email, Role, User, is_blank  # noqa: E402
from vibe.testing.scripted_model import turn  # noqa: E402

__all__ = [
    "ModelScript",
    "blank_passwords",
    "email_case_variants",
    "emails",
    "events",
    "file_contents",
    "file_sets",
    "invalid_passwords",
    "model_scripts",
    "passwords",
    "projects",
    "prompts",
    "safe_paths",
    "unsafe_paths",
    "users",
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
    """Passwords the policy accepts: 8 to 128 characters of any Unicode, not all of them blank."""
    return st.text(min_size=MIN_PASSWORD_CHARS, max_size=MAX_PASSWORD_CHARS).filter(
        lambda p: not all(is_blank(ch) for ch in p)
    )


BLANKS = " \t\n\x00\x1f\u00a0\u200b\u2028\u3000\ufeff"


def blank_passwords() -> st.SearchStrategy[str]:
    """Passwords long enough but made only of spaces, NULs and other characters that show nothing."""
    return st.text(st.sampled_from(BLANKS), min_size=MIN_PASSWORD_CHARS, max_size=MAX_PASSWORD_CHARS)


def invalid_passwords() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=MIN_PASSWORD_CHARS - 1),
        st.text(min_size=MAX_PASSWORD_CHARS + 1, max_size=MAX_PASSWORD_CHARS + 40),
        blank_passwords(),
    )


_WORDS = ["landing", "page", "for", "a", "bakery", "dashboard", "blog", "shop", "portfolio", "login", "dark"]


def prompts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(st.sampled_from(_WORDS), min_size=1, max_size=20).map(" ".join),
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


def file_contents(max_size: int = 300) -> st.SearchStrategy[str]:
    """Text a file may hold: any Unicode that UTF-8 can encode, JSON's escapes included."""
    tricky = st.sampled_from(['"', "\\", "\n", "\t", "\r", "\x00", "\u2028", "é", "😀", "\\u00e9", "</"])
    return st.lists(st.one_of(tricky, st.characters(codec="utf-8")), max_size=max_size).map("".join)


def file_sets(
    min_size: int = 1, max_size: int = 5, max_chars: int = 300
) -> st.SearchStrategy[dict[str, str]]:
    """A version's files: distinct safe paths (letter case matters) to their contents."""
    return st.dictionaries(safe_paths(), file_contents(max_chars), min_size=min_size, max_size=max_size)


class ModelScript(msgspec.Struct, frozen=True, kw_only=True):
    """The turns of one generation for ``ScriptedModel``, and what they must leave behind.

    ``files`` is the project after the script, starting from ``base``; ``writes`` lists each
    ``write_file`` in order, whose streamed ``file_delta`` deltas must join to its content.
    """

    turns: list[list[ModelChunk]]
    files: dict[str, str]
    writes: list[tuple[str, str]]
    edits: list[tuple[str, str, str]]
    summary: str


_prose = st.text(st.characters(codec="utf-8"), max_size=40)
_sizes = st.lists(st.integers(1, 40), min_size=1, max_size=6)
_usages = st.builds(
    Usage,
    input_tokens=st.integers(0, 10_000),
    output_tokens=st.integers(0, 10_000),
    cache_creation_input_tokens=st.integers(0, 10_000),
    cache_read_input_tokens=st.integers(0, 10_000),
)


@st.composite
def model_scripts(draw: st.DrawFn, base: dict[str, str] | None = None, max_files: int = 4) -> ModelScript:
    """A conversation that writes files (some twice), may edit one, then ends with a summary; every
    turn's prose and tool-call JSON are cut into pieces of arbitrary sizes."""
    files = dict(base or {})
    writes = list(draw(file_sets(max_size=max_files)).items())
    writes += draw(st.lists(st.sampled_from(writes), max_size=1).map(lambda w: [(p, c + "!") for p, c in w]))
    calls: list[tuple[str, dict[str, Any]]] = [("write_file", {"path": p, "content": c}) for p, c in writes]
    files.update(writes)
    edits: list[tuple[str, str, str]] = []
    editable = sorted(path for path, content in files.items() if content)
    wants_edit = draw(st.booleans())
    if editable and wants_edit:
        path = draw(st.sampled_from(editable))
        old, new = files[path], draw(file_contents(40))
        calls.append(("edit_file", {"path": path, "old_string": old, "new_string": new}))
        edits.append((path, old, new))
        files[path] = new
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(calls) - 1)), max_size=2)))
    groups = [calls[a:b] for a, b in zip([0, *cuts], [*cuts, len(calls)], strict=True) if calls[a:b]]
    turns = [turn(draw(_prose), group, sizes=draw(_sizes), usage=draw(_usages)) for group in groups]
    summary = draw(st.text(st.characters(codec="utf-8"), min_size=1, max_size=40).filter(str.strip))
    turns.append(turn(summary, sizes=draw(_sizes), usage=draw(_usages)))
    return ModelScript(turns=turns, files=files, writes=writes, edits=edits, summary=summary)


_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
_IDS = st.text("0123456789abcdefghjkmnpqrstvwxyz", min_size=26, max_size=26)
_NAMES = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Z"]), min_size=1, max_size=60)


@st.composite
def users(draw: st.DrawFn) -> User:
    """Stored users: a parsed email, a role, and ``updated_at`` not before ``created_at``."""
    email = Email.parse(draw(emails()))
    created = draw(_MOMENTS)
    return User(
        id=draw(_IDS),
        email=email.value,
        email_normalized=email.normalized,
        display_name=draw(_NAMES),
        role=draw(st.sampled_from(Role)),
        password_hash=draw(st.text(string.hexdigits, min_size=16, max_size=64)),
        created_at=created,
        updated_at=created + draw(st.timedeltas(timedelta(0), timedelta(days=400))),
    )


@st.composite
def projects(draw: st.DrawFn, owner_id: str | None = None) -> Project:
    created = draw(_MOMENTS)
    return Project(
        id=draw(_IDS),
        owner_id=owner_id or draw(_IDS),
        name=draw(_NAMES),
        description=draw(st.text(max_size=80)),
        visibility=draw(st.sampled_from(Visibility)),
        current_version=0,
        created_at=created,
        updated_at=created,
    )


_COUNTS = st.integers(0, 2**31 - 1)
_TEXT = st.text(st.characters(codec="utf-8"), max_size=60)
_EVENTS: dict[type[ev.Event], st.SearchStrategy[Any]] = {
    ev.Status: st.builds(ev.Status, status=st.sampled_from(["queued", "running", "succeeded", "failed"])),
    ev.Text: st.builds(ev.Text, delta=_TEXT),
    ev.FileStart: st.builds(ev.FileStart, path=safe_paths()),
    ev.FileDelta: st.builds(ev.FileDelta, path=safe_paths(), delta=_TEXT),
    ev.FileEnd: st.builds(ev.FileEnd, path=safe_paths(), size=_COUNTS),
    ev.FileEdit: st.builds(ev.FileEdit, path=safe_paths(), old_string=_TEXT.filter(bool), new_string=_TEXT),
    ev.UsageEvent: st.builds(ev.UsageEvent, input_tokens=_COUNTS, output_tokens=_COUNTS),
    ev.Restart: st.builds(ev.Restart, attempt=st.integers(2, 10)),
    ev.Done: st.builds(
        ev.Done, project_id=_IDS, version=st.integers(1, 10_000), files=st.lists(safe_paths())
    ),
    ev.ErrorEvent: st.builds(ev.ErrorEvent, code=st.sampled_from(["cancelled", "upstream"]), message=_TEXT),
}


def events() -> st.SearchStrategy[ev.Event]:
    """Any stream event of the contract, with data its consumers accept."""
    return st.one_of(*_EVENTS.values())


_BY_TYPE: dict[type[Any], Callable[[], st.SearchStrategy[Any]]] = {
    Email: lambda: emails().map(Email.parse),
    User: users,
    Project: projects,
    Usage: lambda: _usages,
    ev.Event: events,
} | {cls: functools.partial(_EVENTS.__getitem__, cls) for cls in _EVENTS}
