"""Read a text/event-stream the way a browser's EventSource does."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Frame:
    id: int | None = None
    event: str = "message"
    data: Any = None
    comments: list[str] = field(default_factory=list)


async def read_stream(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str] | None = None,
    *,
    stop_after: int | None = None,
) -> tuple[httpx.Response, list[Frame], list[str]]:
    """(response, event frames, comment lines) until the server ends the stream (or ``stop_after``
    frames were read, then the client hangs up)."""
    frames: list[Frame] = []
    comments: list[str] = []
    async with client.stream("GET", url, headers=headers or {}) as response:
        if response.status_code != 200:
            await response.aread()
            return response, frames, comments
        current = Frame()
        async for line in response.aiter_lines():
            if line.startswith(":"):
                comments.append(line)
            elif line.startswith("id: "):
                current.id = int(line[4:])
            elif line.startswith("event: "):
                current.event = line[7:]
            elif line.startswith("data: "):
                current.data = json.loads(line[6:])
            elif line == "" and current.id is not None:
                frames.append(current)
                current = Frame()
                if stop_after is not None and len(frames) >= stop_after:
                    break
    return response, frames, comments
