"""The editable Code tab in headless Chromium, against ``vibe serve`` with the offline model: edit a CSS
file, save it with Ctrl+S as a new version and see the preview change; a save against a stale version
is refused (409) with the choice to reload or overwrite; the editor is read-only while a generation
runs and on an earlier version; no CSP violation on the way (the bundle is served by vibe itself).

Set ``VIBE_SCREENSHOTS_DIR`` to save screenshots at 1280 and 390 px.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_web_ui import new_page, project_id, register, screenshot, send, start_server

pytestmark = pytest.mark.browser

RULE = "h1 { color: rgb(1, 2, 3); }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from start_server(tmp_path_factory.mktemp("code"), "0.01")


def text_of(page: Any, project: str, path: str, version: int) -> str:
    return str(page.request.get(f"/api/v1/projects/{project}/files/{path}?version={version}").text())


def type_at_end(page: Any, text: str) -> None:
    page.locator("#code-view .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def test_edit_a_css_file_save_it_and_handle_a_stale_save(server: str, browser: Any) -> None:
    context, page, console = new_page(browser, server, viewport={"width": 1280, "height": 900})
    # This tab does not hear the account's live events (as when its feed lags or is cut): the versions
    # made below from elsewhere reach it only through the save's 409, the check this test is about.
    # (A tab that hears of a new version moves to it; test_versions_ui covers that.)
    page.route("**/api/v1/events*", lambda route: route.abort())
    register(page, f"code{os.urandom(4).hex()}@example.com")
    send(page, "A landing page for my bakery in Paris")
    project = project_id(page)
    frame = page.frame_locator("#preview-frame")
    page.get_by_role("tab", name="Code").click()

    # While vibe writes, the editor is read-only.
    expect(page.locator("#code-status")).to_have_text("Read-only while vibe writes")
    expect(page.locator("#code-view .cm-content")).to_have_attribute("contenteditable", "false")
    expect(page.locator("#version-select")).to_have_value("1", timeout=60_000)
    page.get_by_role("tab", name="Code").click()  # the stage showed the preview of the new version
    page.get_by_role("button", name="Edit the files").click()
    page.locator("#file-tabs [role=tab][data-path='style.css']").click()
    expect(page.locator("#code-view .cm-content")).to_have_attribute("contenteditable", "true")
    before = text_of(page, project, "style.css", 1)

    # Edit, Ctrl+S: version 2, and the preview shows it.
    type_at_end(page, f"\n{RULE}\n")
    expect(page.locator("#code-status")).to_contain_text("Unsaved changes")
    screenshot(page, "code-editing-desktop")
    page.keyboard.press("Control+S")
    expect(page.locator("#version-select")).to_have_value("2")
    assert text_of(page, project, "style.css", 2) == before + f"\n{RULE}\n"
    assert text_of(page, project, "index.html", 2) == text_of(page, project, "index.html", 1)
    page.get_by_role("tab", name="Preview").click()
    expect(frame.locator("h1")).to_have_css("color", "rgb(1, 2, 3)")

    # Search works in the editor (Ctrl+F opens CodeMirror's panel).
    page.get_by_role("tab", name="Code").click()
    page.locator("#code-view .cm-content").click()
    page.keyboard.press("Control+F")
    expect(page.locator("#code-view .cm-search")).to_be_visible()
    page.keyboard.press("Escape")

    # A version made elsewhere meanwhile: the save is refused, with the choice to reload or overwrite.
    made = page.request.put(
        f"/api/v1/projects/{project}/files/notes.md?base=2",
        data=b"# Notes\n",
        headers={"Content-Type": "text/markdown", "Origin": server},
    )
    assert made.status == 201, made.text()
    type_at_end(page, "/* mine */\n")
    page.keyboard.press("Control+S")
    conflict = page.locator("#code-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("newer version")
    expect(page.get_by_role("button", name="Reload")).to_be_visible()
    expect(page.get_by_role("button", name="Overwrite")).to_be_visible()
    screenshot(page, "code-conflict-desktop")
    page.get_by_role("button", name="Overwrite").click()
    expect(page.locator("#version-select")).to_have_value("4")
    assert text_of(page, project, "style.css", 4).endswith("/* mine */\n")
    assert text_of(page, project, "notes.md", 4) == "# Notes\n"  # the other change is kept

    # Again stale, and this time Reload: the edit is dropped and the current version shown.
    made = page.request.put(
        f"/api/v1/projects/{project}/files/notes.md?base=4",
        data=b"# Notes, again\n",
        headers={"Content-Type": "text/markdown", "Origin": server},
    )
    assert made.status == 201, made.text()
    page.locator("#file-tabs [role=tab][data-path='style.css']").click()
    type_at_end(page, "/* dropped */\n")
    page.keyboard.press("Control+S")
    expect(conflict).to_be_visible()
    page.get_by_role("button", name="Reload").click()
    expect(page.locator("#version-select")).to_have_value("5")
    expect(conflict).to_be_hidden()
    page.wait_for_function("() => !document.getElementById('code-view').editorText.includes('dropped')")
    assert page.evaluate("document.getElementById('code-view').editorText") == text_of(
        page, project, "style.css", 5
    )

    # An earlier version is read-only.
    page.locator("#version-select").select_option("1")
    page.get_by_role("tab", name="Code").click()
    expect(page.locator("#code-view .cm-content")).to_have_attribute("contenteditable", "false")

    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#version-select").select_option("5")
    page.get_by_role("tab", name="Code").click()
    screenshot(page, "code-mobile")
    assert not [e for e in console.errors if "Content Security Policy" in e], console.errors
    context.close()
