"""The subject a prompt is about (food, plants, tech, fitness, travel, music, creative work, teaching, or
none of these), and the shape of the copy that gives a site that subject's voice (see ``copydeck``).
"""

from __future__ import annotations

import msgspec

from vibe.adapters.offline.keywords import earliest

__all__ = ["Flavour", "detect_flavour"]


class Flavour(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    icon: str
    scheme: str
    accent: str
    eyebrow: str
    tagline: str
    cta: str
    features: tuple[tuple[str, str, str], ...]  # icon, heading, text
    stats: tuple[tuple[str, str], ...]  # value, label
    quotes: tuple[tuple[str, str, str], ...]  # quote, name, role
    faq: tuple[tuple[str, str], ...]  # question, answer
    products: tuple[tuple[str, str, int], ...]  # name, category, price in cents


_KEYWORDS = (
    (
        "food",
        r"bakery|bakeries|bak(?:e|es|ed|er|ers|ing)|sourdough|bread|caf[eé]s?|coffee|restaurants?|"
        r"pizz(?:a|eria)|kitchen|food|bistro|"
        r"patisserie|tea|brewery|chef|cook(?:ing)?|recipes?|desserts?|cakes?|donuts?|catering|wine",
    ),
    ("garden", r"plants?|garden(?:ing|s)?|flowers?|florists?|nursery|botanical|succulents?|houseplants?"),
    ("tech", r"apps?|software|saas|startup|ai|api|developers?|platform|tool|cloud|data|code|dev|tech|cli"),
    ("fitness", r"fitness|gym|yoga|workouts?|training|coach(?:ing)?|running|pilates|sports?|health|wellness"),
    (
        "travel",
        r"travel|hotels?|trips?|tours?|vacations?|holidays?|hostel|adventures?|destinations?|cabin|surf",
    ),
    ("music", r"music|band|dj|albums?|concerts?|musician|singer|podcasts?|festival|gigs?"),
    (
        "creative",
        r"photography|photographer|photos?|art|artist|design|designer|studio|illustrat\w*|film|video",
    ),
    (
        "education",
        r"courses?|school|class(?:es)?|tutor(?:ing)?|learn(?:ing)?|education|academy|lessons?|teacher",
    ),
)


def detect_flavour(text: str) -> str:
    return earliest(_KEYWORDS, text) or "generic"
