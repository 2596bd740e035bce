"""The web UI end to end, in headless Chromium driven by Playwright, against ``vibe serve`` with the
offline model: register and sign in, generate and watch the files stream in, see the preview render,
follow up to version 2, restore version 1, share the project and open its link signed out, download
the zip, switch language, and cut the event stream mid-generation to see it resume with nothing lost
or repeated.

Set ``VIBE_SCREENSHOTS_DIR`` (e.g. ``docs/screenshots``) to save the README's screenshots on the way.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.cli import clean_env, serving, wait_until_ready
from tests.conftest import JWT_SECRET

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
SCREENSHOTS = os.environ.get("VIBE_SCREENSHOTS_DIR")
TIMEOUT_MS = 20_000


def start_server(home: Path, pace: str) -> Iterator[str]:
    database_url = f"sqlite+aiosqlite:///{home / 'vibe.db'}"
    env = clean_env(
        VIBE_DATABASE_URL=database_url,
        VIBE_JWT_SECRET=JWT_SECRET,
        VIBE_LOG_LEVEL="WARNING",
        VIBE_LLM="offline",
        VIBE_OFFLINE_PACE_SECONDS=pace,
    )
    with serving(home, env) as base:
        wait_until_ready(f"{base}/readyz", timeout=30)
        yield base


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fast offline model: a whole site streams in a few seconds."""
    yield from start_server(tmp_path_factory.mktemp("web"), "0.003")


class Console:
    """Every console error and uncaught exception of a page (a CSP violation is one)."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", lambda message: self._message(message))
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _message(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)


def new_page(browser: Any, base: str, **options: Any) -> tuple[Any, Any, Console]:
    context = browser.new_context(base_url=base, locale="en-US", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    return context, page, Console(page)


def screenshot(page: Any, name: str, **options: Any) -> None:
    if SCREENSHOTS:
        page.mouse.move(1, 1)  # no hover effect in the picture
        page.wait_for_timeout(800)  # let the page's entrance animations finish
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), **options)


def register(page: Any, email: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Start building").click()
    page.get_by_label("Your name (optional)").fill("Ada")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/app")


def sign_in(page: Any, email: str) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/app")


def send(page: Any, prompt: str) -> None:
    page.get_by_label("Describe your site").fill(prompt)
    page.get_by_label("Describe your site").press("Enter")


def project_id(page: Any) -> str:
    page.wait_for_url(re.compile(r"/app/p/[^/]+$"))
    return str(page.url.rsplit("/", 1)[1])


def files_of(page: Any, project: str, version: int) -> dict[str, str]:
    """A version's files as the API has them (with the page's cookies)."""
    base = f"/api/v1/projects/{project}"
    listed = page.request.get(base).json()
    if listed["current_version"] == version:
        paths = [f["path"] for f in listed["files"]]
    else:
        paths = ["index.html", "style.css", "app.js"]  # what the offline model writes
    return {path: page.request.get(f"{base}/files/{path}?version={version}").text() for path in paths}


def code_tabs(page: Any) -> dict[str, str]:
    """Each file tab's text, as the Code panel shows it."""
    shown: dict[str, str] = {}
    page.get_by_role("tab", name="Code").click()
    tabs = page.locator("#file-tabs [role=tab]")
    for index in range(tabs.count()):
        tab = tabs.nth(index)
        path = tab.get_attribute("data-path")
        tab.click()
        page.wait_for_function(
            "(path) => { const c = document.getElementById('code-view');"
            " return c.dataset.path === path && c.dataset.state === 'complete'; }",
            arg=path,
        )
        shown[path] = page.evaluate("document.getElementById('code-view').editorText")
    return shown


SAMPLE_CODE = """() => {
  window.__samples = [];
  window.__tokens = [];
  const code = document.getElementById("code-view");
  new MutationObserver(() => {
    window.__samples.push([code.dataset.path, code.dataset.state, code.editorText.length]);
  }).observe(code, { childList: true, attributes: true, subtree: true, characterData: true });
  const tokens = document.getElementById("live-tokens");
  new MutationObserver(() => {
    window.__tokens.push([tokens.textContent, code.dataset.state]);
  }).observe(tokens, { childList: true, characterData: true, subtree: true });
}"""


