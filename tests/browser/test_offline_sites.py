"""The offline model's sites in headless Chromium: every brief of the corpus at 360 px wide (no sideways
scrolling, readable body text, one h1, no script error) with its style words as computed styles
(palette, accent, buttons, serif type), forms that validate, and games that play by keyboard and mouse.

One browser and one page serve them all; the site's files are answered from memory on a made-up origin,
so nothing touches the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.test_preview_browser import CHROMIUM_ARGS, chromium_path
from tests.offline_briefs import CASES, Case, as_params, built
from vibe.adapters.offline.page import extract
from vibe.adapters.offline.palette import ACCENTS, SCHEMES
from vibe.domain.contrast import contrast

pytestmark = pytest.mark.browser

ORIGIN = "http://offline-site.test"
TYPES = {"html": "text/html", "css": "text/css", "js": "text/javascript"}

MEASURE = """() => {
  const style = (el, prop) => el ? getComputedStyle(el)[prop] : null;
  const button = document.querySelector(".button");
  return {
    width: document.documentElement.scrollWidth,
    h1: document.querySelectorAll("h1").length,
    lang: document.documentElement.lang,
    text: style(document.body, "color"),
    background: style(document.body, "backgroundColor"),
    headingFont: style(document.querySelector("h1"), "fontFamily"),
    accent: style(document.querySelector(".eyebrow"), "color"),
    button: style(button, "backgroundColor"),
    buttonText: style(button, "color"),
  };
}"""


class Site:
    """One Chromium page whose made-up origin serves the files of the site under test."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.files: dict[str, str] = {}
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.route(f"{ORIGIN}/**", self._answer)

    def _answer(self, route: Any) -> None:
        path = route.request.url.removeprefix(f"{ORIGIN}/") or "index.html"
        if path not in self.files:
            route.fulfill(status=404, body="")
            return
        kind = TYPES[path.rsplit(".", 1)[-1]]
        route.fulfill(status=200, body=self.files[path], headers={"content-type": f"{kind}; charset=utf-8"})

    def open(self, files: dict[str, str]) -> dict[str, Any]:
        self.files = files
        self.errors.clear()
        self.page.goto(f"{ORIGIN}/index.html")
        measured: dict[str, Any] = self.page.evaluate(MEASURE)
        return measured


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 740})
        context.set_default_timeout(10_000)
        yield Site(context.new_page())
        browser.close()


