"""The preview in a real browser (headless Chromium driven by Playwright): a hostile generated page
leaks nothing of the signed-in user's session, and a private multi-file project renders styled for
its owner through a preview link.

The app runs as ``vibe serve`` on a real port; users and projects are made over HTTP, and files are
committed through the library on the same SQLite file.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.accounts_http import PASSWORD
from tests.cli import clean_env, serving, wait_until_ready
from tests.conftest import JWT_SECRET
from vibe.bootstrap import connect
from vibe.config import Settings

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CANARY_COOKIE = "canary-cookie-7c1f"
CANARY_STORAGE = "canary-storage-52ab"

HOSTILE_PAGE = """<!doctype html>
<html><body><pre id="out">running</pre>
<script>
(async () => {
  const out = {};
  const attempt = (name, read) => {
    try { out[name] = String(read()); } catch (error) { out[name] = "threw " + error.name; }
  };
  attempt("cookie", () => document.cookie);
  attempt("local", () => localStorage.getItem("canary"));
  attempt("session", () => sessionStorage.getItem("canary"));
  attempt("origin", () => window.origin);
  const call = async (name, url, init) => {
    try {
      const response = await fetch(url, { credentials: "include", ...init });
      out[name] = response.status + " " + (await response.text());
    } catch (error) {
      out[name] = "failed " + error.name;
    }
  };
  await call("me", "/api/v1/users/me");
  await call("create", "/api/v1/projects", {
    method: "POST", headers: { "content-type": "application/json" }, body: '{"name": "pwned"}',
  });
  document.getElementById("out").textContent = JSON.stringify(out);
  document.body.dataset.done = "1";
})();
</script></body></html>
"""
STYLED_PAGE = '<!doctype html><link rel="stylesheet" href="style.css"><p id="hello">Hello</p>'
STYLE = "body { background-color: rgb(1, 2, 3); } #hello { color: rgb(250, 240, 230); }"


def chromium_path() -> str:
    path = os.environ.get("VIBE_TEST_CHROMIUM", "/usr/bin/chromium")
    if not (Path(path).exists() or shutil.which(path)):
        message = f"no Chromium at {path} (set VIBE_TEST_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}, and CI=true: the browser tests must run")
        pytest.skip(message)
    return path


class Server:
    """``vibe serve`` on a temporary SQLite file, with helpers that act as a user would."""

    def __init__(self, base: str, database_url: str) -> None:
        self.base = base
        self.database_url = database_url
        self.http = httpx.Client(base_url=base, timeout=10)

    def user(self, email: str) -> dict[str, Any]:
        registered = self.http.post("/api/v1/users", json={"email": email, "password": PASSWORD})
        assert registered.status_code == 201, registered.text
        login = self.http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        user: dict[str, Any] = registered.json()
        return user | {"headers": {"Authorization": f"Bearer {login.json()['access_token']}"}}

    def project(self, owner: dict[str, Any], files: dict[str, str]) -> str:
        made = self.http.post("/api/v1/projects", json={"name": "Site"}, headers=owner["headers"])
        assert made.status_code == 201, made.text
        project_id: str = made.json()["id"]
        with ThreadPoolExecutor(1) as thread:  # Playwright's sync API holds this thread's event loop
            thread.submit(asyncio.run, self._commit(project_id, files)).result()
        return project_id

    async def _commit(self, project_id: str, files: dict[str, str]) -> None:
        settings = Settings(database_url=self.database_url, jwt_secret=JWT_SECRET)
        async with connect(settings, migrate=False) as vibe:
            await vibe.projects.commit(project_id, files, "from the test")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("serve")
    database_url = f"sqlite+aiosqlite:///{home / 'vibe.db'}"
    env = clean_env(VIBE_DATABASE_URL=database_url, VIBE_JWT_SECRET=JWT_SECRET, VIBE_LOG_LEVEL="WARNING")
    with serving(home, env) as base:
        wait_until_ready(f"{base}/readyz", timeout=30)
        app = Server(base, database_url)
        yield app
        app.http.close()


@pytest.fixture
def signed_in(server: Server, browser: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
    """A browser context signed in as a fresh user through the cookie session, and that user."""
    user = server.user(f"owner{os.urandom(4).hex()}@example.com")
    context = browser.new_context(base_url=server.base)
    context.set_default_timeout(10_000)
    started = context.request.post(
        "/api/v1/auth/session", data={"email": user["email"], "password": PASSWORD}
    )
    assert started.ok, started.text()
    yield context, user
    context.close()


def test_a_hostile_page_reads_no_cookie_no_storage_and_cannot_call_the_api(
    server: Server, signed_in: tuple[Any, dict[str, Any]]
) -> None:
    context, user = signed_in
    project_id = server.project(user, {"index.html": HOSTILE_PAGE})
    context.add_cookies([{"name": "canary", "value": CANARY_COOKIE, "url": server.base}])
    page = context.new_page()
    page.goto("/ping")
    page.evaluate(
        "([v]) => { localStorage.setItem('canary', v); sessionStorage.setItem('canary', v); }",
        [CANARY_STORAGE],
    )
    assert page.evaluate("document.cookie") == f"canary={CANARY_COOKIE}"  # readable by the app itself
    access = next(c for c in context.cookies() if c["name"] == "vibe_access")
    assert access["httpOnly"] is True
    assert server.http.get(
        "/api/v1/users/me", headers={"Cookie": f"vibe_access={access['value']}"}
    ).is_success

    opened = page.goto(f"/preview/{project_id}/")
    assert opened is not None
    assert opened.status == 200  # the owner's own navigation carries the cookie
    page.wait_for_selector("body[data-done]")
    seen = json.loads(page.text_content("#out") or "{}")
    leaked = json.dumps(seen)

    assert seen["origin"] == "null"
    assert seen["cookie"] in ("", "threw SecurityError")
    assert seen["local"] == "threw SecurityError"
    assert seen["session"] == "threw SecurityError"
    assert seen["me"] == "failed TypeError" or seen["me"].startswith("401 ")
    assert seen["create"] == "failed TypeError" or seen["create"].startswith(("401 ", "403 "))
    for secret in (CANARY_COOKIE, CANARY_STORAGE, access["value"], user["email"], user["id"]):
        assert secret not in leaked
    mine = server.http.get("/api/v1/projects", headers=user["headers"]).json()
    assert [p["name"] for p in mine["items"]] == ["Site"]  # the page created nothing


def test_a_private_project_renders_styled_for_its_owner_through_a_preview_link(
    server: Server, signed_in: tuple[Any, dict[str, Any]]
) -> None:
    context, user = signed_in
    project_id = server.project(user, {"index.html": STYLED_PAGE, "style.css": STYLE})
    page = context.new_page()

    page.goto(f"/preview/{project_id}/")  # sandboxed: its request for style.css carries no cookie
    page.wait_for_selector("#hello")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(1, 2, 3)"

    page.goto("/ping")  # the web UI's origin asks for a link, with its cookie
    link = page.evaluate(
        """async (id) => {
            const response = await fetch(`/api/v1/projects/${id}/preview-link`, { method: "POST" });
            return { status: response.status, body: await response.json() };
        }""",
        project_id,
    )
    assert link["status"] == 201, link
    opened = page.goto(link["body"]["url"])
    assert opened is not None
    assert opened.headers["content-security-policy"].startswith("sandbox ")
    page.wait_for_selector("#hello")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(1, 2, 3)"
    assert page.evaluate("getComputedStyle(document.getElementById('hello')).color") == "rgb(250, 240, 230)"
    assert page.evaluate("window.origin") == "null"
