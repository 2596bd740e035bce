"""Sample assets for the tests: one small, real file of every asset type, made with Pillow."""

from __future__ import annotations

import io
import random

from PIL import Image

IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP", "avif": "AVIF"}
MEDIA_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "ico": "image/x-icon",
    "woff": "font/woff",
    "woff2": "font/woff2",
}


def image(ext: str, size: tuple[int, int] = (40, 24), color: tuple[int, int, int] = (200, 30, 60)) -> bytes:
    picture = Image.new("RGB", size, color)
    buffer = io.BytesIO()
    if ext == "ico":
        picture.save(buffer, format="ICO", sizes=[size])
    else:
        picture.save(buffer, format=IMAGE_FORMATS[ext])
    return buffer.getvalue()


def noise_png(width: int, height: int, seed: int = 1) -> bytes:
    """A PNG that does not compress: about ``3 * width * height`` bytes."""
    rng = random.Random(seed)
    picture = Image.frombytes("RGB", (width, height), rng.randbytes(3 * width * height))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def font(ext: str) -> bytes:
    """Bytes with a WOFF/WOFF2 signature (the server checks the signature, not the glyphs)."""
    signature = b"wOFF" if ext == "woff" else b"wOF2"
    return signature + b"\x00\x01\x00\x00" + bytes(range(256)) * 4


def sample(ext: str) -> bytes:
    return font(ext) if ext in ("woff", "woff2") else image(ext, (32, 32) if ext == "ico" else (40, 24))
