"""Reference images: the rules a generation's ``images`` are checked by, how they reach the model
(image blocks before the text, in the first user message), and what the offline model takes from
them (the dominant colours) and says it could not."""

from __future__ import annotations

import base64
import contextlib
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from tests.assets import image
from vibe.adapters.offline.model import answer
from vibe.adapters.offline.reference import read_references
from vibe.application.agent import request_for
from vibe.application.prompting import first_message
from vibe.domain.errors import InvalidInputError
from vibe.domain.model import ImageBlock, TextBlock
from vibe.domain.reference_images import MAX_REFERENCE_BYTES, parse_reference_images


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def poster(background: tuple[int, int, int], accent: tuple[int, int, int]) -> bytes:
    picture = Image.new("RGB", (240, 160), background)
    picture.paste(Image.new("RGB", (120, 50), accent), (60, 50))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def png_block(data: bytes) -> ImageBlock:
    return ImageBlock(media_type="image/png", data=data)


def test_good_images_are_decoded() -> None:
    found = parse_reference_images([("image/png", b64(image("png"))), ("IMAGE/JPEG", b64(image("jpg")))])
    assert [i.media_type for i in found] == ["image/png", "image/jpeg"]
    assert found[0].data == image("png")
    assert parse_reference_images([]) == ()


@pytest.mark.parametrize(
    ("items", "reason"),
    [
        ([("image/png", b64(image("png")))] * 5, "At most 4"),
        ([("image/avif", b64(image("avif")))], "not supported"),
        ([("image/svg+xml", b64(b"<svg/>"))], "not supported"),
        ([("image/png", "not base64!")], "base64"),
        ([("image/png", b64(image("jpg")))], "image/jpeg"),
        ([("image/gif", b64(b"hello"))], "not an image"),
        ([("image/png", "A" * (4 * (MAX_REFERENCE_BYTES // 3 + 2)))], "larger than"),
        ([("image/png", b64(image("png", (8001, 1))))], "8000"),
    ],
)
def test_bad_images_are_refused_with_a_reason(items: list[tuple[str, str]], reason: str) -> None:
    with pytest.raises(InvalidInputError, match=reason) as refused:
        parse_reference_images(items)
    assert refused.value.field == "images"


@given(
    st.lists(st.tuples(st.sampled_from(["image/png", "image/gif", "x"]), st.text(max_size=40)), max_size=5)
)
def test_any_input_is_accepted_or_refused_cleanly(items: list[tuple[str, str]]) -> None:
    with contextlib.suppress(InvalidInputError):
        parse_reference_images(items)


def test_images_come_first_in_the_first_message() -> None:
    picture = parse_reference_images([("image/png", b64(image("png")))])
    message = first_message("like this", {"index.html": "<h1>Hi</h1>"}, images=picture)
    kinds = [type(b).__name__ for b in message.content]
    assert kinds[0] == "TextBlock"  # the cached listing stays first (prompt-cache breakpoint)
    assert kinds[1] == "ImageBlock"
    fresh = first_message("like this", {}, images=picture)
    assert isinstance(fresh.content[0], ImageBlock)
    assert isinstance(fresh.content[-1], TextBlock)
    assert fresh.content[-1].text == "like this"


def test_the_offline_palette_comes_from_the_dominant_colours() -> None:
    teal_on_dark = read_references(
        [ImageBlock(media_type="image/png", data=poster((15, 20, 30), (20, 180, 160)))]
    )
    assert teal_on_dark is not None
    assert (teal_on_dark.scheme, teal_on_dark.accent) == ("dark", "teal")
    red_on_light = read_references(
        [ImageBlock(media_type="image/png", data=poster((250, 248, 240), (200, 30, 40)))]
    )
    assert red_on_light is not None
    assert (red_on_light.scheme, red_on_light.accent) == ("light", "red")
    grey = read_references(
        [ImageBlock(media_type="image/png", data=poster((240, 240, 240), (120, 120, 120)))]
    )
    assert grey is not None
    assert grey.accent is None


def test_the_offline_model_builds_with_the_palette_and_says_what_it_could_not_take() -> None:
    picture = parse_reference_images([("image/png", b64(poster((15, 20, 30), (20, 180, 160))))])
    request = request_for([first_message("A landing page for a bakery in Paris", {}, images=picture)])
    chunks = answer(request)
    text = "".join(getattr(c, "text", "") for c in chunks)
    payload = "".join(getattr(c, "partial_json", "") for c in chunks)
    assert "From your reference image I took its colours" in text
    assert "cannot copy its layout, its text or its pictures" in text
    assert '\\"scheme\\":\\"dark\\",\\"accent\\":\\"teal\\"' in payload
    assert "like this" not in text  # the reference note is not mistaken for the prompt
    plain = answer(
        request_for([first_message("A landing page for a bakery in Paris, make it red", {}, images=picture)])
    )
    assert '\\"accent\\":\\"red\\"' in "".join(getattr(c, "partial_json", "") for c in plain)
