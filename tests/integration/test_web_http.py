"""The web UI over HTTP: its page (strict CSP, never framed), its static files (types, caching by build,
nothing from another origin, every module and string present), that none of its headers reach the
sandboxed previews, and ``GET /api/sessions/{id}/events``, the JSON read of a finished session's
events that the conversation is drawn from.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from litestar import Litestar

from tests.accounts_http import signed_up
from tests.conftest import JWT_SECRET
from tests.problems import assert_problem
from tests.sse import read_stream
from vibe.bootstrap import Vibe, connect
from vibe.config import Settings
from vibe.entrypoints.http import web
from vibe.testing import FastHasher, ScriptedModel, turn
from vibe.testing.loopback import LoopbackServer

STATIC = Path(web.__file__).parent / "static"
PAGES = ["/", "/signin", "/register", "/app", "/app/p/01abc"]


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


@pytest.fixture
async def vibe(tmp_path: Path, model: ScriptedModel) -> AsyncIterator[Vibe]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}", jwt_secret=JWT_SECRET)
    async with connect(settings, hasher=FastHasher(), model=model) as app:
        yield app


@pytest.fixture
async def http(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with LoopbackServer(app) as running, httpx.AsyncClient(base_url=running.url, timeout=10) as client:
        yield client


def directives(policy: str) -> dict[str, str]:
    """A CSP as {directive: its value}."""
    pairs = (part.strip().partition(" ") for part in policy.split(";") if part.strip())
    return {name: value for name, _, value in pairs}


async def build_of(http: httpx.AsyncClient) -> str:
    page = (await http.get("/")).text
    found = re.search(r'href="/static/([0-9a-f]{16})/app\.css"', page)
    assert found, page[:500]
    return found.group(1)


# --- the page ---------------------------------------------------------------------------------------

# Where Litestar serves its OpenAPI viewers (each loads its scripts from a CDN) unless told otherwise.
SCHEMA_VIEWERS = ["swagger", "redoc", "elements", "rapidoc", "scalar", "stoplight", "openapi.yaml", ""]


@pytest.mark.parametrize("viewer", SCHEMA_VIEWERS)
async def test_no_openapi_viewer_loads_code_from_elsewhere_on_the_apps_origin(
    http: httpx.AsyncClient, viewer: str
) -> None:
    response = await http.get(f"/api/schema/{viewer}".rstrip("/"))
    assert "text/html" not in response.headers.get("content-type", "")
    assert not re.search(r"<script|https?://(?!www\.w3\.org)[^\s\"]*\.js", response.text)
    if viewer:
        assert_problem(response, 404)


async def test_the_raw_openapi_schema_is_served(http: httpx.AsyncClient) -> None:
    for path in ("/api/schema/openapi.json", "/api/schema"):
        response = await http.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("application/vnd.oai.openapi+json")
        assert response.json()["info"]["title"] == "vibe"


async def test_every_route_of_the_app_is_the_page_with_a_strict_csp(http: httpx.AsyncClient) -> None:
    first = await http.get("/")
    for path in PAGES:
        response = await http.get(path)
        assert response.status_code == 200, path
        assert response.text == first.text
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        policy = directives(response.headers["content-security-policy"])
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["frame-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert policy["base-uri"] == "'none'"
        assert "unsafe" not in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert (await http.get("/nothing-here")).status_code == 404


async def test_the_page_has_no_inline_script_or_style_and_loads_nothing_from_elsewhere(
    http: httpx.AsyncClient,
) -> None:
    page = (await http.get("/")).text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    assert scripts
    assert all('src="/static/' in attributes and not body.strip() for attributes, body in scripts)
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers
    for url in re.findall(r'\s(?:src|href)="([^"]*)"', page):
        assert url.startswith(("/", "#")), url
    svg_namespace = "http://www.w3.org/2000/svg"
    for asset in STATIC.rglob("*"):
        if asset.is_file():
            text = asset.read_text("utf-8").replace(svg_namespace, "")
            # self-hosted: no CDN, no remote font (a URL naming a host; the editor bundle holds the bare
            # scheme "https://" that its Markdown mode puts before a pasted "www." link)
            assert not re.search(r"https?://[\w.-]", text), asset


async def test_static_files_have_their_types_and_are_cached_for_good_under_their_build(
    http: httpx.AsyncClient,
) -> None:
    build = await build_of(http)
    assert build == web.bundle().build
    for path, content_type in [
        ("app.css", "text/css; charset=utf-8"),
        ("js/main.js", "text/javascript; charset=utf-8"),
        ("i18n/zh-CN.js", "text/javascript; charset=utf-8"),
        ("icons/logo.svg", "image/svg+xml"),
    ]:
        response = await http.get(f"/static/{build}/{path}")
        assert response.status_code == 200, path
        assert response.headers["content-type"] == content_type
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.content == (STATIC / path).read_bytes()
        again = await http.get(f"/static/{build}/{path}", headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""
    stale = await http.get("/static/0123456789abcdef/app.css")  # a page from an earlier install
    assert stale.status_code == 200
    assert stale.headers["cache-control"] == "no-cache"
    zipped = await http.get(f"/static/{build}/app.css", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    for missing in ["nope.js", "../web.py", "..%2Fweb.py", "js/../../web.py", "index.htm"]:
        assert_problem(await http.get(f"/static/{build}/{missing}"), 404)


async def test_every_module_the_app_imports_is_served(http: httpx.AsyncClient) -> None:
    build = await build_of(http)
    start = f"/static/{build}/js/main.js"
    seen: set[str] = set()
    pending = [start]
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        response = await http.get(url)
        assert response.status_code == 200, url
        for target in re.findall(r'(?:\bfrom\s+|\bimport\s*\(\s*)"(\.{1,2}/[^"]+)"', response.text):
            pending.append(urljoin(url, target))
    served = {url.split(f"/static/{build}/", 1)[1] for url in seen}
    modules = {str(p.relative_to(STATIC)) for p in STATIC.rglob("*.js")}
    assert served == modules  # every module is reachable from main.js, and nothing it imports is missing


def test_both_languages_have_every_string() -> None:
    def keys(path: Path) -> set[str]:
        found = re.findall(r'^\s*"([\w.-]+)":', path.read_text("utf-8"), re.M)
        return {re.sub(r"\.(zero|one|two|few|many|other)$", "", key) for key in found}

    english, chinese = keys(STATIC / "i18n" / "en.js"), keys(STATIC / "i18n" / "zh-CN.js")
    assert english == chinese
    page = (STATIC / "index.html").read_text("utf-8")
    used = set(re.findall(r'data-i18n="([^"]+)"', page))
    for attributes in re.findall(r'data-i18n-attr="([^"]+)"', page):
        used |= {pair.split(":", 1)[1] for pair in attributes.split(";")}
    for script in (STATIC / "js").glob("*.js"):
        code = script.read_text("utf-8")
        used |= set(re.findall(r'\bt\(\s*"([\w.-]+)"', code))
        used |= set(re.findall(r'\bsetText\([^,]+,\s*"([\w.-]+)"\)', code))
    assert len(used) > 100  # the scan found the keys in use
    assert used - english == set()


# --- previews keep their own headers ----------------------------------------------------------------


async def test_previews_and_share_links_get_none_of_the_app_pages_headers(
    http: httpx.AsyncClient, vibe: Vibe
) -> None:
    ada = await signed_up(http, "ada@example.com")
    made = await http.post("/api/v1/projects", json={"name": "Site"}, headers=ada["headers"])
    project_id = made.json()["id"]
    await vibe.projects.commit(project_id, {"index.html": "<h1>Hi</h1>"}, "a page")
    link = await http.post(f"/api/v1/projects/{project_id}/preview-link", headers=ada["headers"])
    for url in [
        f"/preview/{project_id}/",
        link.json()["url"],
        f"/api/v1/projects/{project_id}/files/index.html",
    ]:
        response = await http.get(url, headers=ada["headers"])
        assert response.status_code == 200, url
        assert response.headers["content-security-policy"].startswith("sandbox allow-scripts")
        assert "frame-ancestors" not in response.headers["content-security-policy"]
        assert "x-frame-options" not in response.headers  # the app frames its previews
        assert response.headers["referrer-policy"] == "no-referrer"


# --- GET /api/sessions/{id}/events --------------------------------------------------------------------


def site() -> list[Any]:
    return [
        turn("Building it.", [("write_file", {"path": "index.html", "content": "<h1>Hi</h1>"})]),
        turn("A page that says hi."),
    ]


async def finished_session(http: httpx.AsyncClient, headers: dict[str, str], model: ScriptedModel) -> str:
    model.add(*site())
    started = (await http.post("/api/generate", json={"prompt": "a page"}, headers=headers)).json()
    await read_stream(http, started["stream_url"], headers)  # ends with the session
    return str(started["session_id"])


async def test_a_finished_sessions_events_read_as_json_as_the_stream_replays_them(
    http: httpx.AsyncClient, model: ScriptedModel
) -> None:
    ada = await signed_up(http, "ada@example.com")
    session_id = await finished_session(http, ada["headers"], model)
    _, frames, _ = await read_stream(http, f"/api/stream/{session_id}", ada["headers"])

    stored = await http.get(f"/api/sessions/{session_id}/events", headers=ada["headers"])
    assert stored.status_code == 200
    items = stored.json()["items"]
    assert [(e["id"], e["event"], e["data"]) for e in items] == [(f.id, f.event, f.data) for f in frames]

    prose = await http.get(f"/api/sessions/{session_id}/events?name=text&name=done", headers=ada["headers"])
    chosen = prose.json()["items"]
    assert {e["event"] for e in chosen} == {"text", "done"}
    assert (
        "".join(e["data"]["delta"] for e in chosen if e["event"] == "text")
        == "Building it.A page that says hi."
    )
    later = await http.get(f"/api/sessions/{session_id}/events?after=3", headers=ada["headers"])
    assert [e["id"] for e in later.json()["items"]] == [f.id for f in frames if f.id is not None and f.id > 3]


async def test_the_events_of_a_session_are_its_owners_only(
    http: httpx.AsyncClient, model: ScriptedModel
) -> None:
    ada = await signed_up(http, "ada@example.com")
    bob = await signed_up(http, "bob@example.com")
    session_id = await finished_session(http, ada["headers"], model)
    assert_problem(await http.get(f"/api/sessions/{session_id}/events", headers=bob["headers"]), 404)
    assert_problem(await http.get(f"/api/sessions/{session_id}/events"), 401)
    assert_problem(await http.get("/api/sessions/nope/events", headers=ada["headers"]), 404)
    bad_name = await http.get(f"/api/sessions/{session_id}/events?name=secret", headers=ada["headers"])
    assert_problem(bad_name, 422)
    too_far = await http.get(f"/api/sessions/{session_id}/events?after={10**30}", headers=ada["headers"])
    assert_problem(too_far, 422)


async def test_a_running_session_is_to_be_followed_on_its_stream(
    http: httpx.AsyncClient, model: ScriptedModel
) -> None:
    ada = await signed_up(http, "ada@example.com")
    model.pace = 0.2
    model.add(*site())
    started = (await http.post("/api/generate", json={"prompt": "a page"}, headers=ada["headers"])).json()
    running = await http.get(f"/api/sessions/{started['session_id']}/events", headers=ada["headers"])
    assert "/api/stream/" in assert_problem(running, 409)["detail"]
    await http.post(f"/api/sessions/{started['session_id']}/cancel", headers=ada["headers"])
