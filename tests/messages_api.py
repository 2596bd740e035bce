"""Helpers for the tests of the stand-in Messages API: raw requests, SDK clients and event reading."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anthropic
import httpx

from vibe.testing.messages_server import MessagesServer

CURRENT = "claude-sonnet-5-5"
OLDER = "claude-sonnet-4-5"
HEADERS = {"anthropic-version": "2026-10-21", "x-api-key": "test-key"}
USER: list[Any] = [{"role": "user", "content": "Make me a page"}]
WRITE_FILE: dict[str, Any] = {
    "name": "write_file",
    "description": "Write a file",
    "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}},
}


def body(**fields: Any) -> dict[str, Any]:
    """A valid request body for the current model, with ``fields`` replacing or adding."""
    return {"model": CURRENT, "max_tokens": 1024, "messages": USER, **fields}


async def post(
    server: MessagesServer,
    payload: dict[str, Any],
    headers: dict[str, str] | None = None,
    path: str = "/v1/messages",
) -> httpx.Response:
    """POST ``payload`` as JSON with the API's headers (or ``headers``)."""
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{server.url}{path}", json=payload, headers=HEADERS if headers is None else headers
        )


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    """(status, error type, message) of an API error response, checking the body's shape."""
    payload = response.json()
    assert payload["type"] == "error"
    assert payload["request_id"] == response.headers["request-id"]
    return response.status_code, payload["error"]["type"], payload["error"]["message"]


@asynccontextmanager
async def sdk(server: MessagesServer) -> AsyncIterator[anthropic.AsyncAnthropic]:
    """The official SDK, unchanged, pointed at ``server``."""
    async with anthropic.AsyncAnthropic(api_key="test-key", base_url=server.url, max_retries=0) as client:
        yield client


def sse(response: httpx.Response) -> list[dict[str, Any]]:
    """The ``data`` objects of an SSE response body, in order."""
    return [
        json.loads(line.removeprefix("data: "))
        for frame in response.text.split("\n\n")
        for line in frame.split("\n")
        if line.startswith("data: ")
    ]
