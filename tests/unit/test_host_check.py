"""The Host check before the app: a port no URL can have is refused, whatever was seen before; the
valid values it remembers (to skip parsing them again) stay few."""

from __future__ import annotations

import pytest
from litestar import get

from tests.conftest import http_client
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


@pytest.mark.parametrize(
    "order", [(b"example.com", b"example.com:99999"), (b"example.com:99999", b"example.com")]
)
async def test_a_request_with_several_hosts_is_refused_if_any_is_bad(order: tuple[bytes, bytes]) -> None:
    async with http_client(VibeLitestar(route_handlers=[ping])) as client:
        # Twice: the good host is remembered after the first request, and must not hide the bad one.
        for _ in range(2):
            bad = [("host", order[0].decode()), ("accept", "*/*"), ("host", order[1].decode())]
            assert (await client.get("/ping", headers=bad)).status_code == 400
            good = [("host", "example.com"), ("host", "example.com:8000")]
            assert (await client.get("/ping", headers=good)).status_code == 200
