"""Reference images for the offline model: the dominant colours of a picture (Pillow), turned into
the style tokens it knows (a light or dark scheme and the nearest named accent), and an honest note
of what it took from the picture and what it could not (layout, text, photos).
"""

from __future__ import annotations

import colorsys
import io
from collections.abc import Sequence

import msgspec
from PIL import Image, UnidentifiedImageError

from vibe.adapters.offline.brief import Style
from vibe.adapters.offline.palette import ACCENTS
from vibe.domain.model import ImageBlock

__all__ = ["Reference", "read_references", "reference_note"]

_SAMPLE_SIDE = 96  # the picture is shrunk to this before counting colours: cheap and stable


class Reference(msgspec.Struct, frozen=True, kw_only=True):
    """What the offline model takes from reference pictures."""

    colours: tuple[str, ...]  # the dominant colours, most covered first, as #rrggbb
    scheme: str  # light or dark: the background's lightness
    accent: str | None  # the nearest named accent to the most prominent vivid colour; None: no such


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _dominant(data: bytes) -> list[tuple[int, tuple[int, int, int]]]:
    with Image.open(io.BytesIO(data)) as picture:
        picture.draft("RGB", (_SAMPLE_SIDE, _SAMPLE_SIDE))  # JPEG: decode at a fraction of the size
        small = picture.convert("RGB")
        small.thumbnail((_SAMPLE_SIDE, _SAMPLE_SIDE))
    quantized = small.quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    counts: list[tuple[int, int]] = sorted(quantized.getcolors() or [], reverse=True)  # type: ignore[arg-type]
    return [(count, (palette[3 * i], palette[3 * i + 1], palette[3 * i + 2])) for count, i in counts]


def _nearest_accent(rgb: tuple[int, int, int]) -> str:
    h, _, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb))

    def distance(name: str) -> float:
        ah, _, as_ = colorsys.rgb_to_hls(*(c / 255 for c in _rgb(ACCENTS[name][0])))
        hue = min(abs(h - ah), 1 - abs(h - ah))
        return hue * 4 + abs(s - as_)

    candidates = [name for name in ACCENTS if name != "gray"]
    return min(candidates, key=distance)


def read_references(images: Sequence[ImageBlock]) -> Reference | None:
    """The colours of the first picture that can be read; None when none can."""
    for image in images:
        try:
            found = _dominant(image.data)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            continue
        if not found:
            continue
        background = found[0][1]
        lightness = colorsys.rgb_to_hls(*(c / 255 for c in background))[1]
        vivid = [
            rgb
            for _, rgb in found
            if colorsys.rgb_to_hls(*(c / 255 for c in rgb))[2] >= 0.3
            and 0.15 <= colorsys.rgb_to_hls(*(c / 255 for c in rgb))[1] <= 0.85
        ]
        return Reference(
            colours=tuple(_hex(rgb) for _, rgb in found[:5]),
            scheme="dark" if lightness < 0.4 else "light",
            accent=_nearest_accent(vivid[0]) if vivid else None,
        )
    return None


def as_style(reference: Reference) -> Style:
    return Style(scheme=reference.scheme, accent=reference.accent)


def reference_note(reference: Reference | None, count: int, lang: str) -> str:
    """What was taken from the picture(s), and what the offline model cannot take."""
    zh = lang == "zh"
    if reference is None:
        if zh:
            return f"我无法读取你发送的{count}张参考图片，所以没有使用它们。"
        return f"I could not read the {count} reference image(s) you sent, so I did not use them."
    colours = ", ".join(reference.colours[:3])
    if zh:
        ground = "深色" if reference.scheme == "dark" else "浅色"
        accent = f"、{reference.accent}强调色" if reference.accent else ""
        return (
            f"我从参考图片中取了配色（{colours}：{ground}背景{accent}）；"
            "离线模型无法照搬图片中的布局、文字或照片。"
        )
    accent = f" and a {reference.accent} accent" if reference.accent else " (no vivid colour for an accent)"
    return (
        f"From your reference image I took its colours ({colours}): a {reference.scheme} background"
        f"{accent}. Offline I cannot copy its layout, its text or its pictures."
    )
