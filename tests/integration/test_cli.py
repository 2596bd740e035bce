"""The ``vibe`` command, run as a subprocess from an empty folder."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.cli import clean_env, run_vibe, serving, wait_until_ready
from vibe.bootstrap import jwt_secret_for
from vibe.config import Settings


@pytest.mark.parametrize(
    "command", [[], ["serve"], ["db"], ["db", "upgrade"], ["users"], ["users", "create-admin"], ["generate"]]
)
def test_help_everywhere(tmp_path: Path, command: list[str]) -> None:
    result = run_vibe(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    env = clean_env(VIBE_DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'x.db'}")
    result = run_vibe("db", "upgrade", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "x.db").stat().st_size > 0


def test_a_bad_setting_stops_the_command_with_a_clear_message(tmp_path: Path) -> None:
    result = run_vibe("db", "upgrade", cwd=tmp_path, env=clean_env(VIBE_MAX_CONCURRENT_GENERATIONS="many"))
    assert result.returncode != 0
    assert "VIBE_MAX_CONCURRENT_GENERATIONS" in result.stderr
    assert "Traceback" not in result.stderr


def test_dotenv_is_read_by_the_cli(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("VIBE_QUEUE=bogus\n")
    result = run_vibe("db", "upgrade", cwd=tmp_path)
    assert result.returncode != 0
    assert "VIBE_QUEUE" in result.stderr


def test_serve_refuses_several_workers_without_redis(tmp_path: Path) -> None:
    result = run_vibe("serve", "--workers", "2", cwd=tmp_path)
    assert result.returncode != 0
    assert "VIBE_REDIS_URL" in result.stderr


def test_serve_in_an_empty_folder_is_ready_within_10_seconds(tmp_path: Path) -> None:
    with serving(tmp_path) as base:
        assert wait_until_ready(f"{base}/readyz", timeout=10) < 10
    assert (tmp_path / "vibe.db").exists()
    secret = tmp_path / "vibe.db.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_the_embedded_jwt_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'db' / 'v.db'}")
    first = jwt_secret_for(settings)
    assert len(first.encode()) >= 32
    assert jwt_secret_for(settings) == first
    assert stat.S_IMODE((tmp_path / "db" / "v.db.secret").stat().st_mode) == 0o600
    assert jwt_secret_for(Settings(database_url="sqlite+aiosqlite://")) != jwt_secret_for(
        Settings(database_url="sqlite+aiosqlite://")
    )


def test_create_admin_reads_the_password_from_stdin(tmp_path: Path) -> None:
    created = run_vibe("users", "create-admin", "Root@Example.com", cwd=tmp_path, input="a strong password\n")
    assert created.returncode == 0, created.stderr
    assert "root@example.com" in created.stdout.lower()
    again = run_vibe("users", "create-admin", "root@example.com", cwd=tmp_path, input="a strong password\n")
    assert again.returncode != 0
    assert "already exists" in again.stderr


def test_create_admin_reads_the_password_from_the_environment(tmp_path: Path) -> None:
    env = clean_env(VIBE_ADMIN_PASSWORD="another strong one")
    assert run_vibe("users", "create-admin", "boss@example.com", cwd=tmp_path, env=env).returncode == 0


@pytest.mark.parametrize("password", ["short", ""])
def test_create_admin_refuses_a_weak_password(tmp_path: Path, password: str) -> None:
    result = run_vibe("users", "create-admin", "boss@example.com", cwd=tmp_path, input=password + "\n")
    assert result.returncode != 0
    assert "at least 8 characters" in result.stderr
    assert "Traceback" not in result.stderr


def test_generate_end_to_end_offline(tmp_path: Path) -> None:
    env = clean_env(VIBE_OFFLINE_PACE_SECONDS="0")
    first = run_vibe(
        "generate", "A portfolio for a photographer called Lens & Light", "-o", "out", cwd=tmp_path, env=env
    )
    assert first.returncode == 0, first.stderr
    assert "version 1" in first.stdout
    assert "offline" in first.stdout
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert files == {"index.html", "style.css", "app.js"}
    page = (tmp_path / "out" / "index.html").read_text()
    assert "Lens &amp; Light" in page
    project_id = first.stdout.split("of project ")[1].split()[0]
    second = run_vibe(
        "generate", "make it green", "--project", project_id, "-o", "out2", cwd=tmp_path, env=env
    )
    assert second.returncode == 0, second.stderr
    assert "version 2" in second.stdout
    assert (tmp_path / "out2" / "style.css").read_text() != (tmp_path / "out" / "style.css").read_text()


def test_generate_failure_exits_non_zero_with_a_clear_message(tmp_path: Path) -> None:
    result = run_vibe("generate", "   ", cwd=tmp_path, env=clean_env(VIBE_OFFLINE_PACE_SECONDS="0"))
    assert result.returncode != 0
    assert "prompt" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    unknown = run_vibe("generate", "x", "--project", "nope", cwd=tmp_path)
    assert unknown.returncode != 0
    assert "No such project" in unknown.stderr
