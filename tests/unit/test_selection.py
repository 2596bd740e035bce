"""The rules of picked elements: the selection's shape, the locator's source spans, and the check that
an edit stayed inside the picks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vibe.adapters.html_elements import SoupElementLocator, parse_elements
from vibe.adapters.offline.plans import new_site_plan
from vibe.domain.errors import InvalidInputError
from vibe.domain.selection import Selected, outside_spans, parse_selection, with_blanks

LOCATE = SoupElementLocator()
PAGE = """<!doctype html>
<html><body><main>
  <h1 class="t">Hi &amp; there</h1>
  <p>one<p>two
  <ul><li>a<li>b</ul>
  <img src=x.png><br/>
  <svg><path d="M0"/></svg>
</main></body></html>"""


@st.composite
def text_with_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    text = draw(st.text("ab<>/ \n", max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=6)))
    return text, [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]


@given(text_with_spans(), st.lists(st.text("xyz<", max_size=8), min_size=3, max_size=3))
def test_replacing_only_the_spans_stays_inside(
    case: tuple[str, list[tuple[int, int]]], fills: list[str]
) -> None:
    text, spans = case
    new = text
    for (start, end), fill in reversed(list(zip(spans, fills, strict=False))):
        new = new[:start] + fill + new[end:]
    for start, end in spans[len(fills) :][::-1]:
        new = new[:start] + new[end:]
    assert not outside_spans(text, new, spans)


@given(text_with_spans(), st.data())
def test_a_change_outside_the_span_is_seen(
    case: tuple[str, list[tuple[int, int]]], data: st.DataObject
) -> None:
    text, spans = case
    spans = spans[:1]  # one span: with several, a change can be read as moving text between them
    free = [i for i in range(len(text)) if not any(s <= i < e for s, e in spans)]
    if not free:
        return
    at = data.draw(st.sampled_from(free))
    changed = text[:at] + "#" + text[at + 1 :]
    assert outside_spans(text, changed, spans)


def test_the_locator_spans_are_the_elements_source() -> None:
    [h1] = LOCATE.find(PAGE, "h1.t")
    assert PAGE[h1.start : h1.end] == '<h1 class="t">Hi &amp; there</h1>'
    assert PAGE[h1.open_end : h1.close_start] == "Hi &amp; there"
    assert h1.text_only
    assert [PAGE[s.start : s.end].strip() for s in LOCATE.find(PAGE, "main > p")] == ["<p>one", "<p>two"]
    assert [PAGE[s.start : s.end] for s in LOCATE.find(PAGE, "li:nth-of-type(2)")] == ["<li>b"]
    assert [PAGE[s.start : s.end] for s in LOCATE.find(PAGE, "img, br")] == ["<img src=x.png>", "<br/>"]
    assert [PAGE[s.start : s.end] for s in LOCATE.find(PAGE, "svg path")] == ['<path d="M0"/>']
    with pytest.raises(InvalidInputError):
        LOCATE.find(PAGE, "h1[[")


@pytest.mark.parametrize(
    "prompt", ["A bakery in Paris", "A snake game", "A dashboard for my shop", "个人博客"]
)
def test_every_element_of_a_generated_page_is_spanned(prompt: str) -> None:
    """Each element's span starts with its start tag and ends with its end tag (or is a void one)."""
    files = {c.input["path"]: c.input["content"] for c in new_site_plan(prompt).calls}
    for path, source in files.items():
        if not path.endswith(".html"):
            continue
        parsed = parse_elements(source)
        assert parsed.elements
        for tag in parsed.elements:
            span = parsed.span(tag)
            if span.open_end == span.start:
                assert tag.name == "tbody"  # put around rows as a browser does; not written
                continue
            outer = source[span.start : span.end]
            assert outer.lower().startswith(f"<{tag.name}"), outer[:40]
            assert span.start < span.open_end <= span.close_start <= span.end
            if span.close_start < span.end:
                assert outer.lower().endswith(f"</{tag.name}>") or outer.endswith(">")


def test_the_selection_shape_is_checked() -> None:
    one = Selected(path="./index.html", selector=" h1 ")
    assert parse_selection([one]) == (Selected(path="index.html", selector="h1"),)
    for bad in (
        [one] * 11,
        [one, one],
        [Selected(path="style.css", selector="h1")],
        [Selected(path="index.html", selector="  ")],
        [Selected(path="index.html", selector="h1", html="x" * 20_001)],
        [Selected(path="../a.html", selector="h1")],
    ):
        with pytest.raises(InvalidInputError):
            parse_selection(bad)


def test_blanks_around_an_element_belong_to_it() -> None:
    text = "<ul>\n  <li>a</li>\n</ul>"
    start = text.index("<li>")
    assert text[slice(*with_blanks(text, start, start + len("<li>a</li>")))] == "  <li>a</li>\n"


@given(
    st.text(alphabet="<>/=\"' abcdivph1!-&;#x\n[]", max_size=80),
    st.text(alphabet="abcdiv h1>+~:()[]=\"'#.*-,|^$", min_size=1, max_size=40),
)
def test_the_locator_refuses_any_bad_selector_as_invalid_input(source: str, selector: str) -> None:
    try:
        spans = LOCATE.find(source, selector)
    except InvalidInputError:
        return
    for span in spans:
        assert 0 <= span.start <= span.open_end <= span.close_start <= span.end <= len(source)
