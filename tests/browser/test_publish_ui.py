"""Publishing in the web UI, in headless Chromium: the Publish dialog (slug editor, live address,
version served, republish, unpublish), History marking the published version, the site itself at
its own origin (``<slug>.sites.localhost``, which Chromium resolves to this machine) unable to reach
the app, and the administrators taking a site down. Screenshots at 1280 and 390 px when
``VIBE_SCREENSHOTS_DIR`` is set."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_web_ui import (
    PASSWORD,
    assert_fits,
    new_page,
    register,
    screenshot,
    send,
    sign_in,
)
from tests.cli import clean_env, free_port, run_vibe, serve_process, wait_until_ready
from tests.conftest import JWT_SECRET

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    home = tmp_path_factory.mktemp("publish")
    port = free_port()
    env = clean_env(
        VIBE_DATABASE_URL=f"sqlite+aiosqlite:///{home / 'vibe.db'}",
        VIBE_JWT_SECRET=JWT_SECRET,
        VIBE_LOG_LEVEL="WARNING",
        VIBE_LLM="offline",
        VIBE_OFFLINE_PACE_SECONDS="0.002",
        VIBE_SITES_DOMAIN=f"sites.localhost:{port}",
        VIBE_ADMIN_PASSWORD=PASSWORD,
    )
    assert run_vibe("db", "upgrade", cwd=home, env=env).returncode == 0
    made = run_vibe("users", "create-admin", "root@example.com", cwd=home, env=env)
    assert made.returncode == 0, made.stderr
    with serve_process(home, env, port=port) as (base, _process):
        wait_until_ready(f"{base}/readyz", timeout=30)
        yield base, port


def status_of(page: Any, url: str) -> int:
    """The status of ``url`` opened in the browser (which alone resolves ``*.localhost``)."""
    response = page.goto(url)
    assert response is not None
    return int(response.status)


def unexpected(errors: list[str]) -> list[str]:
    """Console errors but the expected ones: the 404 of asking whether an unpublished project is
    published, and the 422 of the reserved slug tried on purpose."""
    return [e for e in errors if "status of 404" not in e and "status of 422" not in e]


def test_publish_republish_and_unpublish_from_the_workspace(server: tuple[str, int], browser: Any) -> None:
    base, port = server
    email = f"ada{os.urandom(4).hex()}@example.com"
    context, page, console = new_page(browser, base, viewport={"width": 1280, "height": 860})
    register(page, email)
    send(page, "A landing page for a bakery in Paris")
    page.wait_for_url(re.compile(r"/app/p/[^/]+$"))
    expect(page.frame_locator("#preview-frame").locator("h1")).to_contain_text("Bakery", timeout=30_000)

    page.get_by_role("button", name="Publish").click()
    dialog = page.locator("#dialog")
    expect(dialog.locator("#publish-slug")).to_have_value(re.compile(r"^[a-z0-9-]{3,}$"))
    expect(dialog.locator(".slug-domain")).to_have_text(f".sites.localhost:{port}")
    expect(dialog.locator("#publish-status")).to_contain_text("Not published yet")
    dialog.locator("#publish-slug").fill("WWW")  # lowered as typed, then refused by the server
    expect(dialog.locator("#publish-slug")).to_have_value("www")
    dialog.get_by_role("button", name="Publish").click()
    expect(dialog.locator("#publish-slug-error")).to_contain_text("reserved")
    dialog.locator("#publish-slug").fill("bakery")
    screenshot(page, "publish-dialog-1280")
    dialog.get_by_role("button", name="Publish").click()
    url = f"http://bakery.sites.localhost:{port}/"
    expect(dialog.locator("#publish-url")).to_have_text(url)
    expect(dialog.locator("#publish-serving")).to_have_text("Serving version 1")
    expect(dialog.get_by_role("button", name="Republish")).to_be_visible()
    screenshot(page, "publish-live-1280")
    dialog.get_by_role("button", name="Done").click()
    expect(page.locator("#published-badge")).to_be_visible()
    page.get_by_role("tab", name="History").click()
    expect(page.locator('.version[data-version="1"] .badge-live')).to_have_text("Published")

    # The site, at its own origin: the page itself, and nothing of the app reachable from it.
    site = context.new_page()
    response = site.goto(url)
    assert response is not None
    assert response.status == 200
    assert "set-cookie" not in response.headers
    expect(site.locator("h1")).to_contain_text("Bakery")
    reached = site.evaluate(
        """async (app) => {
            try { await fetch(app + "/api/v1/users/me", { credentials: "include" }); return "reached"; }
            catch { return "blocked"; }
        }""",
        base,
    )
    assert reached == "blocked"
    assert status_of(site, f"{url}api/v1/users/me") == 404
    site.close()

    # A follow-up, then republish the new version: History marks it.
    send(page, "Make it dark")
    expect(page.locator('.version[data-version="2"]')).to_be_attached(timeout=30_000)
    page.get_by_role("button", name="Publish").click()
    expect(dialog.locator("#publish-version")).to_have_value("2")
    dialog.get_by_role("button", name="Republish").click()
    expect(dialog.locator("#publish-serving")).to_have_text("Serving version 2")
    dialog.get_by_role("button", name="Done").click()
    page.get_by_role("tab", name="History").click()
    expect(page.locator('.version[data-version="2"] .badge-live')).to_be_visible()
    expect(page.locator('.version[data-version="1"] .badge-live')).to_have_count(0)
    screenshot(page, "publish-history-1280")

    # Narrow screens: the dialog fits.
    narrow, small, small_console = new_page(browser, base, viewport={"width": 390, "height": 844})
    sign_in(small, email)
    small.goto(page.url)
    small.get_by_role("button", name="Publish").click()
    expect(small.locator("#publish-url")).to_have_text(url)
    assert_fits(small)
    screenshot(small, "publish-live-390")
    narrow.close()

    # Unpublish: the site is gone, the marks too.
    page.get_by_role("button", name="Publish").click()
    dialog.get_by_role("button", name="Unpublish").click()
    expect(dialog.locator("#publish-status")).to_contain_text("Not published yet")
    dialog.get_by_role("button", name="Done").click()
    expect(page.locator("#published-badge")).to_be_hidden()
    assert status_of(browser.new_page(), url) == 404  # a new visitor: HTML stays cached a minute
    assert unexpected(console.errors) == [], console.errors
    assert unexpected(small_console.errors) == [], small_console.errors
    context.close()


def test_administrators_take_a_site_down(server: tuple[str, int], browser: Any) -> None:
    base, port = server
    email = f"bob{os.urandom(4).hex()}@example.com"
    context, page, _console = new_page(browser, base, viewport={"width": 1280, "height": 860})
    register(page, email)
    send(page, "A portfolio for a photographer")
    page.wait_for_url(re.compile(r"/app/p/[^/]+$"))
    expect(page.frame_locator("#preview-frame").locator("h1")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Publish").click()
    page.locator("#publish-slug").fill("photos")
    page.locator("#dialog").get_by_role("button", name="Publish").click()
    expect(page.locator("#publish-url")).to_be_visible()
    context.close()

    admin_context, admin, admin_console = new_page(browser, base, viewport={"width": 1280, "height": 860})
    sign_in(admin, "root@example.com")
    admin.goto("/admin")
    row = admin.locator('#sites-rows tr[data-site="photos"]')
    expect(row).to_contain_text(email)
    expect(row).to_contain_text(f"http://photos.sites.localhost:{port}/")
    screenshot(admin, "publish-admin-1280")
    row.get_by_role("button", name="Take down").click()
    admin.locator("#dialog").get_by_role("button", name="Take down").click()
    expect(row).to_have_count(0)
    assert status_of(browser.new_page(), f"http://photos.sites.localhost:{port}/") == 404
    assert admin_console.errors == [], admin_console.errors
    admin_context.close()
