"""The in-memory twin of the SQL published-sites table (a part of ``InMemoryDatabase``)."""

from __future__ import annotations

from vibe.domain.errors import ConflictError
from vibe.domain.ports import Page, SiteRepository
from vibe.domain.sites import PublishedSite

__all__ = ["InMemorySites"]


class InMemorySites(SiteRepository):
    """Sites over one unit of work's table (a dict of its state, by project id)."""

    def __init__(self, sites: dict[str, PublishedSite]) -> None:
        self._sites = sites

    async def get(self, project_id: str) -> PublishedSite | None:
        return self._sites.get(project_id)

    async def by_slug(self, slug: str) -> PublishedSite | None:
        return next((s for s in self._sites.values() if s.slug == slug), None)

    async def slugs_of_owner(self, owner_id: str) -> list[str]:
        return [s.slug for s in self._sites.values() if s.owner_id == owner_id]

    async def put(self, site: PublishedSite) -> None:
        holder = await self.by_slug(site.slug)
        if holder is not None and holder.project_id != site.project_id:
            raise ConflictError("This slug is taken by another site; choose another.")
        current = self._sites.get(site.project_id)
        owner = current.owner_id if current is not None else site.owner_id
        self._sites[site.project_id] = PublishedSite(
            project_id=site.project_id,
            owner_id=owner,
            slug=site.slug,
            version=site.version,
            published_at=site.published_at,
        )

    async def delete(self, project_id: str) -> bool:
        return self._sites.pop(project_id, None) is not None

    async def page(self, limit: int, offset: int) -> Page[PublishedSite]:
        ordered = sorted(self._sites.values(), key=lambda s: (-s.published_at.timestamp(), s.project_id))
        return Page(items=ordered[offset : offset + limit], total=len(ordered))