def test_the_whole_journey(server: str, browser: Any) -> None:
    context, page, console = new_page(browser, server, viewport={"width": 1440, "height": 900})
    email = f"ada{os.urandom(4).hex()}@example.com"

    # The landing page says what vibe does.
    page.goto("/")
    expect_text(page, "h1", "Describe a web page. Watch it being written.")
    screenshot(page, "landing", full_page=True)

    # Register (which signs in), sign out, sign in again with the cookie session.
    register(page, email)
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["vibe_access"]["httpOnly"]
    assert cookies["vibe_refresh"]["httpOnly"]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(server + "/")
    assert "vibe_access" not in {c["name"] for c in context.cookies() if c["value"]}
    sign_in(page, email)

    # Generate with the offline model from a starter chip, watching the files stream in.
    page.evaluate(SAMPLE_CODE)
    page.get_by_role("button", name="Landing page").click()
    assert "bakery" in page.get_by_label("Describe your site").input_value()
    page.get_by_label("Describe your site").press("Enter")
    project = project_id(page)
    page.wait_for_selector("#live-bar:not([hidden]) #live-status")
    preview = page.frame_locator("#preview-frame")
    expect_text(preview, "h1", "Bakery in Paris")
    samples = page.evaluate("window.__samples")
    growing = [length for path, state, length in samples if path == "index.html" and state == "writing"]
    assert len(growing) >= 3, samples
    assert growing == sorted(growing)
    assert growing[-1] > growing[0]
    assert {path for path, _, _ in samples} >= {"index.html", "style.css", "app.js"}
    # The token counter moved while the files were still being written, not only at the end.
    moving = [text for text, state in page.evaluate("window.__tokens") if state == "writing"]
    assert any(re.search(r"[1-9]", text) for text in moving), page.evaluate("window.__tokens")

    # The streamed text is exactly the files of version 1; the result is labelled offline.
    assert code_tabs(page) == files_of(page, project, 1)
    offline = page.locator("#conversation .badge-offline").first
    assert offline.text_content() == "Offline model"
    assert "offline model" in (offline.get_attribute("title") or "")
    frame = page.locator("#preview-frame")
    assert frame.get_attribute("sandbox") == "allow-scripts allow-forms allow-modals allow-popups"
    assert re.match(r"^/w/[^/]+/$", frame.get_attribute("src") or "")  # the workspace twin of a /s/ link

    # A follow-up makes version 2.
    shown_before = frame.get_attribute("src")
    page.get_by_role("button", name="Make it dark").click()
    page.get_by_label("Describe your site").press("Enter")
    expect_text(page, "#history-count", "2")
    expect(frame).not_to_have_attribute("src", shown_before or "")
    expect_text(preview, "h1", "Bakery in Paris")
    expect(page.get_by_label("Version", exact=True)).to_have_value("2")
    screenshot(page, "workspace")
    version_two = files_of(page, project, 2)
    assert version_two["style.css"] != files_of(page, project, 1)["style.css"]
    assert code_tabs(page) == {"style.css": version_two["style.css"]}  # the edit, applied live

    # Restore version 1: a version 3 equal to it.
    page.get_by_role("tab", name="History").click()
    page.locator(".version[data-version='1']").get_by_role("button", name="Restore").click()
    expect_text(page, "#history-count", "3")
    expect_text(page, ".version.is-current .version-number", "Version 3")
    assert files_of(page, project, 3) == files_of(page, project, 1)

    # Site-check verdicts sit beside each version.
    assert page.locator(".version[data-version='2'] .checks").count() == 1

    # Download the zip of the current version.
    with page.expect_download() as downloading:
        page.locator(".version[data-version='3']").get_by_role("link", name="Download zip").click()
    download = downloading.value
    assert download.suggested_filename.endswith("-v3.zip")
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        assert sorted(archive.namelist()) == ["app.js", "index.html", "style.css"]

    # Make it public and open its share link signed out.
    page.get_by_role("button", name="Share").click()
    dialog = page.get_by_role("dialog")
    switch = dialog.get_by_role("switch")
    assert switch.get_attribute("aria-checked") == "false"
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    link = dialog.get_by_label("Share link").input_value()
    assert link == f"{server}/preview/{project}/"
    dialog.get_by_role("button", name="Done").click()
    assert page.locator("#public-badge").is_visible()
    stranger, stranger_page, stranger_console = new_page(browser, server)
    opened = stranger_page.goto(link)
    assert opened is not None
    assert opened.status == 200
    assert opened.headers["content-security-policy"].startswith("sandbox ")
    expect_text(stranger_page, "h1", "Bakery in Paris")
    assert stranger.cookies() == []
    stranger.close()

    # Switch language: every string follows, and the choice is remembered.
    page.get_by_label("Language").select_option("zh-CN")
    expect_text(page, "#tab-code", "代码")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("#composer-hint").text_content() == "Enter 发送 · Shift+Enter 换行"
    assert_translated(page)
    page.reload()
    expect_text(page, "#tab-preview", "预览")
    page.get_by_label("语言").select_option("en")
    expect_text(page, "#tab-preview", "Preview")

    assert console.errors == [], console.errors
    assert stranger_console.errors == [], stranger_console.errors
    context.close()


