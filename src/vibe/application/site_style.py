"""What a site's CSS says about two quality criteria, read statically: the contrast of body text with its
background (at least 4.5:1) and fixed widths that cannot fit a 360 px screen. Only what can be read
for certain is judged: a colour given as a gradient, a function or an unknown name is left alone.
"""

from __future__ import annotations

import re

from vibe.domain.contrast import contrast

__all__ = ["SMALL_SCREEN_PX", "body_contrast", "too_wide"]

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_DECLARATION = re.compile(r"([-\w]+)\s*:\s*([^;]+)")
_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(?:,\s*([^()]*(?:\([^()]*\))?[^()]*))?\)")
_NAMED = {
    "white": "#ffffff", "black": "#000000", "red": "#ff0000", "green": "#008000", "blue": "#0000ff",
    "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0", "navy": "#000080", "yellow": "#ffff00",
    "orange": "#ffa500", "purple": "#800080", "maroon": "#800000", "teal": "#008080", "pink": "#ffc0cb",
}  # fmt: skip
_WIDE = re.compile(r"(?<![-\w])(?:min-)?width\s*:\s*(\d+(?:\.\d+)?)px", re.I)
SMALL_SCREEN_PX = 360


def without_blocks(css: str) -> str:
    """The CSS outside at-rule blocks (@media, @supports...), comments removed."""
    css = _COMMENT.sub("", css)
    out: list[str] = []
    depth = 0
    at_depth: list[int] = []
    i = 0
    while i < len(css):
        ch = css[i]
        if ch == "@" and depth == 0:
            brace, semi = css.find("{", i), css.find(";", i)
            if semi != -1 and (brace == -1 or semi < brace):
                i = semi + 1
                continue
            at_depth.append(depth)
            depth += 1
            i = brace + 1 if brace != -1 else len(css)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if at_depth and depth == at_depth[-1]:
                at_depth.pop()
                i += 1
                continue
        if not at_depth:
            out.append(ch)
        i += 1
    return "".join(out)


def _declarations(css: str, selectors: set[str]) -> dict[str, str]:
    """The last value of each property set by rules whose selector list includes one of ``selectors``."""
    found: dict[str, str] = {}
    for selector_list, body in _RULE.findall(without_blocks(css)):
        if {s.strip() for s in selector_list.split(",")} & selectors:
            for name, value in _DECLARATION.findall(body):
                found[name.strip().lower()] = value.replace("!important", "").strip()
    return found


def _resolve(value: str, variables: dict[str, str], depth: int = 0) -> str:
    if depth > 8:
        return value
    match = _VAR.search(value)
    if not match:
        return value.strip()
    replacement = variables.get(match.group(1), match.group(2) or "")
    return _resolve(value[: match.start()] + replacement + value[match.end() :], variables, depth + 1)


def _hex(value: str) -> str | None:
    value = value.strip().lower()
    value = _NAMED.get(value, value)
    if re.fullmatch(r"#[0-9a-f]{3,4}", value):
        return "#" + "".join(ch * 2 for ch in value[1:4])
    if re.fullmatch(r"#[0-9a-f]{6}(?:[0-9a-f]{2})?", value):
        return value[:7]
    rgb = re.fullmatch(r"rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)\s*(?:[,/]\s*[\d.]+%?\s*)?\)", value)
    if rgb:
        return "#" + "".join(f"{min(255, int(part)):02x}" for part in rgb.groups())
    return None


def body_contrast(css: str) -> tuple[float, str, str] | None:
    """Body text's contrast ratio with its colours, or None when the CSS does not say them plainly."""
    variables = {k: v for k, v in _declarations(css, {":root", "html"}).items() if k.startswith("--")}
    html_rules = _declarations(css, {":root", "html"})
    body_rules = _declarations(css, {"body"})
    text = body_rules.get("color") or html_rules.get("color") or "#000000"
    background = (
        body_rules.get("background-color")
        or body_rules.get("background")
        or html_rules.get("background-color")
        or html_rules.get("background")
        or "#ffffff"
    )
    fg, bg = _hex(_resolve(text, variables)), _hex(_resolve(background, variables))
    if fg is None or bg is None:
        return None
    return contrast(fg, bg), fg, bg


def too_wide(css: str) -> list[str]:
    """Fixed widths wider than a small phone's screen, outside media queries."""
    return [
        match.group(0)
        for match in _WIDE.finditer(without_blocks(css))
        if float(match.group(1)) > SMALL_SCREEN_PX
    ]