def hex_of(css_colour: str) -> str:
    r, g, b = (int(part) for part in re.findall(r"\d+", css_colour)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


@pytest.mark.parametrize("case", as_params())
def test_the_site_is_usable_and_styled_as_asked_at_360_px(site: Site, case: Case) -> None:
    _, files = built(case)
    shown = site.open(files)
    assert site.errors == []
    assert shown["width"] <= 360, "the page scrolls sideways on a 360 px screen"
    assert shown["h1"] == 1
    assert shown["lang"] == ("zh-CN" if case.lang == "zh" else "en")
    text, background = hex_of(shown["text"]), hex_of(shown["background"])
    assert contrast(text, background) >= 4.5
    _, tokens = extract(files)
    assert tokens is not None
    dark = tokens.scheme == "dark"
    assert background == SCHEMES[tokens.scheme][0]
    if shown["accent"]:
        assert hex_of(shown["accent"]) == ACCENTS[tokens.accent][dark]
    if shown["button"]:
        assert hex_of(shown["button"]) == ACCENTS[tokens.buttons][dark]
        assert contrast(hex_of(shown["button"]), hex_of(shown["buttonText"])) >= 4.5
    assert ("Georgia" in shown["headingFont"]) == (tokens.font == "serif")
    for name, value in case.style.items():
        assert getattr(tokens, name) == value


def case_of(prompt_start: str) -> Case:
    return next(case for case in CASES if case.prompt.startswith(prompt_start))


def test_a_key_press_moves_the_snake_and_the_buttons_steer_it(site: Site) -> None:
    site.open(built(case_of("A snake game"))[1])
    game = site.page.locator("[data-game=snake]")
    assert game.get_attribute("data-head") == "10,10"
    site.page.keyboard.press("ArrowDown")
    expect(game).to_have_attribute("data-head", re.compile(r"^10,1[1-9]$"))
    site.page.get_by_role("button", name="Right").click()
    expect(game).not_to_have_attribute("data-head", re.compile(r"^10,"))
    x, y = (int(part) for part in (game.get_attribute("data-head") or "").split(","))
    assert x > 10
    assert site.page.locator("[data-score]").text_content() == "0" or y >= 11
    site.page.get_by_role("button", name="Restart").click()
    expect(game).to_have_attribute("data-head", "10,10")
    assert site.page.locator(".game-status").text_content() != ""
    assert site.errors == []


def test_the_snake_runs_into_the_wall_and_the_game_ends(site: Site) -> None:
    site.open(built(case_of("一个贪吃蛇游戏"))[1])
    site.page.keyboard.press("ArrowUp")
    expect(site.page.locator(".game-status")).to_have_text("游戏结束。按“重新开始”再玩一次。", timeout=5_000)
    site.page.get_by_role("button", name="重新开始").click()
    expect(site.page.locator("[data-game=snake]")).to_have_attribute("data-head", "10,10")


def test_tic_tac_toe_plays_by_mouse_and_keyboard(site: Site) -> None:
    site.open(built(case_of("A tic-tac-toe game"))[1])
    cells = site.page.locator("[data-cell]")
    cells.nth(0).click()
    expect(cells.nth(0)).to_have_text("X")
    expect(cells.nth(4)).to_have_text("O")  # the computer takes the centre
    cells.nth(1).focus()
    site.page.keyboard.press("ArrowRight")
    site.page.keyboard.press("ArrowRight")  # wraps to the next row's first square: 3
    site.page.keyboard.press("Enter")
    expect(cells.nth(3)).to_have_text("X")
    marks = [cells.nth(i).text_content() for i in range(9)]
    assert marks.count("O") == 2
    site.page.get_by_role("button", name="Restart").click()
    assert all(cells.nth(i).text_content() == "" for i in range(9))
    assert site.errors == []


def test_tic_tac_toe_keeps_score(site: Site) -> None:
    site.open(built(case_of("A tic-tac-toe game"))[1])
    cells = site.page.locator("[data-cell]")
    for index in (0, 1, 6, 5, 7):  # the computer answers in the centre, then blocks every line: a draw
        cells.nth(index).click()
    assert [cells.nth(i).text_content() for i in range(9)] == ["X", "X", "O", "O", "O", "X", "X", "X", "O"]
    expect(site.page.locator(".game-status")).to_have_text("A draw.")
    assert [site.page.locator(f"[data-{key}]").text_content() for key in ("score", "computer", "draws")] == [
        "0",
        "0",
        "1",
    ]
    assert all(cells.nth(i).is_disabled() for i in range(9))


def test_the_memory_game_turns_cards_counts_moves_and_restarts(site: Site) -> None:
    site.open(built(case_of("A memory game"))[1])
    tiles = site.page.locator("[data-tile]")
    tiles.nth(0).click()
    expect(tiles.nth(0)).to_have_attribute("data-open", "true")
    tiles.nth(1).focus()
    site.page.keyboard.press("Enter")
    expect(site.page.locator("[data-moves]")).to_have_text("1")
    faces = {tiles.nth(0).text_content(), tiles.nth(1).text_content()} - {""}
    assert faces
    site.page.get_by_role("button", name="Restart").click()
    expect(site.page.locator("[data-moves]")).to_have_text("0")
    assert site.errors == []


@pytest.mark.parametrize(
    ("prompt_start", "form", "message"),
    [
        ("A landing page for a bakery", "#contact form", "Please fill in this field."),
        ("我们婚礼的请柬页面", "#rsvp form", "请填写此项。"),
    ],
)
def test_forms_say_what_is_missing_in_the_page_language(
    site: Site, prompt_start: str, form: str, message: str
) -> None:
    site.open(built(case_of(prompt_start))[1])
    site.page.locator(f"{form} button[type=submit]").click()
    status = site.page.locator(f"{form} .form-status")
    expect(status).to_contain_text(message)
    first = site.page.locator(f"{form} input").first
    assert first.get_attribute("aria-invalid") == "true"
    assert first.evaluate("el => el === document.activeElement")
    assert site.errors == []
