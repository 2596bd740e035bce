"""A new site from a brief: index.html, style.css and app.js of the template its kind names."""

from __future__ import annotations

from vibe.adapters.offline.briefs import Brief
from vibe.adapters.offline.css import stylesheet
from vibe.adapters.offline.pages import Site, document
from vibe.adapters.offline.scripts import script
from vibe.adapters.offline.sites import SITES

__all__ = ["SITE_FILES", "render_site", "site_for", "stylesheet_for"]

SITE_FILES = ("index.html", "style.css", "app.js")


def site_for(kind: str) -> Site:
    return SITES.get(kind, SITES["landing"])


def stylesheet_for(brief: Brief, scheme: str, accent: str) -> str:
    return stylesheet(brief.title, scheme, accent, site_for(brief.kind).css)


def render_site(brief: Brief) -> dict[str, str]:
    """The three files, in the order they are written (the page first, then what it links)."""
    site = site_for(brief.kind)
    return {
        "index.html": document(brief, site),
        "style.css": stylesheet_for(brief, brief.scheme, brief.accent),
        "app.js": script(site.script),
    }
