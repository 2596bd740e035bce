"""Every brief of the corpus (tests/offline_briefs.py) gets the site it asks for, read statically: its
kind, every section it names with plausible content, its language throughout, its style words in the
CSS, its game, an honest label and reply, a title that names the subject, and no problem for the site
check (one h1, alt text, labelled controls, no broken link, contrast, 360 px)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.offline_briefs import CASES, Case, as_params, built
from vibe.adapters.offline.page import extract
from vibe.adapters.offline.palette import ACCENTS, FONTS, MOODS, SCHEMES
from vibe.application.site_check import check_site

PRICE = re.compile(r"(?:[$£¥]\s?\d[\d,]*(?:\.\d\d)?|\d+,\d\d €)")
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


class Text(HTMLParser):
    """The visible text of a page, and the text inside each element with an id."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []
        self._skip = 0
        self.feed(source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._skip += 1
        if tag not in ("meta", "link", "input", "br", "img", "rect", "circle", "path"):
            self._open.append((tag, dict(attrs).get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._skip -= 1
        if any(open_tag == tag for open_tag, _ in self._open):
            while self._open and self._open.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._skip or not data.strip():
            return
        self.parts.append(data.strip())
        for _, element_id in self._open:
            if element_id:
                self.by_id.setdefault(element_id, []).append(data.strip())

    def of(self, element_id: str) -> str:
        return " ".join(self.by_id.get(element_id, []))


def test_the_corpus_covers_every_kind_section_style_word_and_game() -> None:
    assert len(CASES) >= 40
    assert {case.lang for case in CASES} == {"en", "zh"}
    kinds = {"restaurant", "shop", "portfolio", "event", "conference", "service", "saas", "blog", "nonprofit",
             "docs", "game", "dashboard", "personal"}  # fmt: skip
    assert kinds <= {case.kind for case in CASES}
    sections = {"menu", "hours", "contact", "gallery", "pricing", "faq", "testimonials", "team",
                "location", "schedule", "rsvp", "posts", "newsletter", "services", "about", "features",
                "booking"}  # fmt: skip
    assert sections <= {name for case in CASES for name in case.sections}
    styles = {(name, value) for case in CASES for name, value in case.style.items()}
    assert {("scheme", "dark"), ("scheme", "light"), ("font", "serif"), ("mood", "minimal"),
            ("mood", "playful")} <= styles  # fmt: skip
    assert {value for name, value in styles if name in ("accent", "buttons")} >= set(ACCENTS) - {"gray"} | {
        "gray"
    }
    assert {"snake", "tictactoe", "memory"} <= {case.game for case in CASES}


@pytest.mark.parametrize("case", as_params())
def test_the_brief_gets_the_site_it_asks_for(case: Case) -> None:
    _, files = built(case)
    assert list(files) == ["index.html", "style.css", "app.js"]
    page, tokens = extract(files)
    assert page is not None
    assert tokens is not None
    assert page.kind == case.kind
    assert page.lang == case.lang
    assert set(case.sections) <= set(page.sections)
    if case.title:
        assert page.title == case.title
    assert page.game == case.game
    html = files["index.html"]
    for name in page.sections:
        assert f'<section class="section section-{name}" id="{name}"' in html
        assert f'href="#{name}"' in html  # the nav links every section
    assert check_site(files) == ()


@pytest.mark.parametrize("case", as_params())
def test_the_page_names_the_subject_and_says_it_was_made_offline(case: Case) -> None:
    _, files = built(case)
    html = files["index.html"]
    page, _ = extract(files)
    assert page is not None
    assert '<meta name="generator" content="vibe offline model">' in html
    assert f'<html lang="{"zh-CN" if case.lang == "zh" else "en"}">' in html
    assert f"<title>{page.title}</title>" in html.replace("&amp;", "&")
    assert re.search(rf"<h1>{re.escape(page.title)}</h1>", html.replace("&amp;", "&"))
    assert case.prompt == page.title or case.prompt not in html  # never the prompt echoed
    assert "brief" not in Text(html).parts[0].lower()
    made = Text(html).parts[-1]
    assert ("offline" in made) if case.lang == "en" else ("离线" in made)


@pytest.mark.parametrize("case", as_params())
def test_the_copy_is_in_the_language_of_the_brief(case: Case) -> None:
    _, files = built(case)
    text = " ".join(Text(files["index.html"]).parts)
    if case.lang == "zh":
        english = LATIN_WORD.findall(text)
        assert len(english) <= 2, english  # at most a few brand-like words, never English copy
        assert len(HAN.findall(text)) > 40
    else:
        assert not HAN.search(text)


@pytest.mark.parametrize("case", as_params())
def test_the_style_words_are_in_the_css(case: Case) -> None:
    _, files = built(case)
    css = files["style.css"]
    _, tokens = extract(files)
    assert tokens is not None
    for name, value in case.style.items():
        assert getattr(tokens, name) == value
    dark = tokens.scheme == "dark"
    assert f"--bg: {SCHEMES[tokens.scheme][0]};" in css
    assert f"--accent: {ACCENTS[tokens.accent][dark]};" in css
    assert f"--button: {ACCENTS[tokens.buttons][dark]};" in css
    assert f"--font: {FONTS[tokens.font]};" in css
    assert f"--radius: {MOODS[tokens.mood][0]};" in css


def _sections(case: Case) -> tuple[Text, set[str]]:
    _, files = built(case)
    page, _ = extract(files)
    assert page is not None
    return Text(files["index.html"]), set(page.sections)


@pytest.mark.parametrize("case", as_params())
def test_each_section_has_plausible_content(case: Case) -> None:
    text, sections = _sections(case)
    _, files = built(case)
    html = files["index.html"]
    if "menu" in sections:
        assert len(PRICE.findall(text.of("menu"))) >= 6
    if "products" in sections:
        assert len(PRICE.findall(text.of("products"))) >= 6
    if "hours" in sections:
        assert html.count('<tr><th scope="row">', html.index('id="hours"')) >= 7
    if "schedule" in sections:
        assert len(re.findall(r"<time>\d\d:\d\d</time>", html)) >= 4
    if "gallery" in sections:
        gallery = html[html.index('id="gallery"') : html.index("</section>", html.index('id="gallery"'))]
        assert gallery.count('role="img" aria-label="') >= 6
    for form in ("contact", "booking", "rsvp", "newsletter", "donate", "signin"):
        if form in sections:
            block = html[html.index(f'id="{form}"') : html.index("</section>", html.index(f'id="{form}"'))]
            assert "<form " in block
            assert "data-validate" in block
            assert " required" in block
            assert "<label" in block


def test_subjects_get_their_own_goods() -> None:
    bakery = Text(built(CASES[0])[1]["index.html"]).of("menu")
    assert "croissant" in bakery
    assert "€" in bakery
    ceramics = Text(built(CASES[2])[1]["index.html"]).of("products")
    assert "Tea bowl" in ceramics
    assert "¥" in ceramics
    surf = Text(built(CASES[1])[1]["index.html"]).of("services")
    assert "lesson" in surf.lower()


@pytest.mark.parametrize("case", as_params())
def test_the_reply_is_one_sentence_on_what_was_understood_and_what_could_not_be_done(case: Case) -> None:
    intro, files = built(case)
    page, _ = extract(files)
    assert page is not None
    if case.lang == "en":
        assert intro.startswith("I read this as a")
        assert intro.endswith(".")
        assert ". " not in intro
    else:
        assert intro.startswith("我理解为")
        assert intro.count("。") == 1
        assert intro.endswith("。")
    assert page.title in intro
    if {"gallery", "products"} & set(page.sections):
        assert ("real photos" in intro) if case.lang == "en" else ("真实照片" in intro)
    if case.fallback:
        assert case.fallback in intro


@pytest.mark.parametrize("case", [c for c in CASES if c.game])
def test_a_game_page_has_its_game_a_score_and_a_restart(case: Case) -> None:
    _, files = built(case)
    html, js = files["index.html"], files["app.js"]
    assert f'data-game="{case.game}"' in html
    assert "data-score" in html
    assert "data-restart" in html
    assert f"[data-game={case.game}]" in js
    assert "keydown" in js or case.game == "memory"  # memory cards are buttons: Tab and Enter play it


def test_the_same_brief_gives_the_same_files() -> None:
    from vibe.adapters.offline.plans import new_site_plan

    for case in CASES[:: len(CASES) // 8]:
        assert new_site_plan(case.prompt) == new_site_plan(case.prompt)
