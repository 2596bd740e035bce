"""What the model is told about uploaded assets: each by path, type, size and pixel size, read back
exactly by the offline model, and never their bytes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vibe.application.prompting import first_message
from vibe.domain.model import TextBlock
from vibe.domain.project_context import parse_assets, render_assets
from vibe.domain.projects import FileEntry

LOGO = FileEntry(
    path="img/logo.png", size=2048, content_type="image/png", sha256="ab" * 32, width=64, height=48
)
FONT = FileEntry(path="fonts/brand.woff2", size=900, content_type="font/woff2", sha256="cd" * 32)


def test_the_listing_names_path_type_size_and_pixels() -> None:
    text = render_assets([LOGO, FONT])
    assert "- img/logo.png (image/png, 2048 bytes, 64x48 px)" in text
    assert "- fonts/brand.woff2 (font/woff2, 900 bytes)" in text
    assert LOGO.sha256 not in text
    assert [(a.path, a.content_type, a.size, a.width, a.height) for a in parse_assets(text)] == [
        ("fonts/brand.woff2", "font/woff2", 900, None, None),
        ("img/logo.png", "image/png", 2048, 64, 48),
    ]


def test_first_message_lists_assets_for_new_and_followup_projects() -> None:
    fresh = first_message("a bakery", {}, assets=[LOGO])
    texts = [b.text for b in fresh.content if isinstance(b, TextBlock)]
    assert texts[0].startswith("<project_assets>")
    assert texts[-1] == "a bakery"
    followup = first_message("make it dark", {"index.html": "<h1>Hi</h1>"}, assets=[LOGO])
    texts = [b.text for b in followup.content if isinstance(b, TextBlock)]
    assert texts[0].startswith("<project_files>")
    assert any(t.startswith("<project_assets>") for t in texts)
    assert first_message("a bakery", {}).content == (TextBlock(text="a bakery"),)


paths = st.from_regex(
    r"[a-z][a-z0-9_-]{0,12}(/[a-z0-9][a-z0-9 _()-]{0,12}){0,2}\.(png|jpg|webp|woff2)", fullmatch=True
)


@given(
    st.lists(
        st.tuples(paths, st.integers(0, 10**8), st.one_of(st.none(), st.integers(1, 9000))),
        max_size=8,
        unique_by=lambda t: t[0],
    )
)
def test_listing_round_trips(items: list[tuple[str, int, int | None]]) -> None:
    assets = [
        FileEntry(path=p, size=size, content_type="image/png", sha256="", width=side, height=side)
        for p, size, side in items
    ]
    assert parse_assets(render_assets(assets)) == sorted(assets, key=lambda a: a.path)
