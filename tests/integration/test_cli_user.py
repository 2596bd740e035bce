"""``vibe generate --user EMAIL`` writes into that real account, so its projects show in the user's UI;
the hidden local user is kept only while no account exists, and the output says so."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.cli import clean_env, run_vibe
from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.domain.users import User
from vibe.testing import FastHasher

PASSWORD = "correct horse battery"


def register(folder: Path, *emails: str) -> list[User]:
    async def made() -> list[User]:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{folder / 'vibe.db'}")
        async with connect(settings, hasher=FastHasher()) as app:
            return [await app.accounts.register(email, PASSWORD) for email in emails]

    return asyncio.run(made())


def projects_of(folder: Path, user: User) -> list[str]:
    async def listed() -> list[str]:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{folder / 'vibe.db'}")
        async with connect(settings) as app:
            return [p.name for p in (await app.projects.list_projects(user, 20, 0)).items]

    return asyncio.run(listed())


ENV = clean_env(VIBE_OFFLINE_PACE_SECONDS="0")


def test_without_any_account_the_local_user_is_used_and_named(tmp_path: Path) -> None:
    result = run_vibe("generate", "A bakery in Lyon", "-o", "out", cwd=tmp_path, env=ENV)
    assert result.returncode == 0, result.stderr
    assert "local user cli@vibe.local" in result.stdout
    assert "--user EMAIL" in result.stdout


def test_user_puts_the_project_in_that_account(tmp_path: Path) -> None:
    ada, bob = register(tmp_path, "ada@example.com", "bob@example.com")
    result = run_vibe(
        "generate", "A bakery in Lyon", "--user", "ADA@example.com", "-o", "out", cwd=tmp_path, env=ENV
    )
    assert result.returncode == 0, result.stderr
    assert "for ada@example.com" in result.stdout
    assert len(projects_of(tmp_path, ada)) == 1
    assert projects_of(tmp_path, bob) == []
    # Several accounts and none named: refused, with the way out.
    unnamed = run_vibe("generate", "A bakery", "-o", "out2", cwd=tmp_path, env=ENV)
    assert unnamed.returncode != 0
    assert "--user EMAIL" in unnamed.stderr
    unknown = run_vibe("generate", "A bakery", "--user", "nobody@example.com", cwd=tmp_path, env=ENV)
    assert unknown.returncode != 0
    assert "No account for nobody@example.com" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_the_only_account_is_the_default(tmp_path: Path) -> None:
    (ada,) = register(tmp_path, "ada@example.com")
    result = run_vibe("generate", "A bakery in Lyon", "-o", "out", cwd=tmp_path, env=ENV)
    assert result.returncode == 0, result.stderr
    assert "for ada@example.com" in result.stdout
    assert len(projects_of(tmp_path, ada)) == 1
