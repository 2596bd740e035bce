"""What a page says: the copy deck of its language (copy/en.toml, copy/zh.toml) filled in for its
subject, with prices in its currency, ready for the templates. Plain data; the templates escape it.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

from vibe.adapters.offline.page import Page

__all__ = ["copy_deck", "money", "page_content"]

_SCHEDULES = {"wedding": "wedding", "party": "party", "tech": "tech"}
_TIERS = {"saas": "saas", "conference": "conference"}
_HOURS = {  # opening and closing per day, Monday first; None: closed
    "restaurant": (None, "8:00–18:00", "8:00–18:00", "8:00–18:00", "8:00–19:00", "8:00–19:00", "9:00–14:00"),
    "service": ("9:00–18:00", "9:00–18:00", "9:00–20:00", "9:00–18:00", "9:00–18:00", "10:00–16:00", None),
}  # fmt: skip
_DEFAULT_HOURS = ("10:00–18:00",) * 5 + ("10:00–17:00", None)


@cache
def copy_deck(lang: str) -> dict[str, Any]:
    """The copy of one language, read once from the package data."""
    name = "zh.toml" if lang == "zh" else "en.toml"
    return tomllib.loads(files("vibe.adapters.offline").joinpath("copy", name).read_text("utf-8"))


def _major(cents: int, currency: str) -> float:
    """The amount in the currency's own units: dollar prices become yen and yuan prices people pay."""
    if currency == "JPY":
        return float(round(cents * 1.5 / 10) * 10)
    if currency == "CNY":
        return float(round(cents * 7 / 100))
    return cents / 100


def money(cents: int, currency: str) -> str:
    """A price as people of that currency write it."""
    if currency in ("JPY", "CNY"):
        return f"¥{int(_major(cents, currency)):,}"
    whole, part = divmod(cents, 100)
    if currency == "EUR":
        return f"{whole},{part:02d} €"
    return f"{'£' if currency == 'GBP' else '$'}{whole:,}.{part:02d}"


def _filler(page: Page, deck: dict[str, Any]) -> dict[str, str]:
    subject = deck["subjects"].get(page.subject, deck["subjects"]["generic"])
    noun = subject["noun"].replace("{title}", page.title)
    return {"title": page.title, "noun": noun, "city": page.city or ""}


def _fill(value: Any, names: dict[str, str]) -> Any:
    """Placeholders filled in strings, lists and tables alike (the names go in verbatim)."""
    if isinstance(value, str):
        return value.format_map(names) if "{" in value else value
    if isinstance(value, list):
        return [_fill(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    return value


def _items(page: Page, deck: dict[str, Any], names: dict[str, str]) -> list[dict[str, str]]:
    subject = deck["subjects"].get(page.subject, deck["subjects"]["generic"])
    return [
        {
            "name": _fill(name, names),
            "note": _fill(note, names),
            "price": money(cents, page.currency) if cents else "",
            "amount": f"{_major(cents, page.currency):.2f}",
        }
        for name, note, cents in subject["items"]
    ]


def _menu_items(page: Page, deck: dict[str, Any], names: dict[str, str]) -> list[dict[str, str]]:
    """Dishes: the subject's own when it is food, else a restaurant's."""
    food = page.subject in {"bakery", "cafe", "pizzeria", "sushi", "restaurant"}
    menu_page = page if food else Page(**{**_fields(page), "subject": "restaurant"})
    return _items(menu_page, deck, names)


def _fields(page: Page) -> dict[str, Any]:
    return {field: getattr(page, field) for field in page.__struct_fields__}


def _tiers(page: Page, deck: dict[str, Any]) -> list[dict[str, Any]]:
    tiers = deck["tiers"][_TIERS.get(page.kind, "generic")]
    return [
        {
            "name": name,
            "price": money(cents, page.currency) if cents else money(0, page.currency),
            "perks": perks,
        }
        for name, cents, perks in tiers
    ]


def _hours(page: Page, deck: dict[str, Any]) -> list[tuple[str, str]]:
    days = deck["sections"]["hours"]["days"]
    closed = deck["sections"]["hours"]["closed"]
    return [
        (day, time or closed) for day, time in zip(days, _HOURS.get(page.kind, _DEFAULT_HOURS), strict=True)
    ]


def page_content(page: Page) -> dict[str, Any]:
    """Everything the templates need for this page, in its language."""
    deck = copy_deck(page.lang)
    names = _filler(page, deck)
    wanted = {*page.sections, "location", "topic"}  # location: the address line
    sections = _fill({name: copy for name, copy in deck["sections"].items() if name in wanted}, names)
    if "about" in sections and "about" in deck["kinds"][page.kind]:
        sections["about"]["body"] = _fill(deck["kinds"][page.kind]["about"], names)
    schedule_key = _SCHEDULES.get(page.subject, "tech" if page.kind == "conference" else "generic")
    return {
        "site": _fill(deck["site"], names),
        "kind": _fill(deck["kinds"][page.kind], names),
        "s": sections,
        "game": deck["game"],
        "items": _items(page, deck, names),
        "menu": _menu_items(page, deck, names),
        "tiers": _tiers(page, deck),
        "hours": _hours(page, deck),
        "schedule": deck["schedules"][schedule_key],
        "noun": names["noun"],
        "address": sections["location"]["address"]
        + (deck["site"]["in_city"].format(city=page.city) if page.city else ""),
    }
