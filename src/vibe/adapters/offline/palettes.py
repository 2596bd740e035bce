"""Colour palettes: a scheme (light, dark, warm, ember) with an accent, written as one marked block of
CSS variables at the top of style.css, so a follow-up can find it and recolour the site with one edit.
The theme toggle switches to the scheme's alternate (light and dark, warm and ember).
"""

from __future__ import annotations

import re

__all__ = ["ACCENTS", "SCHEMES", "describe_palette", "find_palette", "palette_css"]

# name -> color-scheme, bg, surface, surface-2, text, muted, border, shadow colour
SCHEMES: dict[str, tuple[str, ...]] = {
    "light": ("light", "#f6f7fb", "#ffffff", "#eef1f7", "#0f172a", "#4b5568", "#dde3ee", "15 23 42"),
    "dark": ("dark", "#0b1020", "#121a2e", "#19223a", "#e7ecf6", "#a3afc6", "#27324d", "0 0 0"),
    "warm": ("light", "#fbf5ec", "#fffcf7", "#f3e9db", "#2a1b10", "#6b5646", "#e6d7c3", "80 50 20"),
    "ember": ("dark", "#17110c", "#211912", "#2b2119", "#f6ece1", "#c2ad98", "#3a2d22", "0 0 0"),
}
ALTERNATE = {"light": "dark", "dark": "light", "warm": "ember", "ember": "warm"}

# name -> (accent, strong, text on accent) on a light scheme, then the same on a dark one
ACCENTS: dict[str, tuple[tuple[str, str, str], tuple[str, str, str]]] = {
    "indigo": (("#4f46e5", "#3730a3", "#ffffff"), ("#818cf8", "#a5b4fc", "#0b1020")),
    "blue": (("#2563eb", "#1d4ed8", "#ffffff"), ("#60a5fa", "#93c5fd", "#0b1020")),
    "green": (("#15803d", "#166534", "#ffffff"), ("#4ade80", "#86efac", "#052e16")),
    "red": (("#dc2626", "#b91c1c", "#ffffff"), ("#f87171", "#fca5a5", "#1f0a0a")),
    "purple": (("#7c3aed", "#6d28d9", "#ffffff"), ("#a78bfa", "#c4b5fd", "#140b2e")),
    "orange": (("#c2410c", "#9a3412", "#ffffff"), ("#fb923c", "#fdba74", "#1f1105")),
    "pink": (("#be185d", "#9d174d", "#ffffff"), ("#f472b6", "#f9a8d4", "#2a0a1a")),
    "teal": (("#0f766e", "#115e59", "#ffffff"), ("#2dd4bf", "#5eead4", "#042f2e")),
    "yellow": (("#a16207", "#854d0e", "#ffffff"), ("#facc15", "#fde047", "#1a1500")),
    "gray": (("#334155", "#1e293b", "#ffffff"), ("#cbd5e1", "#e2e8f0", "#0b1020")),
}

_SCHEME_NAMES = {"light": "light", "dark": "dark", "warm": "warm, light", "ember": "warm, dark"}

_START = "/* Palette (vibe:"
_END = "/* End of palette. */"
_MARK = re.compile(r"/\* Palette \(vibe:(\w+)/(\w+)\)")


def _variables(scheme: str, accent: str) -> str:
    mode, bg, surface, surface_2, text, muted, border, shadow = SCHEMES[scheme]
    strong_accent, strong, on_accent = ACCENTS[accent][mode == "dark"]
    pairs = (
        ("--bg", bg),
        ("--surface", surface),
        ("--surface-2", surface_2),
        ("--text", text),
        ("--muted", muted),
        ("--border", border),
        ("--shadow-rgb", shadow),
        ("--accent", strong_accent),
        ("--accent-strong", strong),
        ("--accent-soft", strong_accent + "1f"),
        ("--on-accent", on_accent),
    )
    lines = [f"  color-scheme: {mode};", *(f"  {name}: {value};" for name, value in pairs)]
    return "\n".join(lines)


def palette_css(scheme: str, accent: str) -> str:
    """The marked palette block: the scheme on :root, its alternate under [data-theme="alt"]."""
    return (
        f"{_START}{scheme}/{accent}): change these variables to recolour the whole site. */\n"
        f":root {{\n{_variables(scheme, accent)}\n}}\n\n"
        f':root[data-theme="alt"] {{\n{_variables(ALTERNATE[scheme], accent)}\n}}\n'
        f"{_END}"
    )


def find_palette(css: str) -> tuple[str, str, str] | None:
    """The palette block of a stylesheet with its scheme and accent, when there is exactly one."""
    if css.count(_START) != 1 or css.count(_END) != 1:
        return None
    start = css.index(_START)
    end = css.find(_END, start)
    match = _MARK.match(css, start)
    if end < 0 or match is None:
        return None
    scheme, accent = match.group(1), match.group(2)
    if scheme not in SCHEMES or accent not in ACCENTS:
        return None
    return css[start : end + len(_END)], scheme, accent


def describe_palette(scheme: str, accent: str) -> str:
    """ "dark palette with a blue accent", for prose."""
    article = "an" if accent[:1] in "aeiou" else "a"
    return f"{_SCHEME_NAMES.get(scheme, scheme)} palette with {article} {accent} accent"
