"""Reference images sent with a prompt (CONTRACT §5 "Files you bring"): a sketch, or a screenshot of
a site to imitate. They are kept with the session (a retry or a takeover sends them again), shown to
the model with the first user message, and never become part of the site.

The limits are vibe's (at most 4, each at most 5 MiB decoded) inside the Claude API's own: PNG, JPEG,
GIF or WebP, at most 8000x8000 px (https://docs.claude.com/en/docs/vision, "Basics and Limits").
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

import msgspec

from vibe.domain.assets import image_size, sniff
from vibe.domain.errors import InvalidInputError

__all__ = [
    "MAX_REFERENCE_BYTES",
    "MAX_REFERENCE_IMAGES",
    "MAX_REFERENCE_SIDE",
    "REFERENCE_NOTE",
    "REFERENCE_TYPES",
    "ReferenceImage",
    "parse_reference_images",
]

REFERENCE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
MAX_REFERENCE_IMAGES = 4
MAX_REFERENCE_BYTES = 5 * 1024 * 1024
MAX_REFERENCE_SIDE = 8000
_MAX_BASE64_CHARS = 4 * ((MAX_REFERENCE_BYTES + 2) // 3)
# Said to the model right after the pictures (the offline model knows it by its first words).
REFERENCE_NOTE = (
    "The image(s) above are reference pictures the person sent with the request (a sketch, or a "
    "screenshot of a site to imitate): follow their layout, colours and mood. They are not files of "
    "the project; do not try to link them."
)


class ReferenceImage(msgspec.Struct, frozen=True, kw_only=True):
    media_type: str
    data: bytes

    @property
    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")


def parse_reference_images(items: Sequence[tuple[str, str]]) -> tuple[ReferenceImage, ...]:
    """``(media_type, base64 data)`` pairs checked and decoded; InvalidInputError names the first
    image that breaks a rule (by its position, 1-based) and the rule."""
    if len(items) > MAX_REFERENCE_IMAGES:
        raise InvalidInputError(f"At most {MAX_REFERENCE_IMAGES} reference images.", field="images")
    return tuple(_parse(n, media_type, data) for n, (media_type, data) in enumerate(items, start=1))


def _parse(n: int, media_type: str, data: str) -> ReferenceImage:
    kind = media_type.strip().lower()
    if kind not in REFERENCE_TYPES:
        raise InvalidInputError(
            f"Image {n}: {media_type!r} is not supported; send PNG, JPEG, GIF or WebP.", field="images"
        )
    if len(data) > _MAX_BASE64_CHARS:
        raise InvalidInputError(f"Image {n} is larger than {MAX_REFERENCE_BYTES} bytes.", field="images")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError(f"Image {n}: the data is not valid base64.", field="images") from None
    if len(raw) > MAX_REFERENCE_BYTES:
        raise InvalidInputError(f"Image {n} is larger than {MAX_REFERENCE_BYTES} bytes.", field="images")
    found = sniff(raw)
    if found != kind:
        what = f"a {found} file" if found else "not an image"
        raise InvalidInputError(f"Image {n} is said to be {kind} but is {what}.", field="images")
    size = image_size(raw)
    if size is None or not (0 < size[0] <= MAX_REFERENCE_SIDE and 0 < size[1] <= MAX_REFERENCE_SIDE):
        raise InvalidInputError(
            f"Image {n}: each side must be 1 to {MAX_REFERENCE_SIDE} pixels.", field="images"
        )
    return ReferenceImage(media_type=kind, data=raw)