def test_rename_delete_keyboard_and_a_small_screen(server: str, browser: Any) -> None:
    context, page, console = new_page(browser, server, viewport={"width": 360, "height": 740})
    email = f"kim{os.urandom(4).hex()}@example.com"
    page.goto("/")
    assert_fits(page)
    register(page, email)
    made = page.request.post("/api/v1/projects", data={"name": "Scratch"}, headers={"Origin": server})
    assert made.status == 201, made.text()
    page.goto(f"/app/p/{made.json()['id']}")
    expect_text(page, "#project-title", "Scratch")
    assert_fits(page)

    # Keyboard only: the panes and the stage tabs are ARIA tabs moved with the arrow keys.
    page.get_by_role("tab", name="Chat").focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("tab", name="Site").get_attribute("aria-selected") == "true"
    page.get_by_role("tab", name="Preview").focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("tab", name="Code").get_attribute("aria-selected") == "true"
    assert page.locator("#panel-code").is_visible()
    assert not page.locator("#panel-preview").is_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # a visible focus ring
    page.get_by_role("tab", name="Chat").click()

    # Rename through the dialog, by keyboard.
    page.get_by_role("button", name="Rename").click()
    dialog = page.get_by_role("dialog")
    assert dialog.get_by_label("Name").evaluate("e => e === document.activeElement")
    page.keyboard.type("My café")
    page.keyboard.press("Enter")
    expect_text(page, "#project-title", "My café")

    # The Chinese strings fit too.
    page.get_by_label("Language").select_option("zh-CN")
    expect_text(page, "#pane-tab-stage", "网站")
    assert_fits(page)
    page.get_by_role("tab", name="网站").click()
    assert_fits(page)
    page.get_by_role("tab", name="对话").click()
    page.get_by_label("语言").select_option("en")

    # Delete asks first; Escape keeps it, confirming deletes it.
    page.get_by_role("button", name="Delete", exact=True).click()
    expect_text(page, "#dialog-title", "Delete “My café”?")
    page.keyboard.press("Escape")
    assert not page.get_by_role("dialog").is_visible()
    expect_text(page, "#project-title", "My café")
    page.get_by_role("button", name="Delete", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Delete project").click()
    page.wait_for_url("**/app")
    assert page.request.get("/api/v1/projects").json()["total"] == 0

    # Problems are shown from the problem+json detail.
    page.get_by_label("Describe your site").fill(" ")
    assert page.get_by_role("button", name="Send").is_disabled()
    page.get_by_role("button", name="Sign out").click()
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect_text(page, "#auth-error", "Invalid email or password.")
    assert_fits(page)

    errors = [e for e in console.errors if "401 (Unauthorized)" not in e]  # the refused sign-in
    assert errors == [], console.errors
    context.close()


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A slower offline model, so the stream can be cut while the site is still being written."""
    yield from start_server(tmp_path_factory.mktemp("web-slow"), "0.01")


def test_a_cut_stream_resumes_from_its_last_event_with_nothing_lost_or_repeated(
    slow_server: str, browser: Any
) -> None:
    with CuttableProxy(int(slow_server.rsplit(":", 1)[1])) as proxy:
        context, page, console = new_page(browser, proxy.base)
        register(page, f"lin{os.urandom(4).hex()}@example.com")

        send(page, "A blog about hiking in the Alps")
        project = project_id(page)
        page.wait_for_function("() => document.getElementById('code-view').editorText.length > 500")
        proxy.cut_streams(block_seconds=1.5)
        expect_text(page, "#live-status", "Connection lost, reconnecting…")
        expect_text(page, "#live-status", "Version 1 is ready")

        first, *resumed = [last_event_id(head) for head in proxy.stream_requests]
        assert first == 0
        assert resumed, "the stream was not reopened"
        assert all(n > 0 for n in resumed), proxy.stream_requests
        expect_text(page.frame_locator("#preview-frame"), "h1", "Hiking in the Alps")
        assert code_tabs(page) == files_of(page, project, 1)
        session = page.request.get(f"/api/sessions?project_id={project}").json()["items"][0]
        said = page.request.get(f"/api/sessions/{session['id']}/events?name=text").json()["items"]
        prose = page.locator(f"#conversation [data-session-id='{session['id']}'] .prose").text_content()
        assert squash(prose) == squash("".join(e["data"]["delta"] for e in said))

        # Stop ends a generation as cancelled, without a version.
        page.get_by_role("button", name="New", exact=True).click()
        page.wait_for_url("**/app")
        send(page, "A portfolio for a photographer")
        stopped = project_id(page)
        page.wait_for_function("() => document.getElementById('code-view').editorText.length > 100")
        page.get_by_role("button", name="Stop").click()
        expect_text(page, "#live-status", "Stopped")
        expect(page.get_by_role("button", name="Send")).to_be_visible()
        assert (
            page.request.get(f"/api/sessions?project_id={stopped}").json()["items"][0]["status"]
            == "cancelled"
        )
        assert page.request.get(f"/api/v1/projects/{stopped}").json()["current_version"] == 0

        network = [e for e in console.errors if "net::ERR_" in e]
        assert [e for e in console.errors if e not in network] == [], console.errors
        context.close()


def test_a_preview_whose_load_fails_is_loaded_again(server: str, browser: Any) -> None:
    """A dropped connection under the preview's first load (a network blip, a proxy restarting) must
    not leave an error page in the frame until the person presses Refresh."""
    context, page, console = new_page(browser, server)
    refused: list[str] = []

    def refuse_the_first_load(route: Any) -> None:
        if not refused and route.request.is_navigation_request():
            refused.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r"/w/"), refuse_the_first_load)
    register(page, f"blip{os.urandom(4).hex()}@example.com")
    send(page, "A blog about hiking in the Alps")
    expect_text(page, "#live-status", "Version 1 is ready")
    expect_text(page.frame_locator("#preview-frame"), "h1", "Hiking in the Alps")
    assert len(refused) == 1, refused
    network = [e for e in console.errors if "net::ERR_" in e]
    assert [e for e in console.errors if e not in network] == [], console.errors
    context.close()


# --- helpers ----------------------------------------------------------------------------------------


def expect_text(scope: Any, selector: str, text: str) -> None:
    """Wait until the first element matching ``selector`` reads exactly ``text``."""
    locator = scope.locator(selector).first
    locator.wait_for()
    expect(locator).to_have_text(text, timeout=TIMEOUT_MS)


def last_event_id(head: bytes) -> int:
    """Where a stream request asked to resume: its ``Last-Event-ID`` header, else its query."""
    found = re.search(rb"(?im)^last-event-id:\s*(\d+)", head) or re.search(rb"[?&]last_event_id=(\d+)", head)
    return int(found.group(1)) if found else 0


def squash(text: str | None) -> str:
    return "".join((text or "").split())


def assert_fits(page: Any) -> None:
    """Nothing is wider than the window (no sideways scrolling)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def assert_translated(page: Any) -> None:
    """Both tables have the same keys, and every static string on the page shows its Chinese text."""
    tables = page.evaluate(
        """async () => {
            const base = document.querySelector("link[rel=stylesheet]").href.replace(/app\\.css$/, "");
            const en = (await import(base + "i18n/en.js")).default;
            const zh = (await import(base + "i18n/zh-CN.js")).default;
            const shown = [...document.querySelectorAll("[data-i18n]")]
                .map((e) => [e.dataset.i18n, e.textContent]);
            return { en, zh, shown };
        }"""
    )
    plural = re.compile(r"\.(zero|one|two|few|many|other)$")
    assert {plural.sub("", k) for k in tables["en"]} == {plural.sub("", k) for k in tables["zh"]}
    for key, text in tables["shown"]:
        assert text == tables["zh"][key], (key, text)


Pair = tuple[socket.socket, socket.socket]


class CuttableProxy:
    """A TCP relay in front of the server that can drop the connections carrying event streams (and
    refuse new ones for a moment), as a network drop would."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.streams: list[Pair] = []
        self.stream_requests: list[bytes] = []  # the head of each event-stream request
        self.blocked = threading.Event()
        self.lock = threading.Lock()
        self.closed = False

    def __enter__(self) -> CuttableProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.closed = True
        self.listener.close()

    def cut_streams(self, block_seconds: float) -> None:
        self.blocked.set()
        with self.lock:
            pairs, self.streams = self.streams, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
        assert pairs, "no event stream was open"
        threading.Timer(block_seconds, self.blocked.clear).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.blocked.is_set():
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.port))
            pair = (client, upstream)
            threading.Thread(target=self._pump, args=(client, upstream, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, None), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, pair: Pair | None) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                if pair is not None and b"GET /api/stream/" in chunk:
                    with self.lock:
                        self.streams.append(pair)
                        self.stream_requests.append(chunk)
                sink.sendall(chunk)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.close()
