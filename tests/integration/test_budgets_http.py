"""Budgets and estimates (docs/api.md) over real HTTP: a user's usage, an administrator setting a
budget, the 429 with Retry-After and a detail naming the budget, everyone's month for
administrators, and ``POST /api/generate/estimate``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from tests.accounts_http import admin, signed_up
from tests.conftest import JWT_SECRET
from tests.problems import assert_problem
from tests.sse import read_stream
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.domain.budgets import next_month_start
from vibe.domain.conversation import ModelChunk
from vibe.domain.usage import Usage
from vibe.entrypoints.http.app import create_app
from vibe.testing import FastHasher, ScriptedModel, turn
from vibe.testing.loopback import LoopbackServer

CALL = Usage(input_tokens=600, cache_read_input_tokens=300, output_tokens=100)
PAGE = "<!doctype html><title>A</title><h1>Hi</h1>"


def site() -> list[list[ModelChunk]]:
    return [
        turn("Building.", [("write_file", {"path": "index.html", "content": PAGE})], usage=CALL),
        turn("Done.", usage=CALL),
    ]


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


@pytest.fixture
async def vibe(tmp_path: Path, model: ScriptedModel) -> AsyncIterator[Vibe]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        jwt_secret=JWT_SECRET,
        monthly_token_budget=3000,
    )
    async with connect(settings, hasher=FastHasher(), model=model) as app:
        yield app


@pytest.fixture
async def http(vibe: Vibe) -> AsyncIterator[httpx.AsyncClient]:
    app: Litestar = create_app(vibe)
    async with LoopbackServer(app) as server, httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


async def generate(http: httpx.AsyncClient, headers: dict[str, str], prompt: str) -> httpx.Response:
    started = await http.post("/api/generate", json={"prompt": prompt}, headers=headers)
    if started.status_code == 202:
        await read_stream(http, started.json()["stream_url"], headers)
    return started


async def test_a_users_month_and_the_429_that_names_the_budget(
    http: httpx.AsyncClient, model: ScriptedModel
) -> None:
    ada = await signed_up(http, "ada@example.com")
    me = ada["user"]["id"]
    fresh = (await http.get(f"/api/v1/users/{me}/usage", headers=ada["headers"])).json()
    assert set(fresh) >= {"period_start", "input_tokens", "output_tokens", "cache_read_input_tokens",
                          "budget", "remaining"}  # fmt: skip
    assert (fresh["budget"], fresh["remaining"], fresh["input_tokens"]) == (3000, 3000, 0)
    month = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    assert datetime.fromisoformat(fresh["period_start"]) == month
    model.add(*site(), *site())
    assert (await generate(http, ada["headers"], "a page")).status_code == 202
    after = (await http.get(f"/api/v1/users/{me}/usage", headers=ada["headers"])).json()
    assert (after["input_tokens"], after["cache_read_input_tokens"], after["output_tokens"]) == (
        1200,
        600,
        200,
    )
    assert (after["spent"], after["remaining"]) == (2000, 1000)
    assert (await generate(http, ada["headers"], "another page")).status_code == 202  # crosses: 3000
    refused = await http.post("/api/generate", json={"prompt": "a third"}, headers=ada["headers"])
    problem = assert_problem(refused, 429)
    assert "monthly token budget of 3,000 tokens is used up" in problem["detail"]
    next_month = next_month_start(month)
    wait = int(refused.headers["retry-after"])
    assert abs(datetime.now(UTC).timestamp() + wait - next_month.timestamp()) < 5


async def test_an_administrator_sets_budgets_and_sees_everyones_month(
    http: httpx.AsyncClient, vibe: Vibe, model: ScriptedModel
) -> None:
    ada = await signed_up(http, "ada@example.com")
    bob = await signed_up(http, "bob@example.com")
    root = await admin(http, vibe)
    ada_id, bob_id = ada["user"]["id"], bob["user"]["id"]
    assert_problem(
        await http.put(f"/api/v1/users/{ada_id}/budget", json={"monthly_tokens": 9}, headers=ada["headers"]),
        403,
    )
    assert_problem(
        await http.put(f"/api/v1/users/{bob_id}/budget", json={"monthly_tokens": 9}, headers=ada["headers"]),
        404,
    )
    assert_problem(await http.get(f"/api/v1/users/{bob_id}/usage", headers=ada["headers"]), 404)
    assert_problem(await http.get("/api/v1/usage", headers=ada["headers"]), 403)
    for bad in ({"monthly_tokens": -1}, {"monthly_tokens": "lots"}, {}, {"monthly_tokens": 10**16}):
        assert_problem(
            await http.put(f"/api/v1/users/{ada_id}/budget", json=bad, headers=root["headers"]), 422
        )
    set_ = await http.put(
        f"/api/v1/users/{ada_id}/budget", json={"monthly_tokens": 10**6}, headers=root["headers"]
    )
    assert set_.status_code == 200, set_.text
    assert (set_.json()["budget"], set_.json()["own_budget"]) == (10**6, True)
    model.add(*site())
    await generate(http, bob["headers"], "a page")
    everyone = (await http.get("/api/v1/usage?sort=spent&order=desc", headers=root["headers"])).json()
    assert everyone["total"] == 3
    assert everyone["default_budget"] == 3000
    assert everyone["items"][0]["user"]["id"] == bob_id
    assert everyone["items"][0]["spent"] == 2000
    by_budget = (await http.get("/api/v1/usage?sort=budget&order=desc", headers=root["headers"])).json()
    assert by_budget["items"][0]["user"]["id"] == ada_id
    back = await http.put(
        f"/api/v1/users/{ada_id}/budget", json={"monthly_tokens": None}, headers=root["headers"]
    )
    assert (back.json()["budget"], back.json()["own_budget"]) == (3000, False)


async def test_the_estimate_counts_the_first_call_without_spending(
    http: httpx.AsyncClient, vibe: Vibe, model: ScriptedModel
) -> None:
    ada = await signed_up(http, "ada@example.com")
    new = await http.post("/api/generate/estimate", json={"prompt": "a bakery page"}, headers=ada["headers"])
    assert new.status_code == 200, new.text
    body = new.json()
    assert body["counted_by"] == "estimate"  # the scripted model counts nothing itself
    assert body["max_output_tokens"] >= 32_000
    assert 500 < body["input_tokens"] < 5000  # the system prompt and tools, and the prompt
    model.add(*site())
    started = (await http.post("/api/generate", json={"prompt": "a page"}, headers=ada["headers"])).json()
    await read_stream(http, started["stream_url"], ada["headers"])
    project = started["project_id"]
    follow_up = await http.post(
        "/api/generate/estimate",
        json={"prompt": "make it blue", "project_id": project},
        headers=ada["headers"],
    )
    assert follow_up.json()["input_tokens"] > body["input_tokens"]  # the project's files are listed
    assert len(model.requests) == 2  # estimates called no model
    usage = (await http.get(f"/api/v1/users/{ada['user']['id']}/usage", headers=ada["headers"])).json()
    assert usage["spent"] == 2000
    bob = await signed_up(http, "bob@example.com")
    other = await http.post(
        "/api/generate/estimate", json={"prompt": "x", "project_id": project}, headers=bob["headers"]
    )
    assert_problem(other, 404)
    assert_problem(
        await http.post("/api/generate/estimate", json={"prompt": " "}, headers=ada["headers"]), 422
    )
    assert_problem(await http.post("/api/generate/estimate", json={"prompt": "x"}), 401)
