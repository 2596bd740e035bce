"""The site check reports the quality criteria for any site, whatever model made it: one h1, alt text,
labelled controls, no broken local link or fragment, body-text contrast of 4.5:1, fit at 360 px. And
every palette the offline model can pick passes the contrast rule."""

from __future__ import annotations

import itertools

import pytest

from vibe.adapters.offline.palette import ACCENTS, ON_ACCENT, SCHEMES
from vibe.application.site_check import check_site
from vibe.domain.contrast import contrast

HEAD = '<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width">'


def site(body: str, css: str = "") -> dict[str, str]:
    files = {"index.html": f'{HEAD}<link rel="stylesheet" href="style.css"></head><body>{body}</body></html>'}
    files["style.css"] = css
    return files


GOOD = '<h1>Hi</h1><img src="a.svg" alt="A"><label for="e">Email</label><input id="e"><a href="#e">e</a>'


def test_a_good_page_has_no_problem() -> None:
    assert check_site({**site(GOOD, "body { color: #222; background: #fff; }"), "a.svg": "<svg/>"}) == ()


@pytest.mark.parametrize(
    ("body", "css", "problem"),
    [
        ("<p>no heading</p>", "", "has 0 <h1> headings"),
        ("<h1>a</h1><h1>b</h1>", "", "has 2 <h1> headings"),
        ('<h1>a</h1><img src="x.png">', "", "<img src='x.png'> has no alt text"),
        ('<h1>a</h1><svg role="img"></svg>', "", "<svg role='img'> has no aria-label"),
        ('<h1>a</h1><input name="q">', "", "<input name='q'> has no label"),
        ('<h1>a</h1><select name="s"></select>', "", "<select name='s'> has no label"),
        ('<h1>a</h1><a href="#nowhere">x</a>', "", "'#nowhere' points to no element of the page"),
        ('<h1>a</h1><a href="about.html">x</a>', "", "'about.html' does not name a file of the site"),
        ("<h1>a</h1>", ":root { --fg: #999; } body { color: var(--fg); }", "body text contrast is 2.85:1"),
        ("<h1>a</h1>", "body { color: white; background-color: #ffff00; }", "body text contrast is 1.07:1"),
        ("<h1>a</h1>", ".wrap { min-width: 960px; }", "'min-width: 960px' is wider than a 360 px screen"),
    ],
)
def test_each_criterion_is_reported(body: str, css: str, problem: str) -> None:
    problems = check_site(site(body, css))
    assert any(problem in found for found in problems), problems


def test_labels_may_wrap_or_name_their_control() -> None:
    body = '<h1>a</h1><label>Name <input name="n"></label><input aria-label="Search"><input type="submit">'
    assert check_site(site(body)) == ()


def test_widths_inside_media_queries_and_maximum_widths_are_fine() -> None:
    css = "@media (min-width: 900px) { .wrap { width: 960px; } } .wrap { max-width: 1200px; }"
    assert check_site(site("<h1>a</h1>", css)) == ()


def test_a_page_without_a_viewport_will_not_fit_a_phone() -> None:
    problems = check_site({"index.html": "<html><body><h1>a</h1></body></html>"})
    assert problems == (
        "index.html: has no viewport meta (width=device-width): it will not fit a 360 px screen",
    )


def test_colours_it_cannot_read_are_not_judged() -> None:
    css = "body { color: hsl(0 0% 60%); background: linear-gradient(red, blue); }"
    assert check_site(site("<h1>a</h1>", css)) == ()


def test_the_contrast_ratio_follows_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#123456", "#123456") == 1


@pytest.mark.parametrize(("scheme", "accent"), list(itertools.product(SCHEMES, ACCENTS)))
def test_every_offline_palette_reads_at_4_5_to_1(scheme: str, accent: str) -> None:
    bg, surface, surface_2, text, muted, _ = SCHEMES[scheme]
    colour = ACCENTS[accent][scheme == "dark"]
    for background in (bg, surface, surface_2):
        assert contrast(text, background) >= 4.5
        assert contrast(muted, background) >= 4.5
        assert contrast(colour, background) >= 4.5  # links, eyebrows and prices in the accent
    assert contrast(colour, ON_ACCENT[scheme]) >= 4.5  # button text on a button of that colour
