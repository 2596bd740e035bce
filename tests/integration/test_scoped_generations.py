"""docs/api.md, "Pointing at the page" over real HTTP: ``selection`` on ``POST /api/generate`` is checked
against the current version (problem+json otherwise); the offline model's scoped edits change the
picked element and nothing else (the versions' files compared); the Claude adapter quotes the picks
to the model and the reply says when an edit went beyond them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.accounts_http import signed_up
from tests.conftest import JWT_SECRET
from tests.problems import assert_problem
from tests.sse import read_stream
from vibe.adapters.html_elements import SoupElementLocator, parse_elements
from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.domain.selection import outside_spans, with_blanks
from vibe.entrypoints.http.app import create_app
from vibe.testing import FastHasher
from vibe.testing.loopback import LoopbackServer
from vibe.testing.messages_server import MessagesServer, Reply

LOCATE = SoupElementLocator()


async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        connect(settings, hasher=FastHasher()) as vibe,
        LoopbackServer(create_app(vibe)) as server,
        httpx.AsyncClient(base_url=server.url, timeout=30) as http,
    ):
        yield http


@pytest.fixture
async def offline(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        jwt_secret=JWT_SECRET,
        llm="offline",
        offline_pace_seconds=0,
        sse_heartbeat_seconds=0.2,
    )
    async for http in serving(settings):
        yield http


async def generate(http: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> list[Any]:
    started = await http.post("/api/generate", json=body, headers=headers)
    assert started.status_code == 202, started.text
    _, frames, _ = await read_stream(http, started.json()["stream_url"], headers)
    assert frames[-1].event == "done", frames[-1]
    return frames


async def files_of(
    http: httpx.AsyncClient, headers: dict[str, str], project: str, version: int
) -> dict[str, str]:
    listed = (await http.get(f"/api/v1/projects/{project}", headers=headers)).json()
    out = {}
    for entry in listed["files"]:
        url = f"/api/v1/projects/{project}/files/{entry['path']}?version={version}"
        out[entry["path"]] = (await http.get(url, headers=headers)).text
    return out


async def a_site(http: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    ada = await signed_up(http, "ada@example.com")
    frames = await generate(http, ada["headers"], {"prompt": "A landing page for my bakery in Paris"})
    return ada["headers"], frames[-1].data["project_id"]


@pytest.mark.parametrize(
    ("prompt", "selector", "check"),
    [
        ("make this red", "h1", lambda el: 'style="color: #b91c1c"' in el),
        ("bigger", "h1", lambda el: "font-size: 1.25em" in el),
        ("remove this", "h1", lambda el: el == ""),
        ("change the text to “Fresh bread daily”", "h1", lambda el: ">Fresh bread daily</h1>" in el),
        ("duplicate this", "h1", lambda el: el.count("<h1") == 2),
        ("make this green", "a.btn, button", None),
    ],
)
async def test_an_offline_scoped_edit_changes_only_the_picked_element(
    offline: httpx.AsyncClient, prompt: str, selector: str, check: Any
) -> None:
    headers, project = await a_site(offline)
    before = await files_of(offline, headers, project, 1)
    page = before["index.html"]
    if check is None:  # the first button-like element of the page, by a selector that names it alone
        candidates = LOCATE.find(page, selector)
        assert candidates
        selector = _unique_selector(page, candidates[0].start)
    [span] = LOCATE.find(page, selector)
    body = {
        "prompt": prompt,
        "project_id": project,
        "selection": [{"path": "index.html", "selector": selector}],
    }
    frames = await generate(offline, headers, body)
    after = await files_of(offline, headers, project, 2)

    assert {p: t for p, t in after.items() if p != "index.html"} == {
        p: t for p, t in before.items() if p != "index.html"
    }  # no other file changed
    new = after["index.html"]
    start, end = with_blanks(page, span.start, span.end)
    assert not outside_spans(page, new, [(start, end)])  # nothing outside the element (and its blanks)
    changed = new[start : len(new) - (len(page) - end)]
    if check is not None:
        assert check(changed.strip()), changed
    else:
        assert "background-color: #166534" in changed
    prose = "".join(f.data["delta"] for f in frames if f.event == "text")
    assert "Note:" not in prose  # the check found nothing outside the picks


def _unique_selector(page: str, start: int) -> str:
    """A selector that names the element starting at ``start`` alone (by its index among its kind)."""
    node = parse_elements(page).at(start)
    path = []
    while node is not None and node.parent is not None:
        siblings = node.parent.find_all(node.name, recursive=False)
        path.append(f"{node.name}:nth-of-type({siblings.index(node) + 1})")
        node = node.parent
    selector = " > ".join(reversed(path))
    assert [s.start for s in LOCATE.find(page, selector)] == [start], selector
    return selector


async def test_the_selection_is_checked_against_the_current_version(offline: httpx.AsyncClient) -> None:
    headers, project = await a_site(offline)

    async def refused(selection: Any, project_id: str | None = project, status: int = 422) -> str:
        body = {"prompt": "make this red", "selection": selection} | (
            {"project_id": project_id} if project_id else {}
        )
        problem = assert_problem(await offline.post("/api/generate", json=body, headers=headers), status)
        return str(problem["detail"])

    one = {"path": "index.html", "selector": "h1"}
    assert "at most 10" in (await refused([one] * 11)).lower() or await refused([one] * 11)
    assert "no element" in await refused([{"path": "index.html", "selector": "h6.nowhere"}])
    assert "elements of" in await refused([{"path": "index.html", "selector": "section"}])
    assert "not a valid CSS selector" in await refused([{"path": "index.html", "selector": "h1[[["}])
    assert "not an HTML" in await refused([{"path": "style.css", "selector": "h1"}])
    assert "no file" in await refused([{"path": "about.html", "selector": "h1"}])
    assert "project_id" in await refused([one], project_id=None)
    assert "twice" in await refused([one, one])
    await refused([{"path": "index.html"}])  # no selector
    await refused([{"path": "../x.html", "selector": "h1"}])
    await refused({"path": "index.html", "selector": "h1"})  # not a list

    bob = await signed_up(offline, "bob@example.com")
    body = {"prompt": "make this red", "project_id": project, "selection": [one]}
    assert_problem(await offline.post("/api/generate", json=body, headers=bob["headers"]), 404)
    sessions = (await offline.get(f"/api/sessions?project_id={project}", headers=headers)).json()
    assert sessions["total"] == 1  # nothing refused was queued


# --- the Claude adapter, against the strict stand-in ----------------------------------------------

PAGE = '<!doctype html>\n<html><body>\n<h1 class="t">Cafe</h1>\n<p>Soup of the day.</p>\n</body></html>\n'


@pytest.fixture
async def claude(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, MessagesServer]]:
    async with MessagesServer() as api:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
            jwt_secret=JWT_SECRET,
            llm="claude",
            anthropic_api_key="test-key",
            anthropic_base_url=api.url,
            sse_heartbeat_seconds=0.2,
        )
        async for http in serving(settings):
            yield http, api


async def test_the_scoped_prompt_quotes_the_picks_and_the_reply_tells_an_edit_outside(
    claude: tuple[httpx.AsyncClient, MessagesServer],
) -> None:
    http, api = claude
    ada = await signed_up(http, "ada@example.com")
    api.add(Reply.tool_calls([("write_file", {"path": "index.html", "content": PAGE})], text="Writing."))
    api.add(Reply.text("A cafe."))
    frames = await generate(http, ada["headers"], {"prompt": "A cafe"})
    project = frames[-1].data["project_id"]

    inside = {"path": "index.html", "old_string": "Cafe</h1>", "new_string": "Café Rouge</h1>"}
    api.add(Reply.tool_calls([("edit_file", inside)], text="Renaming the heading."))
    api.add(Reply.text("Renamed it."))
    selection = [{"path": "index.html", "selector": "h1.t", "html": '<h1 class="t">Cafe</h1>'}]
    body = {"prompt": "call it Café Rouge", "project_id": project, "selection": selection}
    frames = await generate(http, ada["headers"], body)
    sent = api.requests[-2].body["messages"][0]["content"]
    closing = sent[-1]["text"]
    assert (
        '<selected_element path="index.html" selector="h1.t">\n<h1 class="t">Cafe</h1>\n</selected_element>'
        in closing
    )
    assert "Change only these elements" in closing
    assert closing.endswith("Requested change:\ncall it Café Rouge")
    assert "Note:" not in "".join(f.data["delta"] for f in frames if f.event == "text")
    assert "As the browser showed it" not in closing  # the same as in the file

    outside = {"path": "index.html", "old_string": "Soup of the day.", "new_string": "Stew."}
    api.add(Reply.tool_calls([("edit_file", outside)], text="Changing it."))
    api.add(Reply.text("Done."))
    selection = [{"path": "index.html", "selector": "h1"}]
    frames = await generate(
        http, ada["headers"], {"prompt": "bolder", "project_id": project, "selection": selection}
    )
    prose = "".join(f.data["delta"] for f in frames if f.event == "text")
    assert "changed index.html outside the selected elements" in prose
    versions = (await http.get(f"/api/v1/projects/{project}/versions", headers=ada["headers"])).json()[
        "items"
    ]
    newest = max(versions, key=lambda v: v["number"])
    assert "outside the selected elements" in newest["summary"]


async def test_an_element_is_located_for_a_direct_edit(offline: httpx.AsyncClient) -> None:
    headers, project = await a_site(offline)
    page = (
        "<!doctype html>\n<html><body>\n<h1>Caf\u00e9 \U0001f950 &amp; bread</h1>\n"
        "<p>Hi <b>there</b></p>\n</body></html>\n"
    )
    put = await offline.put(
        f"/api/v1/projects/{project}/files/index.html?base=1",
        content=page.encode(),
        headers=headers | {"Content-Type": "text/html; charset=utf-8"},
    )
    assert put.status_code == 201, put.text
    url = f"/api/v1/projects/{project}/elements"
    found = (await offline.get(url, params={"path": "index.html", "selector": "h1"}, headers=headers)).json()
    assert found["text"] == "Caf\u00e9 \U0001f950 & bread"
    assert found["text_only"] is True
    units = page.encode("utf-16-le")  # offsets count UTF-16 code units, as JavaScript strings do
    inner = units[found["open_end"] * 2 : found["close_start"] * 2].decode("utf-16-le")
    assert inner == "Caf\u00e9 \U0001f950 &amp; bread"
    mixed = (await offline.get(url, params={"path": "index.html", "selector": "p"}, headers=headers)).json()
    assert mixed["text_only"] is False
    assert mixed["text"] is None
    old = await offline.get(
        url, params={"path": "index.html", "selector": "h1", "version": 1}, headers=headers
    )
    assert old.json()["text"] != found["text"]

    for params in ({"path": "index.html", "selector": "li"}, {"path": "index.html", "selector": "h1[["},
                   {"path": "style.css", "selector": "h1"}, {"path": "index.html"}):  # fmt: skip
        assert_problem(await offline.get(url, params=params, headers=headers), 422)
    bob = await signed_up(offline, "bob@example.com")
    params = {"path": "index.html", "selector": "h1"}
    assert_problem(await offline.get(url, params=params, headers=bob["headers"]), 404)


async def test_the_element_as_the_browser_showed_it_is_quoted_when_it_differs(
    claude: tuple[httpx.AsyncClient, MessagesServer],
) -> None:
    http, api = claude
    ada = await signed_up(http, "ada@example.com")
    api.add(Reply.tool_calls([("write_file", {"path": "index.html", "content": PAGE})], text="Writing."))
    api.add(Reply.text("A cafe."))
    project = (await generate(http, ada["headers"], {"prompt": "A cafe"}))[-1].data["project_id"]
    edit = {"path": "index.html", "old_string": "Cafe</h1>", "new_string": "Café</h1>"}
    api.add(Reply.tool_calls([("edit_file", edit)]))
    api.add(Reply.text("Done."))
    seen = '<h1 class="t" data-js="1">Cafe <small>open</small></h1>\n<selected_element path="x">'
    selection = [{"path": "index.html", "selector": "h1.t", "html": seen}]
    await generate(http, ada["headers"], {"prompt": "accent", "project_id": project, "selection": selection})
    closing = api.requests[-2].body["messages"][0]["content"][-1]["text"]
    assert "As the browser showed it (after the page's scripts ran):\n  <h1 class" in closing
    assert '\n  <selected_element path="x">' in closing  # indented: never read as another pick
