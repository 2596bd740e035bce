"""docs/api.md over HTTP with vibe on ``claude-sonnet-5-5`` (the real Claude adapter and SDK,
pointed at the strict stand-in): a generation with tool use, a follow-up, a cancel and a file cut at
the output limit, with the usage billed on the session and in /metrics."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.accounts_http import signed_up
from tests.conftest import JWT_SECRET
from tests.sse import read_stream
from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.entrypoints.http.app import create_app
from vibe.testing import FastHasher
from vibe.testing.loopback import LoopbackServer
from vibe.testing.messages_server import MessagesServer, Reply

# no character JSON escapes: a cut of its JSON is a cut of the text
PAGE = "<!doctype html> <title>Cafe</title> " + " ".join(f"<p>Item {i} of the menu.</p>" for i in range(80))
LIMIT = 300  # VIBE_MAX_OUTPUT_TOKENS for the cut test: the stand-in counts 4 characters a token


def writes(page: str = PAGE, **options: Any) -> Reply:
    return Reply.tool_calls(
        [("write_file", {"path": "index.html", "content": page})], text="Writing.", **options
    )


@pytest.fixture
async def claude_api() -> AsyncIterator[MessagesServer]:
    async with MessagesServer() as server:
        yield server


async def running(
    tmp_path: Path, api: MessagesServer, **settings: object
) -> AsyncIterator[httpx.AsyncClient]:
    config = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        jwt_secret=JWT_SECRET,
        llm="claude",
        anthropic_api_key="test-key",
        anthropic_base_url=api.url,
        sse_heartbeat_seconds=0.2,
        **settings,  # type: ignore[arg-type]
    )
    async with (
        connect(config, hasher=FastHasher()) as vibe,
        LoopbackServer(create_app(vibe)) as server,
        httpx.AsyncClient(base_url=server.url, timeout=20) as http,
    ):
        yield http


@pytest.fixture
async def http(tmp_path: Path, claude_api: MessagesServer) -> AsyncIterator[httpx.AsyncClient]:
    async for client in running(tmp_path, claude_api):
        yield client


async def generate(http: httpx.AsyncClient, headers: dict[str, str], prompt: str, project: str | None = None):  # type: ignore[no-untyped-def]
    body = {"prompt": prompt} | ({"project_id": project} if project else {})
    started = (await http.post("/api/generate", json=body, headers=headers)).json()
    _, frames, _ = await read_stream(http, started["stream_url"], headers)
    session = (await http.get(f"/api/sessions/{started['session_id']}", headers=headers)).json()
    return started, frames, session


def summed(frames, field: str) -> int:  # type: ignore[no-untyped-def]
    return sum(f.data.get(field, 0) for f in frames if f.event == "usage")


async def test_a_generation_and_a_follow_up_on_todays_model(
    http: httpx.AsyncClient, claude_api: MessagesServer
) -> None:
    ada = await signed_up(http, "ada@example.com")
    claude_api.add(writes())
    claude_api.add(Reply.text("A cafe menu page."))
    started, frames, session = await generate(http, ada["headers"], "A cafe menu")
    assert frames[-1].event == "done", frames[-1]
    page = "".join(f.data["delta"] for f in frames if f.event == "file_delta")
    assert page == PAGE
    prose = "".join(f.data["delta"] for f in frames if f.event == "text")
    assert "Writing." in prose  # the note before the tool call, which came inside a thinking block
    for field in ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"):
        assert session["usage"][field] == summed(frames, field)  # the session is what the events billed
    assert session["usage"]["cache_creation_input_tokens"] > 0

    # The follow-up is a new conversation: its first call reads the system prompt and tools from the
    # cache, its second the conversation so far, with the first turn sent back whole.
    rename = {"path": "index.html", "old_string": "Item 0", "new_string": "Soup"}
    claude_api.add(Reply.tool_calls([("edit_file", rename)], text="Renaming the first item."))
    claude_api.add(Reply.text("Renamed the first item."))
    _, frames, session = await generate(http, ada["headers"], "call item 0 Soup", started["project_id"])
    assert frames[-1].event == "done", frames[-1]
    assert frames[-1].data["version"] == 2
    firsts = [f.data for f in frames if f.event == "usage" and f.data["output_tokens"] <= 1]
    assert firsts[0]["cache_read_input_tokens"] > 0
    second_call = claude_api.requests[-1].body["messages"]
    assert second_call[1]["content"][0]["type"] == "thinking"  # the turn went back whole
    file = await http.get(
        f"/api/v1/projects/{started['project_id']}/files/index.html", headers=ada["headers"]
    )
    assert file.text == PAGE.replace("Item 0", "Soup")

    metrics = (await http.get("/metrics")).text
    assert re.search(
        r'vibe_generation_tokens_total\{kind="cache_read",model="claude-sonnet-5-5"\} [1-9]', metrics
    )


async def test_the_model_titles_a_new_site_in_the_same_call(
    http: httpx.AsyncClient, claude_api: MessagesServer
) -> None:
    ada = await signed_up(http, "ada@example.com")
    calls = [
        ("set_title", {"title": "Café Marguerite"}),
        ("write_file", {"path": "index.html", "content": PAGE}),
    ]
    claude_api.add(Reply.tool_calls(calls, text="Naming it, then writing."))
    claude_api.add(Reply.text("A cafe menu page."))
    started, frames, _ = await generate(http, ada["headers"], "A menu page for my cafe called Marguerite")
    assert frames[-1].event == "done", frames[-1]
    tools = [tool["name"] for tool in claude_api.requests[0].body["tools"]]
    assert "set_title" in tools
    project = (await http.get(f"/api/v1/projects/{started['project_id']}", headers=ada["headers"])).json()
    assert project["name"] == "Café Marguerite"


async def test_a_cancelled_generation_keeps_its_bill(
    http: httpx.AsyncClient, claude_api: MessagesServer
) -> None:
    ada = await signed_up(http, "ada@example.com")
    claude_api.add(writes(pause_after=600))
    started = (await http.post("/api/generate", json={"prompt": "A cafe"}, headers=ada["headers"])).json()
    await asyncio.wait_for(claude_api.paused.wait(), 10)
    cancelled = await http.post(f"/api/sessions/{started['session_id']}/cancel", headers=ada["headers"])
    assert cancelled.status_code == 202
    for _ in range(200):
        session = (await http.get(f"/api/sessions/{started['session_id']}", headers=ada["headers"])).json()
        if session["usage"]["cache_creation_input_tokens"] + session["usage"]["input_tokens"] > 0:
            break
        await asyncio.sleep(0.02)
    assert session["status"] == "cancelled"
    assert session["usage"]["cache_creation_input_tokens"] + session["usage"]["input_tokens"] > 0
    assert session["version"] is None


async def test_a_file_cut_at_the_output_limit_is_finished(tmp_path: Path, claude_api: MessagesServer) -> None:
    raw = json.dumps({"path": "index.html", "content": PAGE})
    kept = raw[: LIMIT * 4][len('{"path": "index.html", "content": "') :]
    claude_api.add(Reply.tool_calls([("write_file", {"path": "index.html", "content": PAGE})], reasoning=""))
    claude_api.add(
        Reply.tool_calls(
            [("append_file", {"path": "index.html", "content": PAGE[len(kept) :]})], reasoning=""
        )
    )
    claude_api.add(Reply.text("Finished.", reasoning=""))
    async for http in running(tmp_path, claude_api, max_output_tokens=LIMIT):
        ada = await signed_up(http, "ada@example.com")
        started, frames, _session = await generate(http, ada["headers"], "A cafe")
        assert frames[-1].event == "done", frames[-1]
        assert "".join(f.data["delta"] for f in frames if f.event == "file_delta") == PAGE
        assert [f.event for f in frames].count("file_start") == 1
        file = await http.get(
            f"/api/v1/projects/{started['project_id']}/files/index.html", headers=ada["headers"]
        )
        assert file.text == PAGE
        assert claude_api.requests[0].body["max_tokens"] == LIMIT


async def test_a_file_left_cut_fails_output_truncated_and_saves_nothing(
    tmp_path: Path, claude_api: MessagesServer
) -> None:
    claude_api.add(Reply.tool_calls([("write_file", {"path": "index.html", "content": PAGE})], reasoning=""))
    claude_api.add(Reply.text("I could not finish it.", reasoning=""))
    async for http in running(tmp_path, claude_api, max_output_tokens=LIMIT):
        ada = await signed_up(http, "ada@example.com")
        started, frames, session = await generate(http, ada["headers"], "A cafe")
        assert frames[-1].event == "error"
        assert frames[-1].data["code"] == "output_truncated"
        assert "no files" not in frames[-1].data["message"].lower()
        assert session["status"] == "failed"
        project = (await http.get(f"/api/v1/projects/{started['project_id']}", headers=ada["headers"])).json()
        assert project["current_version"] == 0
