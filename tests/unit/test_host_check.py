"""The Host check before the app: a port no URL can have is a 400 problem, whatever was seen before;
the valid values it remembers (to skip parsing them again) stay few."""

from __future__ import annotations

from typing import Any

import pytest

from vibe.entrypoints.http.host_check import REMEMBERED, HostCheck


async def status_of(check: HostCheck, host: bytes) -> int:
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    check.app = app
    await check({"type": "http", "headers": [(b"host", host)]}, None, send)  # type: ignore[arg-type]
    return int(sent[0]["status"])


@pytest.mark.parametrize("bad", [b"example.com:65536", b"example.com:" + b"9" * 5000, b"example.com:x1"])
async def test_a_port_no_url_can_have_is_refused_even_after_good_hosts(bad: bytes) -> None:
    check = HostCheck(None)  # type: ignore[arg-type]
    assert await status_of(check, b"example.com:8000") == 200
    assert await status_of(check, b"example.com:8000") == 200  # remembered
    assert await status_of(check, bad) == 400
    assert await status_of(check, bad) == 400  # a refused value is never remembered


async def test_it_remembers_a_bounded_number_of_hosts() -> None:
    check = HostCheck(None)  # type: ignore[arg-type]
    for port in range(REMEMBERED * 3):
        assert await status_of(check, b"example.com:%d" % port) == 200
    assert len(check._valid) == REMEMBERED
    assert await status_of(check, b"example.com:70000") == 400
