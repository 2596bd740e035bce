"""Publishing through the HTTP API and reading a site by its Host, for the site tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.projects_http import create
from vibe.bootstrap import Vibe

DOMAIN = "sites.example.com"
Client = httpx.AsyncClient

SITE_FILES = {
    "index.html": "<!doctype html><title>Bakery</title><link rel=stylesheet href=style.css><h1>Bread</h1>"
    + "<p>fresh</p>" * 200,
    "style.css": "h1 { color: brown }",
    "app.3f9a1c2b.js": "console.log('hashed')",
    "about/index.html": "<h1>About</h1>",
    "menu.html": "<h1>Menu</h1>",
}


async def project_with_versions(
    client: Client, vibe: Vibe, owner: dict[str, Any], name: str = "The Bakery", versions: int = 2
) -> str:
    """A project of ``owner`` with ``versions`` versions (version n's heading says ``vn``)."""
    project = await create(client, owner, name)
    for n in range(1, versions + 1):
        files = SITE_FILES | {"index.html": SITE_FILES["index.html"].replace("Bread", f"Bread v{n}")}
        await vibe.projects.commit(project["id"], files, f"v{n}")
    return str(project["id"])


async def publish(client: Client, owner: dict[str, Any], project_id: str, **body: Any) -> httpx.Response:
    return await client.post(f"/api/v1/projects/{project_id}/publish", json=body, headers=owner["headers"])


async def on_site(client: Client, slug: str, path: str = "/", **headers: str) -> httpx.Response:
    return await client.get(path, headers={"Host": f"{slug}.{DOMAIN}", **headers})


async def eventually_served(client: Client, slug: str, expected: str | None, seconds: float = 5.0) -> None:
    """Wait until the site's index holds ``expected`` (None: until it is a 404). At once in one
    process; with several, another one's cached table is dropped through Redis a moment later."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        page = await on_site(client, slug)
        done = (
            page.status_code == 404 if expected is None else page.status_code == 200 and expected in page.text
        )
        if done:
            return
        assert asyncio.get_running_loop().time() < deadline, (slug, expected, page.status_code)
        await asyncio.sleep(0.05)
