"""Projects over HTTP, for the tests that need them: a sample site, and create/publish helpers."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from typing import Any

import httpx

Client = httpx.AsyncClient
CSP = "sandbox allow-scripts allow-forms allow-modals allow-popups"
SITE = {
    "index.html": (
        '<!doctype html><link rel="stylesheet" href="style.css"><h1>Hello</h1><script src="app.js"></script>'
    ),
    "style.css": "body { background: rgb(1, 2, 3); }",
    "app.js": "document.title = 'hi';",
    "logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>',
    "data.json": '{"ok": true}',
    "README.md": "# Hello\n",
    "pages/about.html": "<p>About</p>",
}
TYPES = {
    "index.html": "text/html; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "logo.svg": "image/svg+xml; charset=utf-8",
    "data.json": "application/json; charset=utf-8",
    "README.md": "text/markdown; charset=utf-8",
}


async def create(
    client: Client, owner: dict[str, Any], name: str = "My Site", **extra: Any
) -> dict[str, Any]:
    response = await client.post("/api/v1/projects", json={"name": name, **extra}, headers=owner["headers"])
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()
    return project


async def publish(client: Client, owner: dict[str, Any], project_id: str) -> None:
    response = await client.patch(
        f"/api/v1/projects/{project_id}", json={"visibility": "public"}, headers=owner["headers"]
    )
    assert response.status_code == 200, response.text


def assert_project_shape(project: dict[str, Any], *, detail: bool = False) -> None:
    fields = {"id", "name", "description", "visibility", "current_version", "created_at", "updated_at"}
    assert set(project) == fields | ({"files"} if detail else set())
    assert isinstance(project["id"], str)
    assert project["visibility"] in ("private", "public")
    for key in ("created_at", "updated_at"):
        assert project[key].endswith("Z")
        assert datetime.fromisoformat(project[key]).utcoffset() == timedelta(0)


def unzip(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name).decode() for name in archive.namelist()}
