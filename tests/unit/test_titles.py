"""Project names and page titles read from a brief: the subject and its name in the prompt's language,
short, never empty, never the prompt cut off with an ellipsis."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vibe.domain.projects import MAX_NAME_CHARS, ProjectName
from vibe.domain.titles import MAX_TITLE_CHARS, language_of, title_of


@pytest.mark.parametrize(
    ("prompt", "title"),
    [
        ("A landing page for a bakery in Paris with a menu and opening hours", "Bakery in Paris"),
        ("A surf school in Biarritz called Swell, with lesson booking", "Swell"),
        ("A portfolio for a photographer called Lens & Light", "Lens & Light"),  # a name is kept whole
        ("a portfolio for Jane Doe, illustrator", "Jane Doe"),
        ("A wedding RSVP page", "Wedding RSVP"),
        ("a Kyoto ceramics shop", "Kyoto Ceramics Shop"),
        ("为巴黎的面包店做一个落地页，有菜单和营业时间", "巴黎面包店"),
        ("关于阿尔卑斯山徒步的博客，绿色、安静", "阿尔卑斯山徒步"),
        ("一个名为晨光的面包店网站", "晨光"),
        ("我们婚礼的请柬页面，带回复表单", "婚礼请柬"),
        ("!!!", "Untitled site"),
    ],
)
def test_a_title_names_the_subject(prompt: str, title: str) -> None:
    assert title_of(prompt) == title
    assert ProjectName.from_prompt(prompt) == title


@pytest.mark.parametrize(
    ("prompt", "language"),
    [
        ("A bakery in Paris", "en"),
        ("A bakery called 晨光", "en"),
        ("为巴黎的面包店做一个落地页（landing page），暖色调（warm）", "zh"),
        ("", "en"),
    ],
)
def test_the_language_is_the_one_the_brief_is_written_in(prompt: str, language: str) -> None:
    assert language_of(prompt) == language


def test_a_long_prompt_is_not_cut_off_with_an_ellipsis() -> None:
    prompt = "A landing page for " + " ".join(["wonderful"] * 40) + " bakery"
    name = ProjectName.from_prompt(prompt)
    assert name.startswith("Wonderful")
    assert len(name) <= MAX_TITLE_CHARS
    assert not name.endswith(("…", "..."))


@given(st.text(max_size=600))
def test_any_prompt_gives_a_short_valid_name(prompt: str) -> None:
    name = ProjectName.from_prompt(prompt)
    assert name
    assert name == name.strip()
    assert len(name) <= MAX_TITLE_CHARS <= MAX_NAME_CHARS
    assert not name.endswith(("…", "..."))
    assert any(ch.isalnum() for ch in name)
    assert ProjectName.parse(name) == name  # a name a user could have typed
    assert ProjectName.from_prompt(prompt) == name  # deterministic


@given(st.text(alphabet="巴黎的面包店做一个落地页为关于，。 abc()（）", max_size=80))
def test_any_chinese_prompt_gives_a_short_valid_name(prompt: str) -> None:
    name = ProjectName.from_prompt(prompt)
    assert 0 < len(name) <= MAX_TITLE_CHARS
    assert ProjectName.parse(name) == name
