"""The Host check before the app: a port no URL can have is refused, whatever was seen before; the
valid values it remembers (to skip parsing them again) stay few."""

from __future__ import annotations

import pytest

from vibe.entrypoints.http.host_check import REMEMBERED, Hosts
from vibe.entrypoints.http.middleware import _read_headers


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
    assert len(hosts._valid) == REMEMBERED
    assert not hosts.valid(b"example.com:70000")


@pytest.mark.parametrize(
    "order", [(b"example.com", b"example.com:99999"), (b"example.com:99999", b"example.com")]
)
def test_a_request_with_several_hosts_is_refused_if_any_is_bad(order: tuple[bytes, bytes]) -> None:
    headers = [(b"host", order[0]), (b"accept", b"*/*"), (b"host", order[1])]
    assert _read_headers(headers, Hosts().valid)[4] is False
    good = [(b"host", b"example.com"), (b"host", b"example.com:8000")]
    assert _read_headers(good, Hosts().valid)[4] is True
