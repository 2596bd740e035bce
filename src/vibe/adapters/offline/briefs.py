"""What a prompt asks for, read from its words alone: a cleaned quote, a title made of its significant
words, the kind of site, its palette, its subject and its currency. Deterministic and total: any text,
however odd, gives a usable brief.
"""

from __future__ import annotations

import html
import re
import unicodedata

import msgspec

from vibe.adapters.offline.copydeck import FLAVOURS
from vibe.adapters.offline.flavours import detect_flavour
from vibe.adapters.offline.keywords import earliest

__all__ = ["Brief", "brief_from_prompt", "clean_prompt", "headline", "quote_of", "read_theme", "title_case"]

MAX_QUOTE_CHARS = 240
MAX_TITLE_CHARS = 48
MAX_TITLE_WORDS = 6
_SCAN_CHARS = 2000  # keywords past this point do not change the site

DEFAULT_TITLES = {
    "landing": "Your New Site",
    "dashboard": "Dashboard",
    "login": "Welcome Back",
    "blog": "The Journal",
    "portfolio": "Portfolio",
    "shop": "The Shop",
    "pricing": "Simple Pricing",
    "docs": "Help Center",
}

# Strong words name the kind of page outright; weak ones only hint at it. The earliest strong word wins,
# so "a landing page for my online shop" stays a landing page.
_STRONG_KINDS = (
    ("landing", r"landing|home ?page"),
    ("dashboard", r"dashboards?|admin panel|analytics"),
    ("login", r"log ?in|sign ?in|sign[ -]?up|register|registration|auth|authentication"),
    ("blog", r"blog|vlog"),
    ("portfolio", r"portfolio|résumé|resume|cv"),
    ("shop", r"online (?:shop|store)|web ?shop|e-?commerce|storefront"),
    ("pricing", r"pricing"),
    ("docs", r"docs|documentation|faqs?|help ?cent(?:er|re)|knowledge ?base"),
)
_WEAK_KINDS = (
    ("shop", r"shop|store|boutique|cart|products|merch|marketplace"),
    ("dashboard", r"metrics|stats|statistics|kpis?|tracker|monitoring|reports?"),
    ("blog", r"journal|articles|posts|diary|magazine"),
    ("portfolio", r"showcase|my work|photographer|illustrator"),
    ("pricing", r"plans|subscriptions?|tiers|prices"),
    ("docs", r"guide|manual|handbook|support|questions|tutorials?"),
    ("login", r"accounts?|password"),
)
_NOT_A_SHOP = re.compile(r"\b(?:coffee|tea|barber|repair|work) ?shops?\b", re.IGNORECASE)

SCHEME_WORDS = (
    ("dark", r"dark(?:er)?|night|midnight|black|noir|moody"),
    ("warm", r"warm(?:er)?|cozy|cosy|earthy|rustic|beige|cream|autumn"),
    ("light", r"light(?:er)?|white|bright|airy|pastel"),
)
ACCENT_WORDS = (
    ("blue", r"blue|navy|ocean|sky|cobalt|azure"),
    ("green", r"green|emerald|forest|mint|sage|olive|eco"),
    ("red", r"red|crimson|ruby|scarlet|cherry"),
    ("purple", r"purple|violet|lavender|plum|lilac"),
    ("orange", r"orange|tangerine|terracotta|coral|peach"),
    ("pink", r"pink|rose|magenta|fuchsia"),
    ("teal", r"teal|cyan|turquoise|aqua"),
    ("yellow", r"yellow|gold(?:en)?|amber|mustard|sunny|lemon"),
    ("gray", r"gr[ae]y|monochrome|mono|gr[ae]yscale|silver|slate"),
    ("indigo", r"indigo"),
)
_CURRENCIES = (
    (
        "EUR",
        r"€|euros?|eur|paris|france|french|berlin|germany|madrid|spain|rome|italy|amsterdam|lisbon|europe",
    ),
    ("GBP", r"£|pounds?|gbp|london|uk|britain|british|england|scotland|edinburgh|manchester"),
)

