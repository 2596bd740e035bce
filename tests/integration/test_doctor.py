"""``vibe doctor`` against the stand-in Messages API: what it reports when all is well, when the API
refuses the conversation back, that it calls nothing without a key, and how it judges a burst."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import anthropic

from tests.cli import clean_env
from vibe.adapters.claude import ClaudeOptions
from vibe.adapters.claude_doctor import _cadence, _Call, diagnose
from vibe.application.prompting import SYSTEM_PROMPT, TOOLS
from vibe.domain.conversation import TurnEnd
from vibe.testing.messages_server import MessagesServer, Reply

HELLO = "<!doctype html>\n<h1>vibe doctor</h1>\n" + "<p>Lighthouses guide ships at night.</p>\n" * 12


def replies() -> list[Reply]:
    call = Reply.tool_calls(
        [("write_file", {"path": "hello.html", "content": HELLO})], text="Writing it.", delay=0.005
    )
    return [call, Reply.text("Wrote hello.html.")]


async def run(server: MessagesServer) -> object:
    async with anthropic.AsyncAnthropic(api_key="k", base_url=server.url, max_retries=0) as client:
        return await diagnose(client, "claude-sonnet-5-5", ClaudeOptions(), SYSTEM_PROMPT, TOOLS)


async def test_all_is_well_on_a_faithful_api() -> None:
    async with MessagesServer(replies()) as server:
        report = await run(server)
    checks = {c.name: c for c in report.checks}  # type: ignore[attr-defined]
    assert report.ok, report  # type: ignore[attr-defined]
    assert report.model == "claude-sonnet-5-5"  # type: ignore[attr-defined]
    assert "signed" in checks["thinking blocks"].detail
    assert checks["prompt cache"].detail.split()[0] != "0"
    assert report.usage.output_tokens > 0  # type: ignore[attr-defined]
    assert len(server.requests) == 2
    assert server.requests[0].body["max_tokens"] <= 4096  # a small generation


async def test_a_refused_conversation_fails_the_check() -> None:
    async with MessagesServer(
        [replies()[0], Reply.error(400, message="blocks cannot be modified")]
    ) as server:
        report = await run(server)
    assert not report.ok  # type: ignore[attr-defined]
    failed = [c for c in report.checks if not c.ok]  # type: ignore[attr-defined]
    assert [c.name for c in failed] == ["turn sent back"]
    assert "cannot be modified" in failed[0].detail


def test_a_burst_is_not_streaming() -> None:
    end = TurnEnd("tool_use")
    burst = _Call(turn=end, model="m", deltas=[4.95, 4.96, 4.97, 4.98], seconds=5.0)
    live = _Call(turn=end, model="m", deltas=[1.0, 2.0, 3.0, 4.5], seconds=5.0)
    assert not _cadence(burst).ok
    assert _cadence(live).ok


async def test_without_a_key_it_makes_no_call(tmp_path: Path) -> None:
    async with MessagesServer(replies()) as server:
        env = clean_env(
            ANTHROPIC_BASE_URL=server.url, VIBE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'v.db'}"
        )
        done = subprocess.run(  # noqa: ASYNC221 - a command run to its end, nothing to await meanwhile
            [sys.executable, "-m", "vibe.entrypoints.cli", "doctor"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert server.requests == []
    assert done.returncode != 0
    assert "ANTHROPIC_API_KEY" in done.stderr
