"""The HTTP house rules: health, problem+json for every error, request ids, nosniff, gzip, CORS."""

from __future__ import annotations

import asyncio
import gzip
import logging
import shutil
from pathlib import Path

import httpx
import pytest
from litestar import Litestar, get, post
from litestar.params import JSONBody

from tests.conftest import JWT_SECRET, http_client
from tests.problems import assert_problem
from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.entrypoints.http.app import create_app
from vibe.testing import seams

Client = httpx.AsyncClient


async def test_ping_healthz_readyz(client: Client) -> None:
    assert (await client.get("/ping")).json() == {"message": "pong"}
    assert (await client.get("/healthz")).status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok"}


async def test_unknown_route_is_a_404_problem(client: Client) -> None:
    assert_problem(await client.get("/no/such/route"), 404)


async def test_wrong_method_is_a_405_problem_with_allow(client: Client) -> None:
    response = await client.delete("/ping")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


@post("/test/echo")
async def echo(data: JSONBody[dict[str, int]]) -> dict[str, int]:
    return data


@get("/test/boom")
async def boom() -> None:
    raise RuntimeError("secret internals /etc/passwd")


@get("/test/big")
async def big() -> dict[str, str]:
    return {"text": "vibe " * 2000}


@pytest.fixture
def app_with_test_routes(app: Litestar) -> Litestar:
    for handler in (echo, boom, big):
        app.register(handler)
    return app


@pytest.fixture
async def tclient(app_with_test_routes: Litestar):  # type: ignore[no-untyped-def]
    async with http_client(app_with_test_routes) as test_client:
        yield test_client


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00", b'{"a": 1', b""])
async def test_undecodable_bodies_are_400_problems(tclient: Client, body: bytes) -> None:
    response = await tclient.post("/test/echo", content=body, headers={"content-type": "application/json"})
    assert_problem(response, 400)


async def test_well_formed_but_invalid_bodies_are_422_problems(tclient: Client) -> None:
    body = assert_problem(await tclient.post("/test/echo", json={"a": "not an int"}), 422)
    assert body["errors"]


async def test_oversized_bodies_are_413_problems(tclient: Client, settings: Settings) -> None:
    response = await tclient.post("/test/echo", content=b"1" * (settings.max_body_bytes + 1))
    assert_problem(response, 413)


async def test_a_crash_is_a_generic_500_logged_with_the_request_id(
    tclient: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="vibe.http"):
        response = await tclient.get("/test/boom", headers={"X-Request-ID": "crash-42"})
    body = assert_problem(response, 500)
    assert "secret internals" not in response.text
    assert "passwd" not in body["detail"]
    record = next(r for r in caplog.records if r.name == "vibe.http")
    assert "crash-42" in record.getMessage()
    assert record.exc_info is not None


@pytest.mark.parametrize("incoming", ["abc", "A.b_c-9", "x" * 128])
async def test_a_well_formed_request_id_is_echoed(client: Client, incoming: str) -> None:
    assert (await client.get("/ping", headers={"X-Request-ID": incoming})).headers["x-request-id"] == incoming


@pytest.mark.parametrize("incoming", ["", "x" * 129, "has space", "semi;colon", "ünïcode", "a/b"])
async def test_a_malformed_request_id_is_replaced(client: Client, incoming: str) -> None:
    raw = incoming.encode("utf-8")
    outgoing = (await client.get("/ping", headers={b"X-Request-ID": raw})).headers["x-request-id"]
    assert outgoing.encode() != raw
    assert 1 <= len(outgoing) <= 128


async def test_every_response_has_a_fresh_request_id_and_nosniff(client: Client) -> None:
    seen = set()
    for path in ("/ping", "/nope", "/readyz"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        seen.add(response.headers["x-request-id"])
    assert len(seen) == 3


async def test_large_bodies_are_gzipped_when_accepted(tclient: Client) -> None:
    response = await tclient.get("/test/big", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["text"].startswith("vibe vibe")
    plain = await tclient.get("/test/big", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    small = await tclient.get("/ping", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    assert gzip.compress(plain.content)  # the plain body is the real thing


async def test_readyz_is_503_when_the_database_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{folder / 'vibe.db'}", jwt_secret=JWT_SECRET)
    async with connect(settings) as vibe, http_client(create_app(vibe)) as client:
        assert (await client.get("/readyz")).status_code == 200
        await seams.drop_connections(vibe)
        shutil.rmtree(folder)
        body = assert_problem(await client.get("/readyz"), 503)
        assert "database" in body["detail"]
        assert (await client.get("/healthz")).status_code == 200
        await asyncio.sleep(0.2)  # let aiosqlite's thread for the failed connection end before the loop does


async def test_readyz_is_503_when_mysql_does_not_answer() -> None:
    settings = Settings(database_url="mysql+aiomysql://root@127.0.0.1:9/none", jwt_secret=JWT_SECRET)
    async with connect(settings, migrate=False) as vibe, http_client(create_app(vibe)) as client:
        assert_problem(await client.get("/readyz"), 503)


class TestCors:
    @pytest.fixture
    def settings(self, sqlite_url: str) -> Settings:
        return Settings(database_url=sqlite_url, jwt_secret=JWT_SECRET, cors_origins=("https://app.example",))

    async def test_an_allowed_origin_is_granted(self, client: Client) -> None:
        response = await client.get("/ping", headers={"Origin": "https://app.example"})
        assert response.headers["access-control-allow-origin"] == "https://app.example"
        assert "Origin" in response.headers["vary"]

    @pytest.mark.parametrize("origin", ["https://evil.example", "null", "https://app.example.evil"])
    async def test_other_origins_get_nothing(self, client: Client, origin: str) -> None:
        response = await client.get("/ping", headers={"Origin": origin})
        assert "access-control-allow-origin" not in response.headers

    async def test_preflight_from_an_allowed_origin(self, client: Client) -> None:
        response = await client.options(
            "/api/v1/users/me",
            headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
        )
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == "https://app.example"
        assert "Authorization" in response.headers["access-control-allow-headers"]

    @pytest.mark.parametrize(
        "path", ["/preview/p1/index.html", "/s/token/index.html", "/api/v1/projects/p/files/a.js"]
    )
    async def test_generated_content_never_gets_a_grant(self, client: Client, path: str) -> None:
        response = await client.get(path, headers={"Origin": "https://app.example"})
        assert "access-control-allow-origin" not in response.headers
