"""Binary assets a project may hold besides text: images and fonts, checked by their magic numbers.

Pure byte parsing (no image library): the type is read from the first bytes and must be the one the
extension names, and an image's pixel size is read from its header, so the model can be told
"logo.png, 512x512" without the bytes ever reaching it. SVG is not an asset: it stays a text type.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

import msgspec

from vibe.domain.errors import TooLargeError, UnsupportedMediaError

__all__ = [
    "ASSET_TYPES",
    "DEFAULT_MAX_ASSET_BYTES",
    "DEFAULT_MAX_PROJECT_BYTES",
    "IMAGE_TYPES",
    "AssetInfo",
    "check_asset",
    "extension_of",
    "image_size",
    "is_asset_path",
    "sniff",
]

DEFAULT_MAX_ASSET_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PROJECT_BYTES = 50 * 1024 * 1024

# Extension -> the exact Content-Type the file is served with.
IMAGE_TYPES: Mapping[str, str] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "ico": "image/x-icon",
}
ASSET_TYPES: Mapping[str, str] = {**IMAGE_TYPES, "woff": "font/woff", "woff2": "font/woff2"}
# Other names clients use for the same formats (Content-Type of an upload).
_ALIASES = {
    "image/vnd.microsoft.icon": "image/x-icon",
    "image/jpg": "image/jpeg",
    "application/font-woff": "font/woff",
}


class AssetInfo(msgspec.Struct, frozen=True, kw_only=True):
    content_type: str
    width: int | None = None
    height: int | None = None


def extension_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""


def is_asset_path(path: str) -> bool:
    return extension_of(path) in ASSET_TYPES


def sniff(data: bytes) -> str | None:
    """The asset media type the bytes start with, or None when they are none of them."""
    head = data[:32]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and _is_avif(data):
        return "image/avif"
    if head.startswith(b"\x00\x00\x01\x00") and len(head) >= 6 and head[4:6] != b"\x00\x00":
        return "image/x-icon"
    if head.startswith(b"wOFF"):
        return "font/woff"
    if head.startswith(b"wOF2"):
        return "font/woff2"
    return None


def _is_avif(data: bytes) -> bool:
    size = int.from_bytes(data[0:4], "big")
    brands = data[8:12] + data[16 : max(16, min(size, 64))]
    return any(brands[i : i + 4] in (b"avif", b"avis") for i in range(0, len(brands) - 3, 4))


def check_asset(path: str, data: bytes, declared: str | None, max_bytes: int) -> AssetInfo:
    """Check an upload of an asset path: its size, that its bytes are the format its extension names,
    and that a declared media type (the upload's Content-Type) agrees. Raises TooLargeError or
    UnsupportedMediaError with a reason a person can act on."""
    ext = extension_of(path)
    expected = ASSET_TYPES[ext]
    if len(data) > max_bytes:
        raise TooLargeError(f"'{path}' is {len(data)} bytes; an asset is at most {max_bytes} bytes.")
    found = sniff(data)
    if found != expected:
        what = f"a {found} file" if found else "not a supported image or font"
        raise UnsupportedMediaError(
            f"'{path}' should be {expected} (from its .{ext} name) but its bytes are {what}."
        )
    kind = _ALIASES.get(declared or "", declared or "")
    if kind and kind not in (expected, "application/octet-stream"):
        raise UnsupportedMediaError(f"'{path}' is {expected}, but the upload says Content-Type {declared}.")
    size = image_size(data) if ext in IMAGE_TYPES else None
    return AssetInfo(content_type=expected, width=size[0] if size else None, height=size[1] if size else None)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels read from an image's header; None when the header does not say."""
    try:
        return _image_size(data)
    except (struct.error, IndexError, ValueError):
        return None


def _image_size(data: bytes) -> tuple[int, int] | None:
    kind = sniff(data)
    if kind == "image/png" and data[12:16] == b"IHDR":
        w, h = struct.unpack(">II", data[16:24])
        return w, h
    if kind == "image/gif":
        w, h = struct.unpack("<HH", data[6:10])
        return w, h
    if kind == "image/jpeg":
        return _jpeg_size(data)
    if kind == "image/webp":
        return _webp_size(data)
    if kind == "image/x-icon":
        return data[6] or 256, data[7] or 256
    if kind == "image/avif":
        at = data.find(b"ispe")
        if at > 0:
            w, h = struct.unpack(">II", data[at + 8 : at + 16])
            return w, h
    return None


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if marker in _SOF:
            h, w = struct.unpack(">HH", data[at + 5 : at + 9])
            return w, h
        at += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    return None
