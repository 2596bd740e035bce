"""What a follow-up asks for, read from its words: a new title, a new palette, sections to add. A title
or section phrase is taken out before colours are read, so "call it Blue Moon" renames without
recolouring and "add a section about green energy" adds without turning the site green.
"""

from __future__ import annotations

import re

import msgspec

from vibe.adapters.offline.briefs import clean_prompt, read_theme
from vibe.adapters.offline.keywords import earliest

__all__ = ["SECTION_WORDS", "Intents", "SectionAsk", "read_intents"]

MAX_NEW_TITLE_CHARS = 80

_TITLE_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\b(?:call|name|title|retitle)\s+(?:it|the\s+(?:site|page|website)|this)\s+(.+)",
        r"\brename\s+(?:it\s+|the\s+(?:site|page|website)\s+|this\s+)?(?:to\s+|as\s+)?(.+)",
        r"\b(?:change|set|update|make|switch)\s+(?:the\s+|its\s+)?(?:site\s+|page\s+|main\s+)?"
        r"(?:title|heading|name|headline|h1)(?:\s+text)?\s+(?:to|into|as|be|say|read)\s+(.+)",
        r"\b(?:title|heading|headline|name)\s*(?:should\s+be|:)\s*(.+)",
    )
)
_TITLE_END = re.compile(
    r"[.;!?\n]\s|[;!?\n]|\s*(?:,|\band\b|\bthen\b)\s*(?:make|add|change|use|put|give|set|also|include|turn|"
    r"switch|paint|colou?r)\b|\s+with\s+(?:a|an|the|some|more)\b",
    re.IGNORECASE,
)
_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb"}

_ADD = re.compile(
    r"\b(?:add|include|insert|append|create|put\s+in)(?:\s+(?:a|an|the|some|new|another|more|small|short))*"
    r"\s+(.+)",
    re.IGNORECASE,
)
_SECTION_ABOUT = re.compile(r"^section\s+(?:about|on|for|with|describing|covering|explaining)\s+(.+)", re.I)
_PHRASE_END = re.compile(r"[.;!?\n]|\s*,?\s*\b(?:then|and\s+(?:make|change|call|rename|use|turn))\b", re.I)

# Section names a follow-up may ask for; the first listed wins a tie.
SECTION_WORDS = (
    ("faq", r"faqs?|questions|q&a"),
    ("testimonials", r"testimonials?|reviews?|quotes|what (?:people|customers) say"),
    ("newsletter", r"newsletter|subscribe|mailing list|sign-?up form|email sign-?up"),
    ("contact", r"contact(?: form| us| details| info)?|get in touch|enquir\w*|inquir\w*"),
    ("pricing", r"pricing|prices|plans|tiers"),
    ("team", r"team|staff|founders?|about us"),
    ("gallery", r"gallery|photos?|images|pictures"),
    ("features", r"features|services|benefits"),
    ("hours", r"opening hours|hours|opening times|timetable"),
    ("menu", r"menu|dishes"),
    ("stats", r"stats|statistics|numbers|figures"),
)
_RECOLOUR = re.compile(r"\b(?:colou?rs?|palette|accent|theme)\b", re.IGNORECASE)


class SectionAsk(msgspec.Struct, frozen=True):
    kind: str  # a SECTION_WORDS name, or "topic"
    topic: str  # the words asked for, for a topic section's heading


class Intents(msgspec.Struct, frozen=True, kw_only=True):
    title: str | None = None
    scheme: str | None = None
    accent: str | None = None
    recolour: bool = False  # colours were asked for without naming one
    sections: tuple[SectionAsk, ...] = ()


def _value(raw: str) -> tuple[str, int]:
    """A new title at the start of ``raw`` (quoted, or up to the end of its clause) and its length."""
    stripped = raw.lstrip()
    offset = len(raw) - len(stripped)
    close = _QUOTES.get(stripped[:1])
    if close and (end := stripped.find(close, 1)) > 0:
        return stripped[1:end], offset + end + 1
    match = _TITLE_END.search(stripped)
    value = stripped[: match.start()] if match else stripped
    return value, offset + len(value)


def _take_title(prompt: str) -> tuple[str | None, str]:
    for pattern in _TITLE_PATTERNS:
        match = pattern.search(prompt)
        if not match:
            continue
        value, length = _value(match.group(1))
        value = value.strip().strip("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb").rstrip(".,:;!? ").strip()
        if value:
            rest = prompt[: match.start()] + " " + prompt[match.start(1) + length :]
            return value[:MAX_NEW_TITLE_CHARS].strip(), rest
    return None, prompt


def _asks(phrase: str) -> list[SectionAsk]:
    about = _SECTION_ABOUT.match(phrase)
    if about:
        return [SectionAsk(earliest(SECTION_WORDS, about.group(1)) or "topic", about.group(1))]
    found: list[SectionAsk] = []
    for part in re.split(r"\s*(?:,|\band\b|&)\s*", phrase):
        kind = earliest(SECTION_WORDS, part)
        if kind and all(ask.kind != kind for ask in found):
            found.append(SectionAsk(kind, part))
    return found or [SectionAsk("topic", re.sub(r"\s+section$", "", phrase, flags=re.I))]


def _take_sections(prompt: str) -> tuple[tuple[SectionAsk, ...], str]:
    match = _ADD.search(prompt)
    if not match:
        return (), prompt
    tail = match.group(1)
    end = _PHRASE_END.search(tail)
    phrase = (tail[: end.start()] if end else tail).strip(" ,:")
    if not phrase:
        return (), prompt
    rest = prompt[: match.start()] + " " + tail[len(phrase) :]
    return tuple(_asks(phrase)), rest


def read_intents(raw: str) -> Intents:
    prompt = clean_prompt(raw)
    title, rest = _take_title(prompt)
    sections, rest = _take_sections(rest)
    scheme, accent = read_theme(rest)
    recolour = scheme is None and accent is None and bool(_RECOLOUR.search(rest))
    return Intents(title=title, scheme=scheme, accent=accent, recolour=recolour, sections=sections)
