"""uvicorn's HTTP protocol, with vibe's answer to the requests uvicorn refuses before the app runs.

A request httptools cannot parse (a malformed request line or header, a bad chunk) never reaches the
app: uvicorn answers it itself, in plain text and with no ``X-Request-ID``. ``vibe serve`` runs this
subclass instead (``uvicorn.run(http=...)``), whose answer is the app's: a problem+json 400 with a
fresh request id and ``nosniff``, and a line in the access log with that id. The connection is
closed after it, as uvicorn does.
"""

from __future__ import annotations

import time

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from vibe.entrypoints.http.access_log import ACCESS_LOG
from vibe.entrypoints.http.middleware import new_request_id
from vibe.entrypoints.http.problems import PROBLEM_JSON, problem_body

__all__ = ["VibeHttpToolsProtocol"]

PROTOCOL = "vibe.entrypoints.http.protocol:VibeHttpToolsProtocol"  # for uvicorn.run(http=...)
_BODY = problem_body(400)


class VibeHttpToolsProtocol(HttpToolsProtocol):
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
