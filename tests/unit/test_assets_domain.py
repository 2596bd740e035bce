"""The asset rules of the domain: magic numbers against extensions, pixel sizes from headers, and
that no bytes at all make them raise anything but the domain's own errors."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.assets import MEDIA_TYPES, image, sample
from vibe.domain.assets import check_asset, image_size, is_asset_path, sniff
from vibe.domain.errors import InvalidInputError, TooLargeError, UnsupportedMediaError
from vibe.domain.projects import ProjectPath


@pytest.mark.parametrize("ext", sorted(MEDIA_TYPES))
def test_each_type_is_recognised_with_its_size(ext: str) -> None:
    data = sample(ext)
    info = check_asset(f"a/b.{ext}", data, MEDIA_TYPES[ext], 10_000)
    assert info.content_type == MEDIA_TYPES[ext]
    if ext in ("woff", "woff2"):
        assert (info.width, info.height) == (None, None)
    elif ext == "ico":
        assert (info.width, info.height) == (32, 32)
    else:
        assert (info.width, info.height) == (40, 24)


@pytest.mark.parametrize("size", [(1, 1), (300, 7), (1024, 768)])
@pytest.mark.parametrize("ext", ["png", "jpg", "gif", "webp", "avif"])
def test_pixel_sizes(ext: str, size: tuple[int, int]) -> None:
    assert image_size(image(ext, size)) == size


def test_mismatches_and_limits() -> None:
    with pytest.raises(UnsupportedMediaError, match="image/jpeg"):
        check_asset("logo.png", image("jpg"), None, 10_000)
    with pytest.raises(UnsupportedMediaError):
        check_asset("logo.png", image("png"), "image/webp", 10_000)
    with pytest.raises(TooLargeError):
        check_asset("logo.png", image("png"), None, 10)
    assert (
        check_asset("logo.ico", sample("ico"), "image/vnd.microsoft.icon", 10_000).content_type
        == "image/x-icon"
    )


def test_assets_are_paths_a_project_holds_but_the_model_never_writes() -> None:
    assert ProjectPath.parse_any("img/Logo.PNG") == "img/Logo.PNG"
    assert is_asset_path("img/Logo.PNG")
    assert not is_asset_path("logo.svg")
    with pytest.raises(InvalidInputError, match="uploaded"):
        ProjectPath.parse("img/logo.png")
    with pytest.raises(InvalidInputError):
        ProjectPath.parse_any("logo.exe")


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    sniff(data)
    image_size(data)
    with contextlib.suppress(UnsupportedMediaError, TooLargeError):
        check_asset("x.png", data, None, 100)


@given(st.sampled_from(sorted(MEDIA_TYPES)), st.binary(max_size=64))
def test_a_real_header_followed_by_garbage_never_crashes(ext: str, tail: bytes) -> None:
    data = sample(ext)[:20] + tail
    image_size(data)
