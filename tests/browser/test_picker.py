"""Pick mode in headless Chromium (docs/api.md, "Pointing at the page"), against ``vibe serve`` with the
offline model:

- the selector the picker computes, for every element of a set of generated pages, is unique on the
  page, survives the outer-HTML round trip, and names the same element in the file as the server's
  locator finds it;
- the picker is in the workspace preview (``/w/``) only, never in share links or raw files;
- a hostile page that posts forged picker messages gets nothing done: no request, composer unchanged;
- the journey: pick a heading, change its text directly (one changed line), undo it, pick a button and
  ask "make this green", checking the preview and the versions' files after each step.

Set ``VIBE_SCREENSHOTS_DIR`` to save screenshots at 1280 and 390 px.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_web_ui import (
    new_page,
    project_id,
    register,
    screenshot,
    send,
    start_server,
)
from vibe.adapters.html_elements import parse_elements
from vibe.domain.selection import outside_spans, with_blanks

pytestmark = pytest.mark.browser

PROMPTS = [
    "A landing page for my bakery in Paris",
    "A dashboard for my online shop",
    "A snake game",
    "A personal blog about hiking, with a FAQ and a contact form",
    "个人作品集网站",
]

EVERY_ELEMENT = """(source) => {
  const ours = (el) => el.closest("vibe-picker-layer") || el.dataset.vibe === "picker";
  const all = [...document.querySelectorAll("*")]
    .filter((el) => !ours(el) && el !== document.documentElement);
  const again = new DOMParser().parseFromString(document.documentElement.outerHTML, "text/html");
  const written = new DOMParser().parseFromString(source, "text/html");
  return all.map((el) => {
    const selector = window.__vibePickerSelector(el);
    const live = document.querySelectorAll(selector);
    const copy = again.querySelectorAll(selector);
    const inFile = written.querySelectorAll(selector);
    const kind = [...written.getElementsByTagName(el.localName)];
    const sameTag = inFile.length === 1 ? kind.indexOf(inFile[0]) : -1;
    return {
      selector, tag: el.localName,
      unique: live.length === 1 && live[0] === el,
      roundTrip: copy.length === 1 && copy[0].outerHTML === el.outerHTML,
      inFile: inFile.length === 1 && inFile[0].outerHTML.split(">")[0] === el.outerHTML.split(">")[0],
      fileIndex: sameTag,
    };
  });
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from start_server(tmp_path_factory.mktemp("picker"), "0")


def origin(page: Any) -> str:
    return "/".join(page.url.split("/")[:3])


def api(page: Any, method: str, path: str, **options: Any) -> Any:
    headers = {"Origin": origin(page), **options.pop("headers", {})}
    response = page.request.fetch(path, method=method, headers=headers, **options)
    assert response.ok, (path, response.status, response.text())
    return response.json() if "json" in response.headers.get("content-type", "") else response.text()


def generated(page: Any, prompt: str) -> str:
    started = api(page, "POST", "/api/generate", data={"prompt": prompt})
    page.request.get(started["stream_url"])  # the whole stream: the session is over when it ends
    session = api(page, "GET", f"/api/sessions/{started['session_id']}")
    assert session["status"] == "succeeded", session
    return str(started["project_id"])


def test_the_selector_of_every_element_is_unique_and_survives_the_round_trip(
    server: str, browser: Any
) -> None:
    context, page, _ = new_page(browser, server, viewport={"width": 1280, "height": 900})
    register(page, f"sel{os.urandom(4).hex()}@example.com")
    checked = 0
    for prompt in PROMPTS:
        project = generated(page, prompt)
        source = api(page, "GET", f"/api/v1/projects/{project}/files/index.html")
        link = api(page, "POST", f"/api/v1/projects/{project}/preview-link", data={})["url"]
        page.goto(link.replace("/s/", "/w/"))
        page.wait_for_load_state("load")
        results = page.evaluate(EVERY_ELEMENT, source)
        parsed = parse_elements(source)
        for result in results:
            assert result["unique"], (prompt, result)
            assert result["roundTrip"], (prompt, result)
            if not result["inFile"]:
                continue  # made by a script: not in the file, so no edit can be scoped to it
            found = parsed.select(result["selector"])
            assert len(found) == 1, (prompt, result)
            same = [t for t in parsed.elements if t.name == result["tag"]]
            at = next(i for i, tag in enumerate(same) if tag is found[0])  # Tag == compares markup
            assert at == result["fileIndex"], (prompt, result)
            checked += 1
    assert checked > 300
    context.close()


def test_the_picker_is_in_the_workspace_preview_only(server: str, browser: Any) -> None:
    context, page, _ = new_page(browser, server)
    register(page, f"only{os.urandom(4).hex()}@example.com")
    project = generated(page, "A bakery in Paris")
    link = api(page, "POST", f"/api/v1/projects/{project}/preview-link", data={})["url"]
    marker = 'data-vibe="picker"'
    assert marker in page.request.get(link.replace("/s/", "/w/")).text()
    for plain in (link, f"/preview/{project}/index.html", f"/api/v1/projects/{project}/files/index.html"):
        response = page.request.get(plain)
        assert response.ok
        assert marker not in response.text()
    workspace = page.request.get(link.replace("/s/", "/w/"))
    assert "sandbox" in workspace.headers["content-security-policy"]
    assert "allow-same-origin" not in workspace.headers["content-security-policy"]
    context.close()


HOSTILE = """<!doctype html>
<html><head><title>Hostile</title></head><body>
<h1>Nothing to see</h1>
<button id="b">Click</button>
<script>
  const forged = [
    {vibe: "picker", type: "pick", add: true, path: "index.html", selector: "h1", tag: "h1", text: "x",
     html: null},
    {vibe: "picker", type: "edit", path: "index.html", selector: "h1", tag: "h1", before: "Nothing to see",
     after: "Owned"},
    {vibe: "picker", type: "mode", on: true, selected: []},
    {vibe: "picker", type: "pick", add: true, path: "../x.html", selector: "h1", tag: "h1", text: "",
     html: null, extra: 1},
    {vibe: "picker", type: "edit", path: "index.html", selector: "h1", tag: "<img>", before: "", after: "x"},
    "pick", null, [1, 2],
  ];
  let rounds = 0;
  const blast = () => {
    for (const message of forged) parent.postMessage(message, "*");
    top.postMessage(forged[0], "*");
    if (++rounds < 40) setTimeout(blast, 50);
  };
  blast();
  // From a window that is not the preview frame itself: a nested frame of the page.
  const inner = document.createElement("iframe");
  const again = JSON.stringify(forged[0]);
  inner.srcdoc = "<script>setInterval(() => top.postMessage(" + again + ", '*'), 50)<\\/script>";
  document.body.append(inner);
</script>
</body></html>
"""


def test_a_hostile_page_posting_forged_picker_messages_gets_nothing_done(server: str, browser: Any) -> None:
    context, page, _ = new_page(browser, server, viewport={"width": 1280, "height": 900})
    register(page, f"hostile{os.urandom(4).hex()}@example.com")
    project = api(page, "POST", "/api/v1/projects", data={"name": "Hostile"})["id"]
    api(
        page,
        "PUT",
        f"/api/v1/projects/{project}/files/index.html",
        data=HOSTILE.encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    sent: list[str] = []
    page.on("request", lambda r: sent.append(f"{r.method} {r.url}") if r.method != "GET" else None)
    page.goto(f"/app/p/{project}")
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("h1")).to_have_text("Nothing to see")
    page.wait_for_timeout(2500)  # every round of forged messages is posted by now
    composer = page.get_by_label("Describe your site")
    assert composer.input_value() == ""
    expect(page.locator("#picks")).to_be_hidden()
    assert not [r for r in sent if "/preview-link" not in r], sent

    # In pick mode the page's forgeries still cannot send anything: a forged edit only asks the person.
    page.get_by_role("button", name="Pick elements").click()
    page.wait_for_timeout(1500)
    assert not [r for r in sent if "/preview-link" not in r], sent
    assert composer.input_value() == ""
    assert json.loads(
        page.evaluate(
            "JSON.stringify([...document.querySelectorAll('.pick-chip code')].map(c => c.textContent))"
        )
    ) in ([], ["<h1>"])
    context.close()


def _changed_lines(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_pick_edit_directly_undo_and_make_a_button_green(server: str, browser: Any) -> None:
    context, page, console = new_page(browser, server, viewport={"width": 1280, "height": 900})
    register(page, f"journey{os.urandom(4).hex()}@example.com")
    send(page, "A landing page for my bakery in Paris")
    project = project_id(page)
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("h1")).to_have_text("Bakery in Paris")
    v1 = api(page, "GET", f"/api/v1/projects/{project}/files/index.html?version=1")

    # Pick the heading: a chip in the composer.
    page.get_by_role("button", name="Pick elements").click()
    frame.locator("h1").click()
    chip = page.locator(".pick-chip")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text("<h1>")
    expect(chip).to_contain_text("Bakery in Paris")
    expect(chip).to_contain_text("index.html")
    screenshot(page, "pick-desktop")

    # Change its text directly: double-click, type, Enter, then Save in the app.
    frame.locator("h1").dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("Pains et Gâteaux")
    page.keyboard.press("Enter")
    expect(page.locator(".direct-edit")).to_contain_text("Pains et Gâteaux")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".toast")).to_contain_text("version 2")
    expect(frame.locator("h1")).to_have_text("Pains et Gâteaux")
    v2 = api(page, "GET", f"/api/v1/projects/{project}/files/index.html?version=2")
    changed = _changed_lines(v1, v2)
    assert len(changed) == 2, changed  # one line out, one line in
    assert "Pains et Gâteaux" in changed[1]
    assert api(page, "GET", f"/api/v1/projects/{project}/versions")["items"][0]["generation_id"] is None

    # Undo it from the conversation: version 3 is version 1 again.
    page.locator(".msg-edit .undo-edit").first.click()
    expect(frame.locator("h1")).to_have_text("Bakery in Paris")
    assert api(page, "GET", f"/api/v1/projects/{project}/files/index.html?version=3") == v1

    # Pick a button and ask for it in green: only that element changes. Pick mode stayed on; the
    # heading's chip went with the version it was picked on.
    expect(page.get_by_role("button", name="Pick elements")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".pick-chip")).to_have_count(0)
    button = frame.locator("main a.btn, main button").first
    button.click()
    expect(page.locator(".pick-chip")).to_have_count(1)
    selection_text = page.locator(".pick-chip").text_content() or ""
    send(page, "make this green")
    expect(page.locator(".pick-chip")).to_have_count(0)
    expect(page.locator("#version-select")).to_have_value("4")
    green = frame.locator("main a.btn, main button").first
    expect(green).to_have_css("background-color", "rgb(22, 101, 52)")
    v4 = api(page, "GET", f"/api/v1/projects/{project}/files/index.html?version=4")
    assert not outside_spans(v1, v4, [_span_of(v1, "background-color: #166534", v4)]), selection_text
    screenshot(page, "pick-green-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("tab", name="Chat").click()
    screenshot(page, "pick-mobile-chat")
    assert not [e for e in console.errors if "Content Security Policy" in e], console.errors
    context.close()


def _span_of(old: str, marker: str, new: str) -> tuple[int, int]:
    """The span (with its blanks) of the element of ``old`` that ``new`` restyled with ``marker``."""
    at = new.index(marker)
    start = new.rfind("<", 0, at)
    parsed = parse_elements(old)
    element = parsed.at(start)
    assert element is not None
    span = parsed.span(element)
    return with_blanks(old, span.start, span.end)


def test_pick_mode_works_by_keyboard(server: str, browser: Any) -> None:
    context, page, _ = new_page(browser, server, viewport={"width": 1280, "height": 900})
    register(page, f"keys{os.urandom(4).hex()}@example.com")
    send(page, "A landing page for my bakery in Paris")
    project_id(page)
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("h1")).to_have_text("Bakery in Paris")
    toggle = page.get_by_role("button", name="Pick elements")
    toggle.focus()
    page.keyboard.press("Enter")  # the toggle, by keyboard: pick mode on, focus in the preview
    expect(toggle).to_have_attribute("aria-pressed", "true")
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # the outline moves from element to element
    page.keyboard.press("Enter")
    expect(page.locator(".pick-chip")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Shift+Enter")  # adds a second one
    expect(page.locator(".pick-chip")).to_have_count(2)
    page.keyboard.press("Escape")  # leaves pick mode; the picks stay in the composer
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".pick-chip")).to_have_count(2)
    context.close()


