"""ARCHITECTURE.md stays true: every module path it names exists, and every name it gives a port or
an adapter is one the code defines."""

from __future__ import annotations

import re
from pathlib import Path

import vibe.adapters.memory
import vibe.adapters.redis.events
import vibe.adapters.sql.events
import vibe.domain.ports

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")


def test_every_module_path_it_names_exists() -> None:
    paths = set(re.findall(r"`(vibe/[\w/.]+)`", TEXT))
    assert len(paths) > 20
    missing = sorted(p for p in paths if not (ROOT / "src" / p).exists())
    assert not missing, f"ARCHITECTURE.md names modules that do not exist: {missing}"


def test_every_link_it_gives_leads_to_a_file() -> None:
    links = set(re.findall(r"\]\(([\w/.]+)\)", TEXT))
    assert links
    assert all((ROOT / link).exists() for link in links), links


def test_the_names_of_ports_and_adapters_are_the_codes() -> None:
    modules = (vibe.domain.ports, vibe.adapters.memory, vibe.adapters.redis.events, vibe.adapters.sql.events)
    named = {"LiveEvents", "EventStore", "Denylist", "RedisLiveEvents", "SqlEventStore"}
    assert named <= set(re.findall(r"`(\w+)`", TEXT))
    assert all(any(hasattr(module, name) for module in modules) for name in named)


def test_tests_reach_behind_the_facade_only_through_the_seams() -> None:
    reaching = re.compile(r"\.container\.\w+\(")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if reaching.search(line)
    ]
    assert not found, f"use vibe.testing.seams instead of Vibe.container: {found}"
