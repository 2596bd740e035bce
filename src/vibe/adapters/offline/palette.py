"""Colours and type for style tokens: a light or dark scheme, a named accent (and buttons of their own
colour), serif or sans type and a mood. Every pair of text and background it makes reads at 4.5:1 or
better (WCAG AA), which the tests check for every combination.
"""

from __future__ import annotations

from vibe.adapters.offline.page import Tokens

__all__ = ["ACCENTS", "FONTS", "MOODS", "ON_ACCENT", "SCHEMES", "variables"]

# name -> background, surface, second surface, text, muted text, border
SCHEMES: dict[str, tuple[str, str, str, str, str, str]] = {
    "light": ("#fbfaf7", "#ffffff", "#f2efe9", "#1c1917", "#57534e", "#ddd6cc"),
    "dark": ("#111418", "#1a1f26", "#222831", "#eef1f5", "#aab3bf", "#333c48"),
}
# name -> (on a light scheme, on a dark one); text on a filled button is white on light, ink on dark
ACCENTS: dict[str, tuple[str, str]] = {
    "red": ("#b91c1c", "#f87171"),
    "orange": ("#c2410c", "#fb923c"),
    "yellow": ("#8a5a00", "#facc15"),
    "green": ("#166534", "#4ade80"),
    "teal": ("#0f766e", "#2dd4bf"),
    "blue": ("#1d4ed8", "#60a5fa"),
    "purple": ("#7e22ce", "#c084fc"),
    "pink": ("#be185d", "#f472b6"),
    "brown": ("#8a4513", "#d6a77a"),
    "gray": ("#475569", "#cbd5e1"),
}
ON_ACCENT = {"light": "#ffffff", "dark": "#111418"}
FONTS = {
    "sans": 'system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Microsoft YaHei", '
    '"Noto Sans CJK SC", sans-serif',
    "serif": 'Georgia, "Times New Roman", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif',
}
MOODS = {  # radius, shadow, heading weight, letter spacing of headings
    "plain": ("12px", "0 10px 30px -18px rgb(0 0 0 / 35%)", "700", "-0.02em"),
    "minimal": ("2px", "none", "500", "0"),
    "playful": ("22px", "0 6px 0 0 var(--accent-soft)", "800", "-0.01em"),
}


def variables(tokens: Tokens) -> dict[str, str]:
    """The CSS custom properties of ``:root`` for these tokens."""
    bg, surface, surface_2, text, muted, border = SCHEMES[tokens.scheme]
    dark = tokens.scheme == "dark"
    accent = ACCENTS[tokens.accent][dark]
    radius, shadow, weight, tracking = MOODS[tokens.mood]
    return {
        "color-scheme": tokens.scheme,
        "--bg": bg,
        "--surface": surface,
        "--surface-2": surface_2,
        "--text": text,
        "--muted": muted,
        "--border": border,
        "--accent": accent,
        "--accent-soft": accent + "26",
        "--button": ACCENTS[tokens.buttons][dark],
        "--on-button": ON_ACCENT[tokens.scheme],
        "--font": FONTS[tokens.font],
        "--heading-font": FONTS[tokens.font],
        "--radius": radius,
        "--shadow": shadow,
        "--heading-weight": weight,
        "--heading-tracking": tracking,
    }
