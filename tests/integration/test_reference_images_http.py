"""docs/api.md reference images end to end: ``POST /api/generate`` with ``images`` on SQLite and
MariaDB (kept with the session; bad ones are a 422 problem), the Claude adapter sending them as image
blocks that the strict stand-in accepts (and refuses past the API's limits), again on a retry, and
``VIBE_LLM=openai`` refusing them before anything is spent when the model does not see images."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import anthropic
import httpx
import pytest
from PIL import Image

from tests.accounts_http import signed_up
from tests.assets import image
from tests.conftest import JWT_SECRET
from tests.problems import assert_problem
from tests.sse import read_stream
from vibe.adapters.claude import ClaudeModel, ClaudeOptions
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.conversation import ImageBlock, Message, ModelRequest, TextBlock
from vibe.domain.errors import UpstreamError
from vibe.entrypoints.http.app import create_app
from vibe.testing import FastHasher, seams
from vibe.testing.loopback import LoopbackServer
from vibe.testing.messages_server import MessagesServer, Reply

Client = httpx.AsyncClient


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def teal_poster() -> bytes:
    picture = Image.new("RGB", (240, 160), (15, 20, 30))
    picture.paste(Image.new("RGB", (120, 50), (20, 180, 160)), (60, 50))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def settings(any_database_url: str) -> Settings:
    return Settings(database_url=any_database_url, jwt_secret=JWT_SECRET, offline_pace_seconds=0)


async def test_images_are_kept_with_the_session_and_shape_the_offline_site(
    client: Client, vibe: Vibe
) -> None:
    ada = await signed_up(client, "ada@example.com")
    poster, sketch = teal_poster(), image("jpg", (64, 48))
    body = {
        "prompt": "A landing page for a bakery in Paris",
        "images": [
            {"media_type": "image/png", "data": b64(poster)},
            {"media_type": "image/jpeg", "data": b64(sketch)},
        ],
    }
    started = await client.post("/api/generate", json=body, headers=ada["headers"])
    assert started.status_code == 202, started.text
    _, frames, _ = await read_stream(client, started.json()["stream_url"], ada["headers"])
    assert frames[-1].event == "done", frames[-1]
    prose = "".join(f.data["delta"] for f in frames if f.event == "text")
    assert "From your reference image I took its colours" in prose
    assert "cannot copy its layout" in prose
    async with seams.database(vibe)(readonly=True) as uow:
        kept = await uow.generations.images(started.json()["session_id"])
    assert [(i.media_type, i.data) for i in kept] == [("image/png", poster), ("image/jpeg", sketch)]
    project = started.json()["project_id"]
    css = await client.get(f"/api/v1/projects/{project}/files/style.css", headers=ada["headers"])
    assert '"scheme":"dark","accent":"teal"' in css.text
    listed = (await client.get(f"/api/v1/projects/{project}", headers=ada["headers"])).json()["files"]
    assert all(not f["path"].endswith((".png", ".jpg")) for f in listed)  # not added to the site


@pytest.mark.parametrize(
    "images",
    [
        [{"media_type": "image/png", "data": b64(image("png"))}] * 5,
        [{"media_type": "image/avif", "data": b64(image("avif"))}],
        [{"media_type": "image/png", "data": "%%%"}],
        [{"media_type": "image/png", "data": b64(image("gif"))}],
        [{"media_type": "image/png"}],
        [{"media_type": "image/png", "data": b64(image("png", (8001, 2)))}],
        "not a list",
    ],
)
async def test_bad_images_are_a_422_problem(client: Client, images: Any) -> None:
    ada = await signed_up(client, "ada@example.com")
    body = {"prompt": "A bakery", "images": images}
    assert_problem(await client.post("/api/generate", json=body, headers=ada["headers"]), 422)
    sessions = (await client.get("/api/sessions", headers=ada["headers"])).json()
    assert sessions["total"] == 0


# --- Claude, against the strict stand-in -----------------------------------------------------------


@pytest.fixture
async def claude_api() -> AsyncIterator[MessagesServer]:
    async with MessagesServer() as server:
        yield server


async def test_claude_gets_image_blocks_first_and_again_on_a_retry(
    tmp_path: Path, claude_api: MessagesServer
) -> None:
    config = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        jwt_secret=JWT_SECRET,
        llm="claude",
        anthropic_api_key="test-key",
        anthropic_base_url=claude_api.url,
        sse_heartbeat_seconds=0.2,
    )
    claude_api.add(Reply.overloaded())
    claude_api.add(Reply.tool_calls([("write_file", {"path": "index.html", "content": "<h1>Hi</h1>"})]))
    claude_api.add(Reply.text("Done."))
    poster, sketch = teal_poster(), image("webp", (50, 30))
    async with (
        connect(config, hasher=FastHasher()) as vibe,
        LoopbackServer(create_app(vibe)) as server,
        httpx.AsyncClient(base_url=server.url, timeout=30) as http,
    ):
        ada = await signed_up(http, "ada@example.com")
        body = {
            "prompt": "Like this picture",
            "images": [
                {"media_type": "image/png", "data": b64(poster)},
                {"media_type": "image/webp", "data": b64(sketch)},
            ],
        }
        started = (await http.post("/api/generate", json=body, headers=ada["headers"])).json()
        _, frames, _ = await read_stream(http, started["stream_url"], ada["headers"])
    assert frames[-1].event == "done", frames[-1]
    calls = [r for r in claude_api.requests if r.path.endswith("/v1/messages")]
    assert len(calls) >= 2
    for call in calls[:2]:  # the overloaded call and its retry carry the same pictures
        content = call.body["messages"][0]["content"]
        assert content[0] == {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": b64(poster)},
        }
        assert content[1]["source"] == {"type": "base64", "media_type": "image/webp", "data": b64(sketch)}
        assert content[2]["type"] == "text"
        assert content[-1]["text"] == "Like this picture"


async def _no_sleep(_: float) -> None:
    return None


async def test_the_stand_in_refuses_images_past_the_api_limits(claude_api: MessagesServer) -> None:
    client = anthropic.AsyncAnthropic(api_key="test-key", base_url=claude_api.url, max_retries=0)
    model = ClaudeModel(client, "claude-sonnet-5-5", ClaudeOptions(), sleep=_no_sleep, jitter=lambda: 0.5)
    huge = ImageBlock(media_type="image/png", data=image("png", (8001, 1)))
    wrong = ImageBlock(media_type="image/png", data=image("jpg"))
    try:
        for block, reason in ((huge, "8000 pixels"), (wrong, "does not match the provided media type")):
            message = Message(role="user", content=(block, TextBlock(text="look")))
            request = ModelRequest(system=(TextBlock(text="be brief"),), messages=(message,), tools=())
            with pytest.raises(UpstreamError) as refused:
                async for _ in model.stream(request):
                    pass
            assert reason in refused.value.detail
    finally:
        await client.close()


# --- OpenAI-compatible models -----------------------------------------------------------------------


async def test_openai_models_that_do_not_see_images_refuse_them_before_anything_is_spent(
    tmp_path: Path,
) -> None:
    config = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        jwt_secret=JWT_SECRET,
        llm="openai",
        model="llama3.1",
        openai_api_key="sk-test",
        openai_base_url="http://127.0.0.1:9/v1",
    )
    async with (
        connect(config, hasher=FastHasher()) as vibe,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=cast("Any", create_app(vibe))),
            base_url="http://testserver.local",
        ) as http,
    ):
        ada = await signed_up(http, "ada@example.com")
        body = {"prompt": "A bakery", "images": [{"media_type": "image/png", "data": b64(image("png"))}]}
        refused = assert_problem(await http.post("/api/generate", json=body, headers=ada["headers"]), 422)
        assert "does not accept images" in refused["detail"]
        assert (await http.get("/api/sessions", headers=ada["headers"])).json()["total"] == 0
        assert (await http.get("/api/v1/projects", headers=ada["headers"])).json()["total"] == 0


def test_openai_image_parts() -> None:
    from vibe.adapters.openai_compat import _user

    message = Message(
        role="user", content=(ImageBlock(media_type="image/png", data=b"\x89PNG"), TextBlock(text="hi"))
    )
    (turn,) = _user(message)
    assert turn == {
        "role": "user",
        "content": [
            {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64(b"\x89PNG")}},
            {"type": "text", "text": "hi"},
        ],
    }
