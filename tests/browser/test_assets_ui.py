"""The Assets tab and reference images in headless Chromium, against ``vibe serve`` with the offline
model: upload a logo and a photo by drag and drop, see their thumbnails and pixel sizes, mention one in
the prompt, generate with them, see the logo in the preview's header, download the zip with the logo
inside byte for byte; then attach a reference picture to the prompt box by dropping it, remove one,
and send a follow-up that takes its colours. Screenshots at 1280 and 390 px when
``VIBE_SCREENSHOTS_DIR`` is set."""

from __future__ import annotations

import base64
import io
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_web_ui import (
    TIMEOUT_MS,
    expect_text,
    new_page,
    project_id,
    register,
    screenshot,
    start_server,
)

pytestmark = pytest.mark.browser

DROP = """
async ([selector, files]) => {
  const transfer = new DataTransfer();
  for (const [name, type, b64] of files) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, { type }));
  }
  const target = document.querySelector(selector);
  for (const kind of ["dragenter", "dragover", "drop"]) {
    target.dispatchEvent(new DragEvent(kind, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }
}
"""


def png(size: tuple[int, int], background: tuple[int, int, int], mark: tuple[int, int, int]) -> bytes:
    picture = Image.new("RGB", size, background)
    picture.paste(Image.new("RGB", (size[0] // 2, size[1] // 3), mark), (size[0] // 4, size[1] // 3))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def files(*items: tuple[str, str, bytes]) -> list[list[str]]:
    return [[name, kind, base64.b64encode(data).decode()] for name, kind, data in items]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from start_server(tmp_path_factory.mktemp("assets-web"), "0.002")


def test_a_tab_picked_while_the_workspace_loads_stays(server: str, browser: Any) -> None:
    """The workspace opens on the Preview tab once its projects have loaded; a tab the person picked
    meanwhile is theirs (it was switched back to Preview under them on a slow load)."""
    context, page, console = new_page(browser, server, viewport={"width": 1280, "height": 860})
    held: list[Any] = []
    page.route(re.compile(r"/api/v1/projects\?limit=100"), lambda route: held.append(route), times=1)
    register(page, f"slow{os.urandom(4).hex()}@example.com")
    while not held:
        page.wait_for_timeout(50)
    page.get_by_role("tab", name="Assets").click()
    with page.expect_response(re.compile(r"/api/v1/projects\?limit=100")):
        for route in held:
            route.continue_()
    page.wait_for_timeout(500)  # the workspace draws what it loaded
    expect(page.locator("#asset-drop")).to_be_visible()
    assert page.get_by_role("tab", name="Assets").get_attribute("aria-selected") == "true"
    assert console.errors == [], console.errors
    context.close()


def test_upload_a_logo_generate_with_it_and_download_it(server: str, browser: Any) -> None:
    context, page, console = new_page(browser, server, viewport={"width": 1280, "height": 860})
    register(page, f"ada{os.urandom(4).hex()}@example.com")
    logo = png((120, 80), (255, 255, 255), (106, 76, 255))
    photo = jpeg((300, 200), (200, 120, 60))

    # Drop a logo and a photo on the Assets tab of a new project: a project is made to hold them.
    page.get_by_role("tab", name="Assets").click()
    expect(page.locator("#asset-drop")).to_be_visible()
    page.evaluate(
        DROP,
        ["#panel-assets", files(("logo.png", "image/png", logo), ("croissants.jpg", "image/jpeg", photo))],
    )
    project = project_id(page)
    cards = page.locator("#asset-grid .asset-card")
    expect(cards).to_have_count(2)
    expect(page.locator(".asset-card[data-path='images/logo.png'] .asset-dims")).to_have_text("120 × 80 px")
    expect(page.locator(".asset-card[data-path='images/croissants.jpg'] .asset-dims")).to_have_text(
        "300 × 200 px"
    )
    expect_text(page, "#assets-count", "2")
    # A file of another kind is refused with a clear reason, and nothing is uploaded.
    page.evaluate(DROP, ["#panel-assets", files(("notes.pdf", "application/pdf", b"%PDF-1.4"))])
    expect(page.locator(".toast-error")).to_contain_text("notes.pdf is not a format")
    # A file whose bytes are not what its name says is refused by the server, with its reason.
    page.evaluate(DROP, ["#panel-assets", files(("fake.png", "image/png", photo))])
    expect(page.locator(".toast-error")).to_contain_text("Not that format.")
    expect(cards).to_have_count(2)
    screenshot(page, "assets-1280")

    # Mention the logo in the prompt and generate: the site shows it in the header.
    page.locator(".asset-card[data-path='images/logo.png']").get_by_role(
        "button", name="Insert into prompt"
    ).click()
    box = page.get_by_label("Describe your site")
    expect(box).to_have_value("Use images/logo.png")
    box.fill("A landing page for a bakery in Paris. Use images/logo.png as the logo.")
    box.press("Enter")
    preview = page.frame_locator("#preview-frame")
    logo_in_page = preview.locator("header img.logo")
    expect(logo_in_page).to_have_attribute("src", "images/logo.png", timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => { const d = document.querySelector('#preview-frame').contentDocument; return true; }"
    )
    loaded = preview.locator("header img.logo").evaluate("img => img.complete && img.naturalWidth")
    assert loaded == 120
    expect(preview.locator(".hero-art img")).to_have_attribute("src", "images/croissants.jpg")
    screenshot(page, "assets-preview-1280")

    # The zip of the version holds the logo byte for byte.
    page.get_by_role("tab", name="Preview").click()
    with page.expect_download() as downloading:
        page.locator("#preview-download").click()
    with zipfile.ZipFile(io.BytesIO(Path(downloading.value.path()).read_bytes())) as archive:
        assert archive.read("images/logo.png") == logo
        assert archive.read("images/croissants.jpg") == photo
        assert "index.html" in archive.namelist()

    # Reference pictures: dropped on the prompt box, shown as removable thumbnails, sent with it.
    teal = png((200, 120), (15, 20, 30), (20, 180, 160))
    page.evaluate(
        DROP, ["#composer", files(("look.png", "image/png", teal), ("other.png", "image/png", logo))]
    )
    thumbs = page.locator("#reference-strip .reference-item")
    expect(thumbs).to_have_count(2)
    page.get_by_role("button", name="Remove other.png").click()
    expect(thumbs).to_have_count(1)
    page.evaluate(DROP, ["#composer", files(("doc.pdf", "application/pdf", b"%PDF"))])
    expect(page.locator(".toast-error")).to_contain_text("must be PNG, JPEG, GIF or WebP")
    screenshot(page, "composer-reference-1280")
    box.fill("Make it look like this picture")
    box.press("Enter")
    expect(page.locator("#conversation")).to_contain_text(
        "From your reference image I took its colours", timeout=TIMEOUT_MS
    )
    expect(thumbs).to_have_count(0)
    expect_text(page, "#history-count", "4")  # two uploads, the first site, this follow-up
    css = page.request.get(f"/api/v1/projects/{project}/files/style.css").text()
    assert '"scheme":"dark","accent":"teal"' in css

    # Delete an asset: a new version without it.
    page.get_by_role("tab", name="Assets").click()
    page.get_by_role("button", name="Delete images/croissants.jpg").click()
    expect(cards).to_have_count(1)
    listed = page.request.get(f"/api/v1/projects/{project}").json()["files"]
    assert "images/croissants.jpg" not in {f["path"] for f in listed}
    assert [e for e in console.errors if "(Unsupported Media Type)" not in e] == []  # fake.png: refused
    context.close()


def test_the_assets_tab_on_a_phone(server: str, browser: Any) -> None:
    context, page, console = new_page(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    register(page, f"bob{os.urandom(4).hex()}@example.com")
    page.get_by_role("tab", name="Site").click()
    page.get_by_role("tab", name="Assets").click()
    logo = png((64, 64), (255, 255, 255), (200, 30, 40))
    page.evaluate(
        DROP,
        [
            "#panel-assets",
            files(("logo.png", "image/png", logo), ("font.woff2", "font/woff2", b"wOF2" + bytes(64))),
        ],
    )
    expect(page.locator("#asset-grid .asset-card")).to_have_count(2)
    expect(page.locator(".asset-card[data-path='fonts/font.woff2'] .asset-font")).to_have_text("Aa")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot(page, "assets-390")
    page.get_by_role("tab", name="Chat").click()
    page.evaluate(DROP, ["#composer", files(("look.png", "image/png", logo))])
    expect(page.locator("#reference-strip .reference-item")).to_have_count(1)
    screenshot(page, "composer-reference-390")
    assert console.errors == [], missing
    context.close()
