"""The Host check before the app: a port no URL can have is refused, whatever was seen before; the
valid values it remembers (to skip parsing them again) stay few."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import get

from vibe.entrypoints.http.host_check import REMEMBERED, Hosts
from vibe.entrypoints.http.middleware import VibeLitestar


@pytest.mark.parametrize("bad", [b"example.com:65536", b"example.com:" + b"9" * 5000, b"example.com:x1"])
def test_a_port_no_url_can_have_is_refused_even_after_good_hosts(bad: bytes) -> None:
    hosts = Hosts()
    assert hosts.valid(b"example.com:8000")
    assert hosts.valid(b"example.com:8000")  # remembered
    assert not hosts.valid(bad)
    assert not hosts.valid(bad)  # a refused value is never remembered


def test_it_remembers_a_bounded_number_of_hosts() -> None:
    hosts = Hosts()
    for port in range(REMEMBERED * 3):
        assert hosts.valid(b"example.com:%d" % port)
    assert len(hosts.known) == REMEMBERED
    assert not hosts.valid(b"example.com:70000")


@get("/ping", sync_to_thread=False)
def ping() -> str:
    return "pong"


async def status_of(app: VibeLitestar, headers: list[tuple[bytes, bytes]]) -> int:
    """The status the app answers ``GET /ping`` with these headers."""
    scope: dict[str, Any] = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1"}
    scope |= {"method": "GET", "scheme": "http", "path": "/ping", "raw_path": b"/ping", "query_string": b""}
    scope["headers"] = headers
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


@pytest.mark.parametrize(
    "order", [(b"example.com", b"example.com:99999"), (b"example.com:99999", b"example.com")]
)
async def test_a_request_with_several_hosts_is_refused_if_any_is_bad(order: tuple[bytes, bytes]) -> None:
    app = VibeLitestar(route_handlers=[ping])
    for _ in range(2):  # the good host is remembered after the first request: it must not hide the bad one
        assert await status_of(app, [(b"host", order[0]), (b"accept", b"*/*"), (b"host", order[1])]) == 400
        assert await status_of(app, [(b"host", b"example.com"), (b"host", b"example.com:8000")]) == 200
