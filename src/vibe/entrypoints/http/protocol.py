"""uvicorn's HTTP protocol, with vibe's answer to the requests uvicorn refuses before the app runs, and
a response's head and body sent in one write.

A request httptools cannot parse (a malformed request line or header, a bad chunk) never reaches the
app: uvicorn answers it itself, in plain text and with no ``X-Request-ID``. ``vibe serve`` runs this
subclass instead (``uvicorn.run(http=...)``), whose answer is the app's: a problem+json 400 with a
fresh request id and ``nosniff``, and a line in the access log with that id. The connection is
closed after it, as uvicorn does.

uvicorn writes a response's head when the app sends ``http.response.start`` and its body when the app
sends the body: two system calls and two TCP segments for every small answer. Here the connection's
transport is a ``CorkedTransport``, which holds small writes until the current step of the event loop
ends and sends them with one ``writelines`` (one ``writev``): a third less CPU per ``GET /ping`` on
this machine (BENCHMARKS.md, issue 22). A large write, or enough held bytes, goes at once, so the
transport's flow control (``pause_writing``) still stops an app that streams faster than the client
reads.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from vibe.entrypoints.http.access_log import ACCESS_LOG
from vibe.entrypoints.http.middleware import new_request_id
from vibe.entrypoints.http.problems import PROBLEM_JSON, problem_body

__all__ = ["CorkedTransport", "VibeHttpToolsProtocol"]

PROTOCOL = "vibe.entrypoints.http.protocol:VibeHttpToolsProtocol"  # for uvicorn.run(http=...)
_BODY = problem_body(400)


class CorkedTransport(asyncio.Transport):
    """``transport``, with the writes made in one step of the event loop sent together after it."""

    CORKED_BYTES = 16 * 1024  # held at most; more goes at once (flow control sees it)

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._held: list[bytes | bytearray | memoryview] = []
        self._held_bytes = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(data)
        self._held_bytes += len(data)
        if self._held_bytes >= self.CORKED_BYTES:
            self.flush()

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """Send what is held now (one ``writelines``); nothing if the connection is closing."""
        held, self._held, self._held_bytes = self._held, [], 0
        if held and not self._transport.is_closing():
            self._transport.writelines(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held, self._held_bytes = [], 0
        self._transport.abort()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        return self._held_bytes + self._transport.get_write_buffer_size()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()


class VibeHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # as uvicorn
        super().connection_made(CorkedTransport(transport, self.loop))

    def send_400_response(self, msg: str) -> None:
        request_id = new_request_id()
        headers = [
            *self.server_state.default_headers,
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(_BODY)).encode()),
            (b"x-request-id", request_id.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"connection", b"close"),
        ]
        head = b"".join(b"%s: %s\r\n" % header for header in headers)
        self.transport.write(b"HTTP/1.1 400 Bad Request\r\n" + head + b"\r\n" + _BODY)
        self.transport.close()
        if ACCESS_LOG.enabled():
            peer = self.client[0] if self.client else "-"
            ACCESS_LOG.add((time.time(), peer, "-", "(unparsable request)", b"", 400, 0.0, request_id, ""))
