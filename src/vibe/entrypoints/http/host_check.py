"""Refuse, with a 400 problem, a request whose ``Host`` header names a port no URL can have.

Litestar builds ``request.url`` from that header, and a port past 65535 (or of 5,000 digits) makes it
raise ``ValueError`` wherever the URL is read: in a handler, in validation, even in the handler of the
500 that follows. So the header is checked once, before the app sees the request, by the request
middleware (which reads the headers anyway; a layer of its own cost a coroutine frame a request).

Nearly every request names one of a few hosts, so the values found valid are remembered (a few
dozen at most): parsing the header was a tenth of what vibe adds to a request (BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import msgspec

from vibe.entrypoints.http.problems import PROBLEM_JSON, Problem

__all__ = ["REMEMBERED", "Hosts", "refuse_host"]

REMEMBERED = 64  # valid Host values kept; past that, new ones are parsed each time
_REFUSAL = msgspec.json.encode(
    Problem(title="Bad Request", status=400, detail="The Host header is not a valid host and port.")
)
_REFUSAL_HEADERS = ((b"content-type", PROBLEM_JSON.encode()), (b"content-length", b"%d" % len(_REFUSAL)))


class Hosts:
    """The Host values a URL can be built from, with the valid ones seen remembered."""

    def __init__(self) -> None:
        self.known: set[bytes] = set()  # the valid values seen

    def valid(self, host: bytes) -> bool:
        if host in self.known:
            return True
        try:
            urlsplit("//" + host.decode("latin-1")).port  # noqa: B018 - parsing is the check
        except ValueError:
            return False
        if len(self.known) < REMEMBERED:
            self.known.add(host)
        return True


async def refuse_host(send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
    """The 400 problem for a request with a Host that is not valid."""
    await send({"type": "http.response.start", "status": 400, "headers": list(_REFUSAL_HEADERS)})
    await send({"type": "http.response.body", "body": _REFUSAL, "more_body": False})
