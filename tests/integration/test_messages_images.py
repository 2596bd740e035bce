"""Image blocks in the stand-in: the vision page's rules and token costs
(https://platform.claude.com/docs/en/build-with-claude/vision), read from the image headers."""

from __future__ import annotations

import base64
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.messages_api import CURRENT, OLDER, error_of, post
from vibe.testing.messages_images import image_size
from vibe.testing.messages_server import MessagesServer


def png(width: int, height: int, padding: int = 0) -> bytes:
    ihdr = struct.pack(">II", width, height) + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + ihdr + b"\x00" * (4 + padding)


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = (
        b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    )
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def webp_vp8x(width: int, height: int) -> bytes:
    chunk = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    chunk += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    chunk = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", bits)
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_lossy(width: int, height: int) -> bytes:
    chunk = b"VP8 " + struct.pack("<I", 10) + b"\x00\x00\x00\x9d\x01\x2a" + struct.pack("<HH", width, height)
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def image(raw: bytes | str, media_type: str = "image/png") -> dict[str, Any]:
    data = raw if isinstance(raw, str) else base64.b64encode(raw).decode()
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


def with_images(*blocks: dict[str, Any], model: str = CURRENT) -> dict[str, Any]:
    return {
        "model": model,
        "messages": [{"role": "user", "content": [*blocks, {"type": "text", "text": "what?"}]}],
    }


@pytest.fixture
async def server() -> AsyncIterator[MessagesServer]:
    async with MessagesServer() as running:
        yield running


async def counted(server: MessagesServer, payload: dict[str, Any]) -> int:
    response = await post(server, payload, path="/v1/messages/count_tokens")
    assert response.status_code == 200, response.text
    return int(response.json()["input_tokens"]) - 2  # "what?" is 2 tokens


@pytest.mark.parametrize(
    ("raw", "media_type"),
    [
        (png(100, 50), "image/png"),
        (gif(100, 50), "image/gif"),
        (jpeg(100, 50), "image/jpeg"),
        (webp_vp8x(100, 50), "image/webp"),
        (webp_lossless(100, 50), "image/webp"),
        (webp_lossy(100, 50), "image/webp"),
    ],
)
async def test_each_format_costs_its_patches(server: MessagesServer, raw: bytes, media_type: str) -> None:
    assert image_size(base64.b64encode(raw).decode()) == (100, 50)
    assert await counted(server, with_images(image(raw, media_type))) == 4 * 2  # ceil(100/28) * ceil(50/28)


async def test_large_images_cost_the_tier_cap(server: MessagesServer) -> None:
    big = image(png(3000, 3000))

    assert await counted(server, with_images(big)) == 4784
    assert await counted(server, with_images(big, model=OLDER)) == 1568


def tool_turn(result: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "model": CURRENT,
        "messages": [
            {"role": "user", "content": "shoot"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "shot", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": result}]},
        ],
    }


async def test_images_inside_tool_results_are_checked_and_counted(server: MessagesServer) -> None:
    shot = await counted(server, tool_turn([image(png(56, 28))]))
    text = await counted(server, tool_turn([{"type": "text", "text": "four"}]))
    bad = await post(server, tool_turn([image("@@")]), path="/v1/messages/count_tokens")

    assert shot - text == 2 - 1  # two patches instead of one token of text
    assert (
        error_of(bad)[2]
        == "messages.2.content.0.tool_result.content.0.image.source.base64: invalid base64 data"
    )


AT = "messages.0.content.0.image.source.base64"
REFUSED = [
    (
        "a BMP",
        image(png(10, 10), "image/bmp"),
        f"{AT}.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'",
    ),
    ("no data", image(""), f"{AT}: image cannot be empty"),
    ("not base64", image("not base64!"), f"{AT}: invalid base64 data"),
    ("not an image", image(b"hello, world"), "Could not process image"),
    (
        "a PNG said to be a JPEG",
        image(png(10, 10), "image/jpeg"),
        f"{AT}.data: Image does not match the provided media type image/jpeg",
    ),
    (
        "too wide",
        image(png(8001, 10)),
        f"{AT}.data: At least one of the image dimensions exceed max allowed size: 8000 pixels",
    ),
]


@pytest.mark.parametrize(("case", "block", "message"), REFUSED, ids=[case for case, _, _ in REFUSED])
async def test_bad_images_are_refused(
    server: MessagesServer, case: str, block: dict[str, Any], message: str
) -> None:
    response = await post(server, with_images(block), path="/v1/messages/count_tokens")

    assert error_of(response) == (400, "invalid_request_error", message), case


async def test_more_than_10_mb_is_refused(server: MessagesServer) -> None:
    response = await post(
        server, with_images(image(png(10, 10, padding=10 * 1024 * 1024))), path="/v1/messages/count_tokens"
    )

    size = len(png(10, 10, padding=10 * 1024 * 1024))
    assert error_of(response)[2] == f"{AT}: image exceeds 10 MB maximum: {size} bytes > 10485760 bytes"


async def test_at_most_600_images_on_the_current_model(server: MessagesServer) -> None:
    small = image(png(10, 10))

    assert await counted(server, with_images(*[small] * 600)) == 600
    response = await post(server, with_images(*[small] * 601), path="/v1/messages/count_tokens")
    older = await post(server, with_images(*[small] * 101, model=OLDER), path="/v1/messages/count_tokens")

    assert error_of(response)[2] == "Too much media: 0 document pages + 601 images > 600"
    assert error_of(older)[2] == "Too much media: 0 document pages + 101 images > 100"


async def test_many_images_must_be_at_most_2000_px(server: MessagesServer) -> None:
    images = [image(png(10, 10))] * 20 + [image(png(2001, 10))]

    response = await post(server, with_images(*images), path="/v1/messages/count_tokens")

    assert error_of(response)[2] == (
        "messages.0.content.20.image.source.base64.data: At least one of the image dimensions exceed max "
        "allowed size for many-image requests: 2000 pixels"
    )
    assert await counted(server, with_images(*images[1:])) > 0
