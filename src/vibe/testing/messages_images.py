"""Image blocks in the stand-in: the API's checks on base64 images, their size and their tokens."""

from __future__ import annotations

import base64
import binascii
import functools
import struct
from collections.abc import Iterator
from typing import Any

from vibe.testing.messages_errors import invalid

__all__ = ["check_images", "image_size", "image_tokens"]

# Rules from https://platform.claude.com/docs/en/build-with-claude/vision: four media types, 10 MB per
# image on the Claude API, 8000x8000 px at most, 2000 px per side once a request has more than 20
# images, and ceil(w/28) * ceil(h/28) visual tokens up to the model's tier cap. The messages are the
# API's own as users have reported them (e.g. https://github.com/anthropics/claude-code/issues/5955,
# https://github.com/anthropics/anthropic-sdk-typescript/issues/603, https://github.com/gptme/gptme/issues/185,
# https://github.com/anthropics/claude-code/issues/15746, https://github.com/anthropics/claude-code/issues/3397).
MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 8000
MANY_IMAGES, MANY_IMAGES_SIDE = 20, 2000
_PATCH = 28

Found = tuple[str, dict[str, Any]]


def check_images(messages: list[Any], max_images: int) -> None:
    """Raise the API's 400 for the first bad image in the user messages, or for too many images."""
    found = list(_images(messages))
    if len(found) > max_images:
        raise invalid(f"Too much media: 0 document pages + {len(found)} images > {max_images}")
    for path, source in found:
        if source.get("type") != "base64":
            continue  # url and file sources are fetched by the API; the stand-in takes them on trust
        width, height = _checked(path, source)
        side = max(width, height)
        if side > MAX_SIDE:
            raise invalid(
                f"{path}.data: At least one of the image dimensions exceed max allowed size: "
                f"{MAX_SIDE} pixels"
            )
        if len(found) > MANY_IMAGES and side > MANY_IMAGES_SIDE:
            raise invalid(
                f"{path}.data: At least one of the image dimensions exceed max allowed size for many-image "
                f"requests: {MANY_IMAGES_SIDE} pixels"
            )


def image_tokens(source: Any, cap: int) -> int:
    """The visual tokens of an image source; a url or file source (not read here) counts as the cap."""
    if not isinstance(source, dict) or source.get("type") != "base64":
        return cap
    try:
        width, height = image_size(str(source.get("data", "")))
    except ValueError:
        return cap
    return min(cap, -(-width // _PATCH) * -(-height // _PATCH))


def _images(messages: list[Any]) -> Iterator[Found]:
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        for j, block in enumerate(content if isinstance(content, list) else []):
            if not isinstance(block, dict):
                continue
            if block.get("type") == "image":
                yield f"messages.{i}.content.{j}.image.source.base64", block.get("source") or {}
            inner = block.get("content") if block.get("type") == "tool_result" else None
            for k, item in enumerate(inner if isinstance(inner, list) else []):
                if isinstance(item, dict) and item.get("type") == "image":
                    path = f"messages.{i}.content.{j}.tool_result.content.{k}.image.source.base64"
                    yield path, item.get("source") or {}


def _checked(path: str, source: dict[str, Any]) -> tuple[int, int]:
    media_type, data = source.get("media_type"), source.get("data")
    if media_type not in MEDIA_TYPES:
        raise invalid(
            f"{path}.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"
        )
    if not isinstance(data, str) or not data:
        raise invalid(f"{path}: image cannot be empty")
    raw = _decoded(data)
    if raw is None:
        raise invalid(f"{path}: invalid base64 data")
    if len(raw) > MAX_BYTES:
        raise invalid(f"{path}: image exceeds 10 MB maximum: {len(raw)} bytes > {MAX_BYTES} bytes")
    try:
        kind, width, height = _header(raw)
    except ValueError:
        raise invalid("Could not process image") from None
    if kind != media_type:
        raise invalid(f"{path}.data: Image does not match the provided media type {media_type}")
    return width, height


@functools.lru_cache(maxsize=64)
def _decoded(data: str) -> bytes | None:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None


def image_size(data: str) -> tuple[int, int]:
    """The (width, height) of a base64 PNG, JPEG, GIF or WebP, read from its header; ValueError if none."""
    raw = _decoded(data)
    if raw is None:
        raise ValueError("not base64")
    _kind, width, height = _header(raw)
    return width, height


def _header(raw: bytes) -> tuple[str, int, int]:
    try:
        if raw.startswith(b"\x89PNG\r\n\x1a\n") and raw[12:16] == b"IHDR":
            width, height = struct.unpack(">II", raw[16:24])
            return "image/png", width, height
        if raw[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack("<HH", raw[6:10])
            return "image/gif", width, height
        if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
            return ("image/webp", *_webp_size(raw))
        if raw[:2] == b"\xff\xd8":
            return ("image/jpeg", *_jpeg_size(raw))
    except (struct.error, IndexError):
        pass
    raise ValueError("not a supported image")


def _webp_size(raw: bytes) -> tuple[int, int]:
    chunk = raw[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", raw[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        (bits,) = struct.unpack("<I", raw[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return int.from_bytes(raw[24:27], "little") + 1, int.from_bytes(raw[27:30], "little") + 1
    raise ValueError("unknown WebP chunk")


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(raw: bytes) -> tuple[int, int]:
    at = 2
    while at + 4 <= len(raw):
        if raw[at] != 0xFF:
            raise ValueError("bad JPEG marker")
        marker = raw[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        (length,) = struct.unpack(">H", raw[at + 2 : at + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", raw[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise ValueError("no JPEG frame header")
