"""``vibe publish`` from the shell, and ``vibe serve`` refusing a sites domain on its own origin."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.cli import clean_env, run_vibe
from vibe.bootstrap import connect
from vibe.config import Settings


async def _project(url: str) -> str:
    async with connect(Settings(database_url=url), migrate=True) as app:
        owner = await app.accounts.register("ada@example.com", "password-123")
        project = await app.projects.create(owner, "Ada's Bakery")
        for n in (1, 2):
            await app.projects.commit(project.id, {"index.html": f"<h1>v{n}</h1>"}, f"v{n}")
        return project.id


def test_publish_republish_and_take_down_from_the_shell(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}"
    project_id = asyncio.run(_project(url))
    env = clean_env(VIBE_DATABASE_URL=url, VIBE_SITES_DOMAIN="sites.example.com")
    first = run_vibe("publish", project_id, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "published version 2" in first.stdout
    assert "https://ada-s-bakery.sites.example.com/" in first.stdout
    moved = run_vibe("publish", project_id, "--slug", "bakery", "--version", "1", cwd=tmp_path, env=env)
    assert moved.returncode == 0, moved.stderr
    assert "published version 1" in moved.stdout
    assert "https://bakery.sites.example.com/" in moved.stdout
    for bad in (["--slug", "www"], ["--slug", "No Way"], ["--version", "9"]):
        refused = run_vibe("publish", project_id, *bad, cwd=tmp_path, env=env)
        assert refused.returncode != 0
        assert "Traceback" not in refused.stderr, refused.stderr
    down = run_vibe("publish", project_id, "--unpublish", cwd=tmp_path, env=env)
    assert down.returncode == 0, down.stderr
    off = run_vibe("publish", project_id, cwd=tmp_path, env=clean_env(VIBE_DATABASE_URL=url))
    assert off.returncode != 0
    assert "VIBE_SITES_DOMAIN" in off.stderr


def test_serve_refuses_a_sites_domain_on_the_apps_own_origin(tmp_path: Path) -> None:
    env = clean_env(VIBE_SITES_DOMAIN="vibe.example.com", VIBE_PUBLIC_URL="https://vibe.example.com")
    result = run_vibe("serve", cwd=tmp_path, env=env)
    assert result.returncode != 0
    assert "VIBE_SITES_DOMAIN" in result.stderr
    assert "cookies" in result.stderr
    assert "Traceback" not in result.stderr