_NAMED = re.compile(r"\b(?:called|named|titled)\s+(.+)", re.IGNORECASE)
_SUBJECT = re.compile(r"\b(?:for|about|showcasing|selling|featuring)\s+(.+)", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(
    r"[,.;:!?()\[\]{}|\"“”«»]|\s[-\u2013\u2014]\s"
    r"|\s(?:with|that|which|where|using|including|so|please|but)\s",
    re.IGNORECASE,
)
_PAGE_WORDS = re.compile(r"\b(?:landing|homepage|home page|website|web site|site|page|webpage)\b", re.I)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EDGE_WORDS = _words(
    """a an the my our your their his her its this these some any me us i we you it to of in on at by
    and or for with from into as is are be that which who please can could would will should build make
    create design generate write want need like love get give help let lets allow show showing
    showcase showcasing sell selling sells book booking track tracking manage managing promote featuring
    list listing find people users customers visitors simple modern beautiful nice cool new clean
    minimal single one responsive html css js template theme mode style colours colors colour color
    palette just also"""
)
_SMALL_WORDS = _words("a an and as at but by for in of on or the to with de la le du des et y del")
_THEME_EDGE = re.compile(
    "|".join(f"(?:{pattern})" for _, pattern in (*SCHEME_WORDS, *ACCENT_WORDS)), re.IGNORECASE
)


class Brief(msgspec.Struct, frozen=True, kw_only=True):
    """A prompt read for building: plain-text fields, with ``h_`` properties already HTML-escaped."""

    prompt: str
    title: str
    kind: str
    scheme: str
    accent: str
    flavour: str
    currency: str

    @property
    def h_title(self) -> str:
        return html.escape(self.title, quote=True)

    @property
    def h_quote(self) -> str:
        return html.escape(quote_of(self.prompt), quote=True)


def clean_prompt(raw: str) -> str:
    """Control, format and private characters become spaces; whitespace runs become one space."""
    kept = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in raw)
    return " ".join(kept.split())


def quote_of(prompt: str) -> str:
    if len(prompt) <= MAX_QUOTE_CHARS:
        return prompt
    cut = prompt[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0] or prompt[:MAX_QUOTE_CHARS]
    return cut.rstrip() + "…"


def detect_kind(text: str) -> str:
    scan = text[:_SCAN_CHARS]
    strong = earliest(_STRONG_KINDS, scan)
    return strong or earliest(_WEAK_KINDS, _NOT_A_SHOP.sub(" ", scan)) or "landing"


def read_theme(text: str) -> tuple[str | None, str | None]:
    """The scheme and accent a text names, if any; "warm" alone also means an orange accent."""
    scan = text[:_SCAN_CHARS]
    scheme = earliest(SCHEME_WORDS, scan)
    accent = earliest(ACCENT_WORDS, scan)
    if scheme == "warm" and accent is None:
        accent = "orange"
    return scheme, accent


def detect_currency(text: str) -> str:
    return earliest(_CURRENCIES, text[:_SCAN_CHARS]) or "USD"


def _significant(clause: str) -> list[str]:
    words = _PAGE_WORDS.sub(" ", clause).split()
    while words and (words[0].lower() in _EDGE_WORDS or _THEME_EDGE.fullmatch(words[0])):
        words.pop(0)
    while words and (words[-1].lower() in _EDGE_WORDS or _THEME_EDGE.fullmatch(words[-1])):
        words.pop()
    return words


def title_case(words: list[str]) -> str:
    out: list[str] = []
    for index, word in enumerate(words):
        if any(ch.isupper() for ch in word):
            out.append(word)
        elif index > 0 and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def _bounded(words: list[str]) -> list[str]:
    words = words[:MAX_TITLE_WORDS]
    while len(words) > 1 and len(" ".join(words)) > MAX_TITLE_CHARS:
        words.pop()
    while len(words) > 1 and words[-1].lower() in _EDGE_WORDS:
        words.pop()
    if words and len(words[0]) > MAX_TITLE_CHARS:
        words = [words[0][: MAX_TITLE_CHARS - 1] + "…"]
    return words


def headline(phrase: str) -> str:
    """The significant words of a phrase as a short title-cased heading ("" when there are none)."""
    for clause in _CLAUSE_BREAK.split(phrase):
        words = _bounded(_significant(clause))
        if words:
            return title_case(words)
    return ""


def derive_title(prompt: str, kind: str) -> str:
    """The words after "called" win; then those after "for" or "about", so "a landing page for my
    bakery in Paris" gives "Bakery in Paris"; then the prompt's own significant words."""
    scan = prompt[:_SCAN_CHARS]
    candidates = [m.group(1).lstrip("'\u2018") for m in (_NAMED.search(scan), _SUBJECT.search(scan)) if m]
    for candidate in [*candidates, scan]:
        if title := headline(candidate):
            return title
    return DEFAULT_TITLES[kind]


def brief_from_prompt(raw: str) -> Brief:
    """Read a prompt; the subject's defaults (see ``flavours``) fill what its words leave open."""
    prompt = clean_prompt(raw)
    kind = detect_kind(prompt)
    flavour = detect_flavour(prompt[:_SCAN_CHARS])
    scheme, accent = read_theme(prompt)
    return Brief(
        prompt=prompt,
        title=derive_title(prompt, kind),
        kind=kind,
        scheme=scheme or FLAVOURS[flavour].scheme,
        accent=accent or FLAVOURS[flavour].accent,
        flavour=flavour,
        currency=detect_currency(prompt),
    )
