"""The request path around every handler: the access log (share-link capabilities redacted, one line
per request with its id), gzip done by vibe's own middleware (streams and opted-out routes left alone),
the baseline headers once each, and requests uvicorn refuses before the app runs answered as the app
answers (problem+json, X-Request-ID)."""

from __future__ import annotations

import gzip
import json
import logging
import re
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar, Response, get
from litestar._kwargs import kwargs_model
from litestar._signature import model as signature_model
from litestar.response import Stream

from tests.accounts_http import signed_up
from tests.cli import VIBE, clean_env, free_port, serving, wait_until_ready
from tests.conftest import JWT_SECRET, http_client
from tests.projects_http import SITE, create
from vibe.bootstrap import Vibe
from vibe.config import Settings
from vibe.entrypoints.http.access_log import ACCESS_LOG, Line, message
from vibe.entrypoints.http.app import create_app
from vibe.entrypoints.http.middleware import NO_GZIP
from vibe.testing import connect_fake

Client = httpx.AsyncClient
HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def access_lines(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> list[Line]:
    """Every access line the app writes from now on, as handed to the sink."""
    caplog.set_level(logging.INFO, logger="vibe.access")
    ACCESS_LOG.flush()  # lines an earlier test left pending are not this test's
    lines: list[Line] = []
    monkeypatch.setattr(ACCESS_LOG, "sink", lines.extend)
    return lines


async def test_share_link_tokens_never_reach_the_access_log(
    client: Client, vibe: Vibe, access_lines: list[Line]
) -> None:
    ada = await signed_up(client, "ada@example.com")
    project = await create(client, ada)
    await vibe.projects.commit(project["id"], SITE, "1")
    link = (
        await client.post(f"/api/v1/projects/{project['id']}/preview-link", headers=ada["headers"])
    ).json()
    token = link["url"].split("/")[2]
    assert (await client.get(link["url"])).status_code == 200
    assert (await client.get(link["url"] + "style.css")).status_code == 200
    assert (await client.get(f"/s/{token}x/index.html")).status_code == 404
    ACCESS_LOG.flush()
    written = "\n".join(message(line) for line in access_lines)
    assert token not in written
    assert written.count('"GET /s/[redacted]/') == 2
    assert '"GET /s/[redacted]/index.html" 404' in written


async def test_each_request_is_one_line_with_its_id(client: Client, access_lines: list[Line]) -> None:
    response = await client.get("/ping?x=1", headers={"X-Request-ID": "trace-7"})
    ACCESS_LOG.flush()
    (seen,) = [line for line in access_lines if line[3] == "/ping"]
    assert seen[2:] == ("GET", "/ping", b"x=1", 200, seen[6], "trace-7", "")
    assert response.headers["x-request-id"] == "trace-7"


async def test_the_access_log_goes_through_logging_by_default(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="vibe.access")
    await client.get("/ping", headers={"X-Request-ID": "via-logging"})
    ACCESS_LOG.flush()
    record = next(r for r in caplog.records if r.name == "vibe.access" and "via-logging" in r.getMessage())
    assert record.request_id == "via-logging"  # type: ignore[attr-defined]
    assert '"GET /ping" 200' in record.getMessage()


@get("/test/stream", opt={})
async def streamed() -> Stream:
    async def parts() -> AsyncIterator[bytes]:
        for index in range(3):
            yield b"part %d " % index * 200

    return Stream(parts(), media_type="text/plain")


@get("/test/raw-zip", opt={NO_GZIP: True})
async def opted_out() -> Response[bytes]:
    return Response(b"z" * 5000, media_type="application/zip")


@get("/test/encoded")
async def encoded() -> Response[bytes]:
    return Response(gzip.compress(b"e" * 5000), media_type="text/plain", headers={"Content-Encoding": "gzip"})


@get("/test/varied")
async def varied() -> Response[bytes]:
    return Response(b"v" * 5000, media_type="text/plain", headers={"Vary": "Cookie"})


@pytest.fixture
async def tclient(app: Litestar) -> AsyncIterator[Client]:
    for handler in (streamed, opted_out, encoded, varied):
        app.register(handler)
    async with http_client(app) as test_client:
        yield test_client


async def test_a_streamed_body_is_gzipped_part_by_part(tclient: Client) -> None:
    response = await tclient.get("/test/stream", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert "content-length" not in response.headers
    assert response.text == "".join(f"part {i} " * 200 for i in range(3))


async def test_opted_out_and_already_encoded_bodies_are_left_alone(tclient: Client) -> None:
    raw = await tclient.get("/test/raw-zip", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in raw.headers
    assert raw.content == b"z" * 5000
    already = await tclient.get("/test/encoded", headers={"Accept-Encoding": "gzip"})
    assert already.headers["content-encoding"] == "gzip"
    assert already.text == "e" * 5000  # decoded once: it was not compressed twice


async def test_vary_keeps_what_the_handler_said(tclient: Client) -> None:
    response = await tclient.get("/test/varied", headers={"Accept-Encoding": "gzip"})
    assert response.headers["vary"] == "Cookie, Accept-Encoding"
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == "v" * 5000


async def test_baseline_headers_appear_once(client: Client, vibe: Vibe) -> None:
    ada = await signed_up(client, "ada@example.com")
    project = await create(client, ada)
    await vibe.projects.commit(project["id"], SITE, "1")
    response = await client.get(f"/api/v1/projects/{project['id']}/files/index.html", headers=ada["headers"])
    assert response.status_code == 200
    names = [name.lower() for name, _ in response.headers.raw]
    assert names.count(b"x-content-type-options") == 1
    assert names.count(b"x-request-id") == 1


def _raw_exchange(base: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /ping HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"GET /ping HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
def test_requests_uvicorn_refuses_get_a_problem_with_a_request_id(
    tmp_path: Path, request_bytes: bytes
) -> None:
    with serving(tmp_path, clean_env(VIBE_LOG_LEVEL="INFO")) as base:
        wait_until_ready(f"{base}/readyz", timeout=20)
        status, headers, body = _raw_exchange(base, request_bytes)
    assert status == 400
    assert headers["content-type"] == "application/problem+json"
    assert HEX_ID.fullmatch(headers["x-request-id"])
    assert headers["x-content-type-options"] == "nosniff"
    problem: dict[str, Any] = json.loads(body)
    assert problem["status"] == 400
    assert problem["title"] == "Bad Request"
    assert problem["detail"]
    log = (tmp_path / "serve.log").read_text()
    assert f"rid={headers['x-request-id']}" in log  # the access log names the refused request too
    assert "Traceback" not in log  # the shutdown hooks (access log drained, metrics flushed) ran clean


def test_a_log_nobody_reads_never_stalls_the_server(tmp_path: Path) -> None:
    """stderr is a pipe nobody drains: it fills after a few hundred access lines. Written from the
    event loop, the next line would block every request from then on; written by the access log's
    own thread, the requests go on."""
    port = free_port()
    server = subprocess.Popen(
        [*VIBE, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(VIBE_LOG_LEVEL="INFO"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,  # never read until the end
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/readyz", timeout=20)
        started = time.monotonic()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            for _ in range(3000):  # about 450 KB of access log: seven times a pipe's buffer
                assert client.get("/ping").status_code == 200
        assert time.monotonic() - started < 60
    finally:
        server.terminate()
        try:
            server.communicate(timeout=20)  # drains the pipe, so the server can stop
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


async def test_dependencies_are_resolved_in_line_without_a_task_group(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Litestar resolves two or more dependencies of one batch in an anyio task group, at a cost of
    65 µs a request (litestar-org/litestar#4563); vibe splits the batches so none is ever made. The
    project list takes the service and the caller (who takes the accounts service); signing in takes
    the service and the caller's address (which takes the settings); both work without one."""
    ada = await signed_up(client, "ada@example.com")

    def no_task_group() -> None:
        raise AssertionError("a dependency batch was resolved in a task group")

    monkeypatch.setattr(kwargs_model, "create_task_group", no_task_group)
    listed = await client.get("/api/v1/projects", headers=ada["headers"])
    assert listed.status_code == 200, listed.text
    login = {"email": "ada@example.com", "password": "not it"}
    assert (await client.post("/api/v1/auth/login", json=login)).status_code == 401


async def test_values_exempt_from_validation_skip_msgspec_and_others_are_still_validated(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller (request + accounts service) and users/me (the caller) take only values Litestar
    never validates: they are handed over as they are, not converted through msgspec. The project
    list also takes ``limit``, which is still checked."""
    ada = await signed_up(client, "ada@example.com")
    converted: list[str] = []
    real = msgspec.convert  # what litestar._signature.model calls

    def watched(*args: Any, **options: Any) -> Any:
        converted.append(str(args[1:] or options.get("type")))
        return real(*args, **options)

    monkeypatch.setattr(signature_model, "convert", watched)
    me = await client.get("/api/v1/users/me", headers=ada["headers"])
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "ada@example.com"
    assert converted == []
    assert (await client.get("/api/v1/projects?limit=2", headers=ada["headers"])).status_code == 200
    assert converted != []  # the list's own parameters
    refused = await client.get("/api/v1/projects?limit=0", headers=ada["headers"])
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "limit"
    assert (await client.get("/api/v1/users/me")).status_code == 401  # no caller: still refused


async def test_a_host_no_url_can_have_is_a_problem_with_a_request_id(client: Client) -> None:
    """Checked in the request middleware, before the app: a 400 problem with the baseline headers."""
    assert (await client.get("/ping", headers={"Host": "testserver.local:8000"})).status_code == 200
    refused = await client.get("/ping", headers={"Host": "testserver.local:99999"})
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "The Host header is not a valid host and port."
    assert HEX_ID.fullmatch(refused.headers["x-request-id"])
    assert refused.headers["x-content-type-options"] == "nosniff"


async def test_the_entry_point_hands_sites_and_non_http_scopes_to_their_owners() -> None:
    """``VibeLitestar.__call__`` asks the site server first (a websocket to a site host is closed with
    1008, as a site has no websocket), sends any other websocket to Litestar (which has no such route),
    and the app's own HTTP requests through the request layer."""
    settings = Settings(database_url="sqlite+aiosqlite://", jwt_secret=JWT_SECRET, sites_domain="sites.test")
    vibe = connect_fake(settings=settings)
    app = create_app(vibe)

    async def websocket(host: bytes) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []
        messages = iter([{"type": "websocket.connect"}])

        async def receive() -> dict[str, Any]:
            return next(messages, {"type": "websocket.disconnect", "code": 1000})

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope: dict[str, Any] = {
            "type": "websocket",
            "path": "/",
            "raw_path": b"/",
            "query_string": b"",
            "root_path": "",
        }
        scope |= {"headers": [(b"host", host)], "scheme": "ws", "client": ("1.2.3.4", 1), "server": None}
        await app(scope, receive, send)  # type: ignore[arg-type]
        return sent

    assert await websocket(b"bakery.sites.test") == [{"type": "websocket.close", "code": 1008}]
    refused = await websocket(b"app.example.com")
    assert [message["type"] for message in refused] == ["websocket.close"]
    assert refused[0]["code"] >= 4000  # Litestar's refusal (4000 + a status), not the site's 1008
    async with http_client(app) as client:  # lifespan and HTTP through the same entry point
        response = await client.get("/ping")
    assert response.status_code == 200
    assert HEX_ID.fullmatch(response.headers["x-request-id"])