def _png(colour: tuple[int, int, int]) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def test_a_picked_image_is_replaced_by_an_uploaded_picture(server: str, browser: Any) -> None:
    context, page, _ = new_page(browser, server, viewport={"width": 1280, "height": 900})
    register(page, f"img{os.urandom(4).hex()}@example.com")
    project = api(page, "POST", "/api/v1/projects", data={"name": "Pictures"})["id"]
    page_html = (
        '<!doctype html>\n<html><body>\n<h1>Pictures</h1>\n<img src="old.png" alt="A picture">\n'
        "</body></html>\n"
    )
    base = f"/api/v1/projects/{project}/files"
    api(page, "PUT", f"{base}/old.png", data=_png((200, 0, 0)), headers={"Content-Type": "image/png"})
    api(
        page,
        "PUT",
        f"{base}/index.html?base=1",
        data=page_html.encode(),
        headers={"Content-Type": "text/html"},
    )
    page.goto(f"/app/p/{project}")
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("h1")).to_have_text("Pictures")
    page.get_by_role("button", name="Pick elements").click()
    frame.locator("img").dblclick()
    expect(page.locator(".direct-edit")).to_contain_text("old.png")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Choose a picture…").click()
    chooser.value.set_files({"name": "New Photo.png", "mimeType": "image/png", "buffer": _png((0, 0, 200))})
    expect(page.locator("#version-select")).to_have_value("4")
    expect(frame.locator("img")).to_have_attribute("src", "images/new-photo.png")
    assert api(page, "GET", f"{base}/index.html?version=4") == page_html.replace(
        "old.png", "images/new-photo.png"
    )
    assert page.request.get(f"{base}/images/new-photo.png").body() == _png((0, 0, 200))
    context.close()
