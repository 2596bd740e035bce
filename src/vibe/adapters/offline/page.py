"""The page model a site is rendered from: its sections (kept in index.html) and its style tokens (kept
in style.css), each embedded as JSON in the file it shapes. A new site is planned here from a brief;
a follow-up changes the model and the files are rendered again.
"""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec

from vibe.adapters.offline.brief import Brief, Change, Style

__all__ = [
    "ORDER",
    "Page",
    "Pic",
    "Tokens",
    "embed",
    "extract",
    "plan_page",
    "plan_tokens",
    "restyle",
    "revise",
]

KIND_SECTIONS: dict[str, tuple[str, ...]] = {
    "restaurant": ("about", "menu", "gallery", "testimonials", "hours", "location", "contact"),
    "shop": ("products", "features", "testimonials", "faq", "newsletter"),
    "portfolio": ("gallery", "about", "services", "testimonials", "contact"),
    "event": ("about", "schedule", "gallery", "location", "rsvp", "faq"),
    "conference": ("about", "schedule", "team", "pricing", "location", "faq", "newsletter"),
    "service": ("services", "team", "testimonials", "hours", "location", "booking", "faq"),
    "saas": ("features", "pricing", "testimonials", "faq", "newsletter"),
    "blog": ("posts", "about", "newsletter"),
    "nonprofit": ("about", "features", "team", "donate", "newsletter", "contact"),
    "docs": ("docs", "faq", "contact"),
    "dashboard": ("dashboard",),
    "personal": ("about", "services", "gallery", "contact"),
    "signin": ("signin",),
    "game": (),
    "business": ("about", "features", "testimonials", "contact"),
}
# Where each section goes on a page, whatever asked for it.
ORDER = (
    "signin", "dashboard", "docs", "products", "menu", "services", "posts", "about", "features",
    "gallery", "schedule", "pricing", "team", "testimonials", "hours", "location", "faq", "booking",
    "rsvp", "donate", "newsletter", "contact",
)  # fmt: skip
NO_HERO = frozenset({"signin", "dashboard", "game"})
_ACCENTS = {
    "bakery": "orange", "cafe": "brown", "pizzeria": "red", "sushi": "red", "restaurant": "orange",
    "ceramics": "teal", "candles": "purple", "books": "brown", "fashion": "pink", "plants": "green",
    "clinic": "teal", "surf": "blue", "yoga": "green", "salon": "pink", "photography": "gray",
    "design": "purple", "wedding": "pink", "party": "purple", "tech": "blue", "hiking": "green",
    "animals": "orange",
}  # fmt: skip


_Model = TypeVar("_Model", "Page", "Tokens")


class Pic(msgspec.Struct, frozen=True, array_like=True):
    """An uploaded image the page shows: its path, pixel size and alternative text."""

    path: str
    width: int
    height: int
    alt: str


class Page(msgspec.Struct, frozen=True, kw_only=True):
    lang: str
    title: str
    kind: str
    subject: str
    city: str
    currency: str
    sections: tuple[str, ...]
    topics: tuple[tuple[str, str], ...] = ()  # (fragment id, heading) of sections about anything else
    game: str | None = None
    logo: Pic | None = None  # uploaded images, where images belong: the logo in the header,
    photos: tuple[Pic, ...] = ()  # photos in the hero and the gallery

    @property
    def hero(self) -> bool:
        return self.kind not in NO_HERO


class Tokens(msgspec.Struct, frozen=True, kw_only=True):
    scheme: str  # light or dark
    accent: str
    buttons: str
    font: str  # sans or serif
    mood: str  # plain, minimal or playful
    game: bool = False  # the stylesheet carries the game board's rules


def _ordered(names: set[str]) -> tuple[str, ...]:
    return tuple(sorted(names, key=ORDER.index))


def plan_page(brief: Brief) -> Page:
    """The kind's expected sections plus every section the brief names (a game page is the game)."""
    named = set() if brief.kind == "game" else set(brief.sections)
    return Page(
        lang=brief.lang,
        title=brief.title,
        kind=brief.kind,
        subject=brief.subject,
        city=brief.city,
        currency=brief.currency,
        sections=_ordered(set(KIND_SECTIONS[brief.kind]) | named),
        game=brief.game,
    )


def plan_tokens(brief: Brief) -> Tokens:
    style = brief.style
    accent = style.accent or _ACCENTS.get(brief.subject, "blue")
    return Tokens(
        scheme=style.scheme or ("dark" if brief.kind == "game" else "light"),
        accent=accent,
        buttons=style.buttons or accent,
        font=style.font or "sans",
        mood=style.mood or "plain",
        game=brief.kind == "game",
    )


def _topic_id(page: Page, heading: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")[:24] or "topic"
    taken = {*page.sections, *(sid for sid, _ in page.topics)}
    candidate, n = f"topic-{base}", 1
    while candidate in taken:
        n += 1
        candidate = f"topic-{base}-{n}"
    return candidate


def revise(page: Page, change: Change, topic_heading: str | None) -> Page:
    """The page with the change's title and sections applied (a game page keeps its one game)."""
    if page.kind == "game":
        return msgspec.structs.replace(page, title=change.title or page.title)
    sections = (set(page.sections) | set(change.add)) - set(change.remove)
    topics = tuple((sid, heading) for sid, heading in page.topics if heading not in change.remove)
    page = msgspec.structs.replace(page, title=change.title or page.title, sections=_ordered(sections))
    if topic_heading:
        topics += ((_topic_id(page, topic_heading), topic_heading),)
    return msgspec.structs.replace(page, topics=topics)


def restyle(tokens: Tokens, style: Style) -> Tokens:
    """Tokens with what the style names changed, and only that (an accent carries the buttons along
    unless they were given a colour of their own)."""
    accent = style.accent or tokens.accent
    buttons = style.buttons or (
        accent if style.accent and tokens.buttons == tokens.accent else tokens.buttons
    )
    return msgspec.structs.replace(
        tokens,
        scheme=style.scheme or tokens.scheme,
        accent=accent,
        buttons=buttons,
        font=style.font or tokens.font,
        mood=style.mood or tokens.mood,
    )


# --- the model inside the files -------------------------------------------------------------------

_PAGE_BLOCK = re.compile(r'<script type="application/json" id="vibe-page">(.*?)</script>', re.S)
_TOKENS_LINE = re.compile(r"\A/\* vibe-tokens (\{.*?\}) \*/")


def embed(model: Page | Tokens) -> str:
    """The model as JSON that is safe inside a <script> block or a CSS comment. A page without
    uploaded pictures reads exactly as before pictures existed, so sites made then stay ours."""
    data = msgspec.to_builtins(model)
    if isinstance(model, Page):
        if model.logo is None:
            del data["logo"]
        if not model.photos:
            del data["photos"]
    text = msgspec.json.encode(data).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("*/", "*\\/")


def extract(files: dict[str, str]) -> tuple[Page | None, Tokens | None]:
    """The page and token models a site carries, None where a file has none (or a broken one)."""
    page_match = _PAGE_BLOCK.search(files.get("index.html", ""))
    tokens_match = _TOKENS_LINE.match(files.get("style.css", ""))
    return (
        _decode(page_match.group(1), Page) if page_match else None,
        _decode(tokens_match.group(1), Tokens) if tokens_match else None,
    )


def _decode(text: str, kind: type[_Model]) -> _Model | None:
    try:
        return msgspec.json.decode(text, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
