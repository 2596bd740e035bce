"""Refuse, with a 400 problem, a request whose ``Host`` header names a port no URL can have.

Litestar builds ``request.url`` from that header, and a port past 65535 (or of 5,000 digits) makes it
raise ``ValueError`` wherever the URL is read: in a handler, in validation, even in the handler of the
500 that follows. So the header is checked once, before the app sees the request.

Nearly every request names one of a few hosts, so the values found valid are remembered (a few
dozen at most): parsing the header was a tenth of what vibe adds to a request (BENCHMARKS.md).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from vibe.entrypoints.http.problems import PROBLEM_JSON, Problem

__all__ = ["HostCheck"]

_REFUSAL = msgspec.json.encode(
    Problem(title="Bad Request", status=400, detail="The Host header is not a valid host and port.")
)


REMEMBERED = 64  # valid Host values kept; past that, new ones are parsed each time


class HostCheck:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._valid: set[bytes] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and not self._valid_host(scope):
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", PROBLEM_JSON.encode()),
                        (b"content-length", str(len(_REFUSAL)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": _REFUSAL, "more_body": False})
            return
        await self.app(scope, receive, send)

    def _valid_host(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"host" and value not in self._valid:
                try:
                    urlsplit("//" + value.decode("latin-1")).port  # noqa: B018 - parsing is the check
                except ValueError:
                    return False
                if len(self._valid) < REMEMBERED:
                    self._valid.add(value)
        return True
