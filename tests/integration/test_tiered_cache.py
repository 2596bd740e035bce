"""The cache across processes on Redis: a change made through one process is seen by another at once,
and the hot read behind every token goes to the database once for many concurrent requests."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.accounts_http import signed_up
from tests.conftest import JWT_SECRET, http_client
from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.entrypoints.http.app import create_app
from vibe.testing import FastHasher, seams


async def test_an_update_in_one_process_is_seen_by_another(tmp_path: Path, redis_test_url: str) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        redis_url=redis_test_url,
        jwt_secret=JWT_SECRET,
    )
    async with (
        connect(settings, hasher=FastHasher()) as one,
        connect(settings, hasher=FastHasher(), migrate=False) as two,
        http_client(create_app(one)) as first,
        http_client(create_app(two)) as second,
    ):
        ada = await signed_up(first, "ada@example.com")
        assert (await second.get("/api/v1/users/me", headers=ada["headers"])).json()["display_name"] == "ada"
        url = f"/api/v1/users/{ada['user']['id']}"
        assert (
            await first.patch(url, json={"display_name": "Countess"}, headers=ada["headers"])
        ).status_code == 200
        seen = await wait_for_name(second, ada["headers"], "Countess")
        assert seen < 0.5  # pub/sub invalidation, not the L1 TTL, made it visible


async def wait_for_name(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> float:
    loop = asyncio.get_running_loop()
    started = loop.time()
    while loop.time() - started < 3:
        if (await client.get("/api/v1/users/me", headers=headers)).json()["display_name"] == name:
            return loop.time() - started
        await asyncio.sleep(0.01)
    raise AssertionError("the other process never saw the change")


async def test_concurrent_requests_read_the_user_once(tmp_path: Path, redis_test_url: str) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        redis_url=redis_test_url,
        jwt_secret=JWT_SECRET,
    )
    async with connect(settings, hasher=FastHasher()) as app, http_client(create_app(app)) as client:
        ada = await signed_up(client, "ada@example.com")
        loads = 0
        real = app.accounts._load_user

        async def counting(user_id: str):  # type: ignore[no-untyped-def]
            nonlocal loads
            loads += 1
            await asyncio.sleep(0.05)
            return await real(user_id)

        app.accounts._load_user = counting  # type: ignore[method-assign]
        await seams.cache(app).delete("user:" + ada["user"]["id"])
        responses = await asyncio.gather(
            *(client.get("/api/v1/users/me", headers=ada["headers"]) for _ in range(100))
        )
        assert {r.status_code for r in responses} == {200}
        assert loads == 1
