"""gzip for responses, done by the request-context middleware instead of Litestar's middleware stack.

Same rules as Litestar's ``CompressionMiddleware`` with the settings vibe used (gzip, at least 1,024
bytes, never on routes with the ``no_gzip`` opt): a one-part body is compressed when it is large
enough, a streamed body part by part (each part flushed, so it reaches the client at once). The level
is zlib's default, 6, rather than Litestar's 9: on text it is within about 1 % of the size at a half
to a third of the CPU, which the event loop spends while every other request waits.
A response that already has a ``Content-Encoding`` is left as it is. A request that does not accept
gzip costs nothing here beyond the header scan the middleware makes anyway.
"""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]  # raw ASGI: Litestar's TypedDicts are too narrow for this code
Send = Callable[[Message], Awaitable[None]]

__all__ = ["MINIMUM_SIZE", "NO_GZIP", "GzipResponse", "Message", "Send", "compressible"]

NO_GZIP = "no_gzip"  # route opt: never compress (event streams, zips)
MINIMUM_SIZE = 1024
LEVEL = 6
_GZIP = 31  # zlib wbits: a gzip header and trailer
_COMPRESSED = (
    b"image/png",
    b"image/jpeg",
    b"image/gif",
    b"image/webp",
    b"image/avif",
    b"image/x-icon",
    b"font/",
    b"application/zip",
)


def compressible(scope: Message, start: Message) -> bool:
    """Whether this response may be compressed: its route allows it and nothing encoded it yet."""
    handler: Any = scope.get("route_handler")
    if handler is not None and handler.opt.get(NO_GZIP):
        return False
    if start["status"] in (204, 304):
        return False
    for name, value in start.get("headers", ()):
        if name == b"content-encoding":
            return False
        if name == b"content-type" and value.startswith(_COMPRESSED):
            return False  # images and fonts are compressed already: gzip would only spend CPU
    return True


class GzipResponse:
    """One response's ``send``: holds the start until the first body part shows whether to compress."""

    def __init__(self, send: Send, start: Message) -> None:
        self._send = send
        self._start: Message | None = start
        self._zip: Any = None

    async def __call__(self, message: Message) -> None:
        if message["type"] != "http.response.body":
            await self._send(message)
            return
        body = message.get("body", b"")
        more = message.get("more_body", False)
        if self._start is not None:
            start, self._start = self._start, None
            if more or len(body) >= MINIMUM_SIZE:
                self._zip = zlib.compressobj(LEVEL, zlib.DEFLATED, _GZIP)
                body = self._compress(body, more)
                start["headers"] = _gzip_headers(start["headers"], None if more else len(body))
                message["body"] = body
            await self._send(start)
        elif self._zip is not None:
            message["body"] = self._compress(body, more)
        await self._send(message)

    def _compress(self, body: bytes, more: bool) -> bytes:
        done: bytes = self._zip.compress(body) + self._zip.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)
        return done


def _gzip_headers(headers: list[tuple[bytes, bytes]], length: int | None) -> list[tuple[bytes, bytes]]:
    """``Content-Encoding: gzip``, ``Vary`` with ``Accept-Encoding``, the new length (none if streamed)."""
    out = [(name, value) for name, value in headers if name != b"content-length"]
    out.append((b"content-encoding", b"gzip"))
    if length is not None:
        out.append((b"content-length", str(length).encode("ascii")))
    for index, (name, value) in enumerate(out):
        if name == b"vary":
            out[index] = (name, value + b", Accept-Encoding")
            return out
    out.append((b"vary", b"Accept-Encoding"))
    return out
