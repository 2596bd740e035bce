"""Request and response bodies of the publish routes and of the administrators' list of sites."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from vibe.application.sites import ListedSite, Sites
from vibe.domain.sites import PublishedSite

__all__ = ["AdminSiteOut", "PublishIn", "PublishingOut", "SiteOut", "SitePage", "admin_site_out", "site_out"]

# Loose outer bounds only; the domain rules give the precise, friendly errors (422).
SlugIn = Annotated[str, Meta(max_length=200, examples=["bakery"])]
VersionIn = Annotated[int, Meta(ge=1, le=2**31 - 1, examples=[3])]


class PublishIn(msgspec.Struct):
    version: VersionIn | None = None
    slug: SlugIn | None = None


class PublishingOut(msgspec.Struct):
    """Whether this instance publishes sites, and under which domain (for the UI's slug editor)."""

    enabled: bool
    domain: str | None


class SiteOut(msgspec.Struct):
    url: str
    slug: str
    version: int
    published_at: datetime


class AdminSiteOut(msgspec.Struct):
    project_id: str
    owner_id: str
    owner_email: str | None
    url: str
    slug: str
    version: int
    published_at: datetime


class SitePage(msgspec.Struct):
    items: list[AdminSiteOut]
    total: int


def site_out(sites: Sites, site: PublishedSite) -> SiteOut:
    return SiteOut(url=sites.url(site), slug=site.slug, version=site.version, published_at=site.published_at)


def admin_site_out(sites: Sites, listed: ListedSite) -> AdminSiteOut:
    site = listed.site
    return AdminSiteOut(
        project_id=site.project_id,
        owner_id=site.owner_id,
        owner_email=listed.owner_email,
        url=sites.url(site),
        slug=site.slug,
        version=site.version,
        published_at=site.published_at,
    )
