"""Budgets in the web UI, in headless Chromium: the meter in the account menu and in the composer
before a run (with the estimate as the user types), the meter moving after a run, the
administrators' page (sorted by spend, a budget set in place), and a run refused once the budget is
spent. Screenshots at 1280 and 390 px when ``VIBE_SCREENSHOTS_DIR`` is set."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_web_ui import PASSWORD, assert_fits, new_page, register, screenshot, sign_in
from tests.cli import clean_env, run_vibe, serving, wait_until_ready
from tests.conftest import JWT_SECRET

pytestmark = pytest.mark.browser

BUDGET = 200_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("budgets")
    env = clean_env(
        VIBE_DATABASE_URL=f"sqlite+aiosqlite:///{home / 'vibe.db'}",
        VIBE_JWT_SECRET=JWT_SECRET,
        VIBE_LOG_LEVEL="WARNING",
        VIBE_LLM="offline",
        VIBE_OFFLINE_PACE_SECONDS="0.002",
        VIBE_MONTHLY_TOKEN_BUDGET=str(BUDGET),
        VIBE_ADMIN_PASSWORD=PASSWORD,
    )
    assert run_vibe("db", "upgrade", cwd=home, env=env).returncode == 0
    made = run_vibe("users", "create-admin", "root@example.com", cwd=home, env=env)
    assert made.returncode == 0, made.stderr
    with serving(home, env) as base:
        wait_until_ready(f"{base}/readyz", timeout=30)
        yield base


def open_menu(page: Any) -> None:
    page.locator("#account-button").click()
    expect(page.locator("#account-menu")).to_be_visible()


def test_the_meter_the_estimate_and_the_admin_page(server: str, browser: Any) -> None:
    email = f"ada{os.urandom(4).hex()}@example.com"
    context, page, console = new_page(browser, server, viewport={"width": 1280, "height": 860})
    register(page, email)

    # Before any run: nothing spent of the default budget.
    open_menu(page)
    expect(page.locator("#meter-label")).to_have_text("0 of 200K tokens")
    expect(page.locator("#meter-note")).to_contain_text("Renews on")
    expect(page.locator("#admin-link")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.locator("#account-menu")).to_be_hidden()

    # The composer estimates the prompt as it is typed, and says what is left.
    page.get_by_label("Describe your site").fill("A landing page for a bakery in Paris")
    meter = re.compile(r"^\d[\d.]*K? tokens in · 200K left this month$")
    expect(page.locator("#composer-meter")).to_have_text(meter)
    estimated = page.locator("#composer-meter").text_content() or ""
    page.get_by_label("Describe your site").press("Enter")
    page.wait_for_url(re.compile(r"/app/p/[^/]+$"))
    expect(page.frame_locator("#preview-frame").locator("h1")).to_contain_text("Bakery", timeout=30_000)

    # After the run the meter moved, in the menu and in the composer.
    open_menu(page)
    expect(page.locator("#meter-label")).not_to_have_text("0 of 200K tokens")
    width = page.locator("#meter-fill").evaluate("e => parseFloat(e.style.width)")
    assert width > 0
    page.keyboard.press("Escape")
    page.get_by_label("Describe your site").fill("Make it dark")
    expect(page.locator("#composer-meter")).to_contain_text("tokens in")
    expect(page.locator("#composer-meter")).not_to_contain_text("200K left")
    assert estimated
    open_menu(page)
    screenshot(page, "budget-meter-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "budget-meter-390")
    assert_fits(page)
    page.keyboard.press("Escape")

    # The administrator sees everyone's month, sorts it and sets Ada's budget.
    admin_context, admin, admin_console = new_page(browser, server, viewport={"width": 1280, "height": 860})
    sign_in(admin, "root@example.com")
    open_menu(admin)
    admin.get_by_role("link", name="Usage and budgets").click()
    admin.wait_for_url("**/admin")
    rows = admin.locator("#usage-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-user", email)  # sorted by spend, most first
    admin.get_by_role("button", name="User").click()
    expect(admin.locator("th[data-sort=email]")).to_have_attribute("aria-sort", "descending")
    admin.get_by_role("button", name="User").click()
    expect(admin.locator("th[data-sort=email]")).to_have_attribute("aria-sort", "ascending")
    expect(rows.first).to_have_attribute("data-user", email)  # "ada..." before "root..."
    ada_row = admin.locator(f"#usage-rows tr[data-user='{email}']")
    ada_row.get_by_label(f"Monthly token budget of {email}").fill("1000")
    ada_row.get_by_role("button", name="Save").click()
    expect(admin.locator(f"#usage-rows tr[data-user='{email}'] td").nth(1)).to_have_text("1K")
    expect(admin.locator(f"#usage-rows tr[data-user='{email}']")).to_have_attribute("data-level", "over")
    screenshot(admin, "budget-admin-1280")
    admin.set_viewport_size({"width": 390, "height": 844})
    screenshot(admin, "budget-admin-390")
    assert_fits(admin)

    # Ada, out of budget: the composer says so, and a run is refused with the budget named.
    page.reload()
    page.get_by_label("Describe your site").fill("Add a FAQ")
    expect(page.locator("#composer-meter")).to_contain_text("0 left this month")
    expect(page.locator("#composer-meter")).to_have_attribute("data-level", "over")
    page.get_by_label("Describe your site").press("Enter")
    expect(page.locator("#toasts")).to_contain_text("monthly token budget of 1,000 tokens is used up")
    unexpected = [e for e in console.errors if "status of 429" not in e]  # the refusal itself
    assert unexpected == [], console.errors
    assert admin_console.errors == [], admin_console.errors
    admin_context.close()
    context.close()
