"""Which address a request comes from: the socket peer, unless a trusted proxy says otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Request

from vibe.config import Settings
from vibe.entrypoints.http.deps import client_address


def _request(peer: str, forwarded: str | None) -> Request[Any, Any, Any]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    scope: Any = {"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 1234)}
    return Request(scope)


def _settings(*trusted: str) -> Settings:
    return Settings(database_url="sqlite+aiosqlite://", trusted_proxies=trusted)


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "expected"),
    [
        ((), "198.51.100.9", "1.2.3.4", "198.51.100.9"),  # no trusted proxy: XFF is ignored
        (("10.0.0.0/8",), "198.51.100.9", "1.2.3.4", "198.51.100.9"),  # peer is not a proxy of ours
        (("10.0.0.0/8",), "10.0.0.5", "1.2.3.4", "1.2.3.4"),
        (("10.0.0.0/8",), "10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.7", "1.2.3.4"),  # spoofed left part ignored
        (("10.0.0.0/8",), "10.0.0.5", None, "10.0.0.5"),
        (("10.0.0.0/8", "::1"), "::1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address(trusted: tuple[str, ...], peer: str, forwarded: str | None, expected: str) -> None:
    assert client_address(_request(peer, forwarded), _settings(*trusted)) == expected
