"""A lean SSE client on raw asyncio streams, so a thousand streams cost the client little CPU.

It speaks just enough HTTP/1.1 for vibe's event streams (a 200 head, then a chunked body) and records,
per stream, when the request went out, when the first event came, and for every text delta stamped by
``bench.models.PacedModel`` when it arrived against when the model was due to send it.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.models import parse_stamp

__all__ = ["StreamRecord", "follow_stream"]


@dataclass
class StreamRecord:
    session_id: str
    sent_at: float = 0.0
    first_event_at: float | None = None
    stamps: list[tuple[float, float]] = field(default_factory=list)  # (due, arrived)
    events: int = 0
    last_event: str = ""
    error: str | None = None


async def _chunks(reader: asyncio.StreamReader) -> bytes:
    """The next piece of a chunked body (b"" at its end)."""
    size_line = await reader.readline()
    size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
    if size == 0:
        await reader.readline()
        return b""
    data = await reader.readexactly(size + 2)
    return data[:-2]


def _frame(record: StreamRecord, frame: bytes, now: float) -> None:
    name = data = b""
    has_id = False
    for line in frame.split(b"\n"):
        if line.startswith(b"id:"):
            has_id = True
        elif line.startswith(b"event:"):
            name = line[6:].strip()
        elif line.startswith(b"data:"):
            data = line[5:].strip()
    if not has_id:
        return  # retry: hint or keep-alive comment
    record.events += 1
    record.last_event = name.decode()
    if record.first_event_at is None:
        record.first_event_at = now
    if name == b"text":
        due = parse_stamp(json.loads(data)["delta"])
        if due is not None:
            record.stamps.append((due, now))


async def follow_stream(
    base_url: str, session_id: str, token: str, timeout: float, *, first_only: bool = False
) -> StreamRecord:
    """Open ``/api/stream/<session>`` and read it to its last event (``done`` or ``error``), or only
    to its first with ``first_only``."""
    record = StreamRecord(session_id)
    parts = urlsplit(base_url)
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            record.sent_at = time.monotonic()
            writer.write(
                f"GET /api/stream/{session_id} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
            if b"chunked" not in head.lower():
                raise RuntimeError("expected a chunked event stream")
            buffer = b""
            while record.last_event not in ("done", "error") and not (first_only and record.events):
                piece = await _chunks(reader)
                if not piece:
                    break
                now = time.monotonic()
                buffer += piece
                *frames, buffer = buffer.split(b"\n\n")
                for frame in frames:
                    _frame(record, frame, now)
            writer.close()
    except (OSError, RuntimeError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
        record.error = f"{type(error).__name__}: {error}"
    return record
