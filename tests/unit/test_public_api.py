"""The public surface: ``vibe.__all__`` and ``vibe.testing.__all__`` are exactly what is promised and all
resolve, the README's library example runs as written, and the strategies register with Hypothesis.

Changing a public name is a decision: update the expected set here in the same change.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import vibe
import vibe.testing

ROOT = Path(__file__).resolve().parents[2]

VIBE_API = {
    "AuthenticationError",
    "ConflictError",
    "InvalidInputError",
    "InvalidStateError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "Settings",
    "SettingsError",
    "UnavailableError",
    "UpstreamError",
    "Vibe",
    "VibeError",
    "__version__",
    "connect",
}
TESTING_API = {
    "FAKE_JWT_SECRET",
    "ChatCompletionsServer",
    "Completion",
    "FakeClock",
    "FastHasher",
    "Flavor",
    "InMemoryDatabase",
    "InMemoryUnitOfWork",
    "InMemoryUnitOfWorkFactory",
    "LoopbackServer",
    "MessagesServer",
    "RecordedRequest",
    "Reply",
    "ScriptedModel",
    "SequentialIds",
    "chunk_text",
    "connect_fake",
    "strategies",
    "turn",
}
STRATEGIES_API = {
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
}


def _python(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("module", "expected"),
    [(vibe, VIBE_API), (vibe.testing, TESTING_API), (vibe.testing.strategies, STRATEGIES_API)],
    ids=["vibe", "vibe.testing", "vibe.testing.strategies"],
)
def test_all_is_exactly_the_promised_names_and_each_resolves(module: object, expected: set[str]) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert len(names) == len(set(names)), "a name is listed twice"
    assert set(names) == expected
    for name in names:
        assert getattr(module, name) is not None, name
    assert set(expected) <= set(dir(module))


def test_the_errors_are_one_tree() -> None:
    errors = [getattr(vibe, n) for n in VIBE_API if n.endswith("Error") and n != "SettingsError"]
    assert all(issubclass(error, vibe.VibeError) for error in errors)
    assert issubclass(vibe.SettingsError, ValueError)


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError):
        _ = vibe.no_such_thing
    with pytest.raises(AttributeError):
        _ = vibe.testing.no_such_thing


def test_star_imports_give_exactly_all() -> None:
    probe = textwrap.dedent(
        """
        import json
        before = set(globals())
        from vibe import *
        from vibe.testing import *
        print(json.dumps(sorted(set(globals()) - before - {"before"})))
        """
    )
    result = _python(probe)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) == VIBE_API | TESTING_API


def test_importing_vibe_testing_loads_neither_hypothesis_nor_the_server() -> None:
    result = _python(
        "import sys, vibe.testing; print(sorted(m for m in ('hypothesis', 'uvicorn') if m in sys.modules))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def readme_library_example() -> str:
    """The first ``python`` block of the README's "Use vibe as a library" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Use vibe as a library\n(.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL)
    assert section is not None, "README.md has no 'Use vibe as a library' section"
    block = re.search(r"^```python\n(.*?)^```", section.group(1), re.MULTILINE | re.DOTALL)
    assert block is not None, "the library section has no python example"
    return block.group(1)


def test_the_readme_library_example_runs_as_written(tmp_path: Path) -> None:
    code = readme_library_example()
    assert "vibe.connect(" in code
    assert "app.generate(" in code
    result = _python(code, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "wrote index.html" in lines[0]
    assert any(
        line.endswith("['app.js', 'index.html', 'style.css']") and "version 1" in line for line in lines
    )
    assert lines[-1] == "then version 2"
    assert list(tmp_path.iterdir()) == [], "the example left files in the working directory"


HOOK_PROBE = textwrap.dedent(
    """
    import json
    {first}
    from hypothesis import given, settings, strategies as st
    from vibe.domain.events import Done, Event
    from vibe.domain.users import Email, User, normalize_email
    drawn = []

    @settings(max_examples=30, database=None)
    @given(st.from_type(Email), st.from_type(User), st.from_type(Event), st.from_type(Done))
    def probe(email, user, event, done):
        assert isinstance(email, Email) and email.normalized == normalize_email(email.value)
        assert Email.parse(user.email).normalized == user.email_normalized
        assert user.created_at <= user.updated_at and user.created_at.tzinfo is not None
        assert isinstance(event, Event) and isinstance(done, Done) and done.version >= 1
        drawn.append(type(event).__name__)

    probe()
    print(json.dumps(sorted(set(drawn))))
    """
)


@pytest.mark.parametrize(
    "first",
    ["", "import vibe.testing.strategies"],
    ids=["through-the-entry-point", "strategies-imported-before-hypothesis"],
)
def test_strategies_are_registered_through_the_hypothesis_entry_point(first: str) -> None:
    """Hypothesis loads the hook itself; importing the strategies first must work too (the hook then
    runs while the module is still importing hypothesis)."""
    result = _python(HOOK_PROBE.format(first=first))
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) > 1  # more than one kind of event
