"""Files from the page model: index.html, style.css and app.js composed from the package's templates
with Jinja2 (a sandboxed environment with autoescape on, compiled once per process).
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from jinja2 import PackageLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from vibe.adapters.offline.content import money, page_content
from vibe.adapters.offline.page import Page, Tokens, embed
from vibe.adapters.offline.palette import variables

__all__ = ["SITE_FILES", "render_css", "render_index", "render_sections", "render_site"]

SITE_FILES = ("index.html", "style.css", "app.js")
# The section a hero's button leads to: the first of these that the page has.
_CALLS_TO_ACTION = (
    "booking",
    "rsvp",
    "menu",
    "products",
    "donate",
    "pricing",
    "posts",
    "docs",
    "gallery",
    "contact",
)


@cache
def _environment() -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        loader=PackageLoader("vibe.adapters.offline", "templates"),
        # On for HTML; the stylesheet and script templates take only names from fixed vocabularies.
        autoescape=lambda name: name is None or not name.endswith((".css", ".js")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    environment.globals["money"] = money
    return environment


def _render(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(**context)


def _nav(page: Page, content: dict[str, Any]) -> list[tuple[str, str]]:
    links = [(name, content["s"][name]["nav"]) for name in page.sections]
    return links + [(sid, heading) for sid, heading in page.topics]


@lru_cache(maxsize=256)
def render_index(page: Page) -> str:
    content = page_content(page)
    cta = next((name for name in _CALLS_TO_ACTION if name in page.sections), None)
    return _render(
        "index.html",
        page=page,
        c=content,
        nav=_nav(page, content),
        cta=cta,
        model=Markup(embed(page)),  # noqa: S704 - JSON with <, > and & escaped: inert in a <script>
    )


def render_sections(page: Page) -> str:
    """The page's sections alone, for inserting into a page the offline model did not write."""
    return _render("sections.html", page=page, c=page_content(page))


@lru_cache(maxsize=256)
def render_css(tokens: Tokens) -> str:
    return _render("style.css", tokens=tokens, model=embed(tokens), vars=variables(tokens))


@lru_cache(maxsize=8)
def render_js(game: str | None) -> str:
    """The site's behaviour, or the game's: no text of the brief reaches JavaScript."""
    return _render("app.js", game=game)


def render_site(page: Page, tokens: Tokens) -> dict[str, str]:
    """The three files, in the order they are written (the page first, then what it links)."""
    return {
        "index.html": render_index(page),
        "style.css": render_css(tokens),
        "app.js": render_js(page.game if page.kind == "game" else None),
    }
