"""Uploaded images on an offline page: which asset is the logo and which are photos, with their
alternative text, and the page model changed to show them (the logo in the header, the first photo in
the hero, every photo in the gallery, which a page with photos gets)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec

from vibe.adapters.offline.page import ORDER, Page, Pic
from vibe.domain.projects import FileEntry

__all__ = ["with_pictures"]

_LOGO = re.compile(r"(?:^|[^a-z])(logo|brand|mark)(?:[^a-z]|$)", re.I)
_PHOTO_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"})


def _words(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    text = " ".join(re.split(r"[-_\s.]+", stem)).strip()
    return text[:1].upper() + text[1:] if text else "Photo"


def _pic(asset: FileEntry, alt: str) -> Pic:
    return Pic(asset.path, asset.width or 0, asset.height or 0, alt)


def with_pictures(page: Page, assets: Sequence[FileEntry]) -> Page:
    """``page`` showing the uploaded images of ``assets`` (the same page when there are none)."""
    images = sorted((a for a in assets if a.content_type in _PHOTO_TYPES), key=lambda a: a.path)
    logo = next((a for a in images if _LOGO.search(a.path.rsplit("/", 1)[-1])), None)
    photos = tuple(_pic(a, _words(a.path)) for a in images if a is not logo)[:12]
    sections = page.sections
    if len(photos) >= 2 and page.hero and "gallery" not in sections:
        sections = tuple(sorted({*sections, "gallery"}, key=ORDER.index))
    return msgspec.structs.replace(
        page,
        logo=_pic(logo, "") if logo else None,  # beside the site's name: decorative
        photos=photos if page.hero else (),
        sections=sections,
    )
