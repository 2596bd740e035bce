"""The diff between two versions: a patch that rebuilds the new text, honest counts, assets by hash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vibe.domain.diffs import ChangeStatus, apply_patch, diff_files, diff_text
from vibe.testing.strategies import file_sets

# Lines drawn from a small alphabet, so that two texts share lines and the diff has context.
_lines = st.lists(
    st.sampled_from(["a", "b", "c", "", "  x", "-- y", "++ z", "@@ w", "\\ q", "é\r"]), max_size=30
)
texts = st.builds(lambda lines, end: "\n".join(lines) + end, _lines, st.sampled_from(["", "\n"]))


def line_count(text: str) -> int:
    """Lines as the diff counts them: split on newlines, a last line without one counted too."""
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


@given(texts, texts)
def test_applying_the_patch_to_the_old_text_gives_the_new(old: str, new: str) -> None:
    patch, _, _ = diff_text(old, new)
    assert apply_patch(old, patch) == new


@given(st.text(), st.text())
def test_the_patch_rebuilds_any_text(old: str, new: str) -> None:
    patch, _, _ = diff_text(old, new)
    assert apply_patch(old, patch) == new


@given(texts, texts)
def test_counts_are_the_lines_added_and_removed(old: str, new: str) -> None:
    patch, additions, deletions = diff_text(old, new)
    # The lines kept are the old ones not removed, and the new ones not added.
    assert line_count(old) - deletions == line_count(new) - additions
    assert (additions + deletions > 0) is (old != new)
    assert additions == sum(1 for line in patch.split("\n")[2:] if line.startswith("+"))


@given(texts)
def test_equal_texts_have_an_empty_patch(text: str) -> None:
    assert diff_text(text, text) == ("", 0, 0)


@given(file_sets(), file_sets())
def test_changes_cover_exactly_the_files_that_differ(old: dict[str, str], new: dict[str, str]) -> None:
    changes = diff_files(old, new)
    paths = [change.path for change in changes]
    assert paths == sorted(paths)
    assert set(paths) == {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}
    for change in changes:
        assert change.patch is not None
        assert apply_patch(old.get(change.path, ""), change.patch) == new.get(change.path, "")
        expected = {True: ChangeStatus.MODIFIED, False: None}[change.path in old and change.path in new]
        if expected is None:
            expected = ChangeStatus.ADDED if change.path in new else ChangeStatus.REMOVED
        assert change.status is expected


@given(file_sets())
def test_from_the_empty_project_every_file_is_added_with_all_its_lines(files: dict[str, str]) -> None:
    changes = diff_files({}, files)
    assert {c.path for c in changes} == set(files)
    for change in changes:
        assert change.status is ChangeStatus.ADDED
        assert change.deletions == 0
        content = files[change.path]
        assert change.additions == line_count(content)
        assert change.size == len(content.encode())
        assert change.old_size is None


def test_a_binary_asset_is_compared_by_content_with_its_sizes_and_no_patch() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    changes = diff_files({"logo.png": png, "a.woff2": b"wOF2"}, {"logo.png": png + b"!", "a.woff2": b"wOF2"})
    assert len(changes) == 1
    (change,) = changes
    assert (change.path, change.status, change.patch) == ("logo.png", ChangeStatus.MODIFIED, None)
    assert (change.additions, change.deletions) == (0, 0)
    assert (change.old_size, change.size) == (len(png), len(png) + 1)


@pytest.mark.parametrize(("old", "new"), [({}, {"i.png": b"\x00"}), ({"i.png": b"\x00"}, {})])
def test_an_asset_added_or_removed(old: dict[str, bytes], new: dict[str, bytes]) -> None:
    (change,) = diff_files(old, new)
    assert change.patch is None
    assert change.status is (ChangeStatus.ADDED if new else ChangeStatus.REMOVED)


def test_text_held_as_bytes_is_diffed_as_text() -> None:
    (change,) = diff_files({"index.html": b"<p>a</p>\n"}, {"index.html": "<p>b</p>\n"})
    assert (change.additions, change.deletions) == (1, 1)
    assert change.patch is not None


def test_a_patch_that_does_not_fit_is_refused() -> None:
    patch, _, _ = diff_text("a\nb\n", "a\nc\n")
    with pytest.raises(ValueError, match="does not fit"):
        apply_patch("x\ny\n", patch)
