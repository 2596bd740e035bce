"""The site templates, one module each, by the kind name a brief carries."""

from __future__ import annotations

from vibe.adapters.offline.pages import Site
from vibe.adapters.offline.sites.blog import BLOG
from vibe.adapters.offline.sites.dashboard import DASHBOARD
from vibe.adapters.offline.sites.docs import DOCS
from vibe.adapters.offline.sites.landing import LANDING
from vibe.adapters.offline.sites.login import LOGIN
from vibe.adapters.offline.sites.portfolio import PORTFOLIO
from vibe.adapters.offline.sites.pricing import PRICING
from vibe.adapters.offline.sites.shop import SHOP

__all__ = ["SITES"]

SITES: dict[str, Site] = {
    site.name: site for site in (LANDING, DASHBOARD, LOGIN, BLOG, PORTFOLIO, SHOP, PRICING, DOCS)
}
