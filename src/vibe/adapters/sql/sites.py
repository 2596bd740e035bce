"""Published sites in SQL: one row per project, the slug unique across the instance.

Republishing is one ``UPDATE`` of the project's row (slug, version and time together), so a reader
sees the old site or the new one, never a mix; a slug another project holds breaks the unique key and
becomes ConflictError by its name.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from vibe.adapters.sql.errors import translate
from vibe.adapters.sql.tables import published_sites
from vibe.domain.ports import Page, SiteRepository
from vibe.domain.sites import PublishedSite

__all__ = ["SqlSiteRepository"]

SLUG_TAKEN = "This slug is taken by another site; choose another."
_CONFLICTS = {"uq_published_sites_slug": SLUG_TAKEN, "pk_published_sites": SLUG_TAKEN}


def _site(row: RowMapping) -> PublishedSite:
    return PublishedSite(
        project_id=row["project_id"],
        owner_id=row["owner_id"],
        slug=row["slug"],
        version=row["version"],
        published_at=row["published_at"],
    )


class SqlSiteRepository(SiteRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def _one(self, *where: object) -> PublishedSite | None:
        row = (await self._c.execute(select(published_sites).where(*where))).mappings().first()  # type: ignore[arg-type]
        return _site(row) if row else None

    async def get(self, project_id: str) -> PublishedSite | None:
        return await self._one(published_sites.c.project_id == project_id)

    async def by_slug(self, slug: str) -> PublishedSite | None:
        return await self._one(published_sites.c.slug == slug)

    async def slugs_of_owner(self, owner_id: str) -> list[str]:
        query = select(published_sites.c.slug).where(published_sites.c.owner_id == owner_id)
        return list((await self._c.execute(query)).scalars().all())

    async def put(self, site: PublishedSite) -> None:
        values = {"slug": site.slug, "version": site.version, "published_at": site.published_at}
        try:
            moved = await self._c.execute(
                update(published_sites).where(published_sites.c.project_id == site.project_id).values(values)
            )
            if not moved.rowcount:
                await self._c.execute(
                    insert(published_sites).values(
                        project_id=site.project_id, owner_id=site.owner_id, **values
                    )
                )
        except IntegrityError as error:
            raise translate(error, _CONFLICTS) from error

    async def delete(self, project_id: str) -> bool:
        result = await self._c.execute(
            delete(published_sites).where(published_sites.c.project_id == project_id)
        )
        return bool(result.rowcount)

    async def page(self, limit: int, offset: int) -> Page[PublishedSite]:
        total = (await self._c.execute(select(func.count()).select_from(published_sites))).scalar_one()
        query = (
            select(published_sites)
            .order_by(published_sites.c.published_at.desc(), published_sites.c.project_id)
            .limit(limit)
            .offset(offset)
        )
        rows = (await self._c.execute(query)).mappings().all()
        return Page(items=[_site(row) for row in rows], total=total)
