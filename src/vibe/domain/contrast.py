"""The WCAG contrast ratio of two colours: the quality rule that body text reads at 4.5:1 or better.
Shared by the site check, which measures any site, and the offline model, which picks its palettes."""

from __future__ import annotations

__all__ = ["MIN_TEXT_CONTRAST", "contrast"]

MIN_TEXT_CONTRAST = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two ``#rrggbb`` colours, from 1 (the same) to 21 (black on white)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
