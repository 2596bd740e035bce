"""Sites: publish a project's version at ``<slug>.<sites domain>``, move it, take it down, and what
serving it reads.

Who may do what: the owner publishes, republishes and unpublishes; anyone who may read the project
sees its state; an administrator lists every site and takes any down (abuse happens). Someone else's
private project does not exist here either (NotFoundError).

Serving reads the site's file table (paths, types, sizes, digests) through the read cache, keyed by
slug: no database query per request. Every change invalidates the slugs it touched, in every process
(the tiered cache tells the others through Redis), and once more a moment later: a load that read the
database just before the change committed must not leave the old table cached for a whole TTL.
"""

from __future__ import annotations

import asyncio

import msgspec

from vibe.application.read_cache import NoCache, ReadCache
from vibe.domain.errors import (
    ConflictError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
)
from vibe.domain.ports import Cache, Clock, Page, UnitOfWork, UnitOfWorkFactory
from vibe.domain.projects import Project, ProjectPath
from vibe.domain.sites import PublishedSite, SiteTable, Slug
from vibe.domain.users import User

__all__ = ["PUBLISHING_OFF", "ListedSite", "Sites"]

PUBLISHING_OFF = (
    "Publishing is off on this instance: its operator sets VIBE_SITES_DOMAIN (for example "
    "sites.example.com) to turn it on."
)
SECOND_INVALIDATION_SECONDS = 1.0
_FREE_SLUG_TRIES = 20
_encode = msgspec.msgpack.Encoder().encode
_decode_table = msgspec.msgpack.Decoder(SiteTable).decode


class ListedSite(msgspec.Struct, frozen=True, kw_only=True):
    """A site as administrators see it: with its owner's email (abuse reports name people)."""

    site: PublishedSite
    owner_email: str | None


class Sites:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        cache: Cache | None = None,
        *,
        domain: str | None = None,
        ttl_seconds: float = 30.0,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self.domain = domain
        self._tables: ReadCache[SiteTable] = ReadCache(
            cache or NoCache(), "site", _encode, _decode_table, ttl_seconds=ttl_seconds
        )
        self._later: set[asyncio.Task[None]] = set()

    @property
    def enabled(self) -> bool:
        return self.domain is not None

    def url(self, site: PublishedSite) -> str:
        """Where the site answers (http for a sites domain under ``localhost``, else https)."""
        host = (self.domain or "").rpartition(":")[0] or self.domain or ""
        local = host == "localhost" or host.endswith(".localhost")
        return site.url(self.domain or "", "http" if local else "https")

    # --- owners -----------------------------------------------------------------------------------

    async def publish(
        self, actor: User, project_id: str, *, version: int | None = None, slug: str | None = None
    ) -> PublishedSite:
        """Publish ``version`` (default: current) under ``slug`` (default: the site's own, else one
        read from the project's name and free on this instance); republishing moves the site."""
        if not self.enabled:
            raise InvalidStateError(PUBLISHING_OFF)
        wanted = Slug.parse(slug) if slug is not None else None
        async with self._uow() as uow:
            project = await _owned(uow, actor, project_id)
            if project.current_version == 0:
                raise InvalidStateError("This project has no version yet: generate it first.")
            number = project.check_version(version)
            before = await uow.sites.get(project.id)
            chosen = wanted or (before.slug if before else await _free_slug(uow, project))
            holder = await uow.sites.by_slug(chosen)
            if holder is not None and holder.project_id != project.id:
                raise ConflictError(f"The slug '{chosen}' is taken by another site; choose another.")
            site = PublishedSite(
                project_id=project.id,
                owner_id=project.owner_id,
                slug=chosen,
                version=number,
                published_at=self._clock.now(),
            )
            await uow.sites.put(site)
            await uow.commit()
        await self._forget(site.slug, before.slug if before else None)
        return site

    async def unpublish(self, actor: User, project_id: str) -> None:
        """Take the project's site down (the owner)."""
        async with self._uow() as uow:
            project = await _owned(uow, actor, project_id)
            await self._take_down(uow, project.id)

    async def state(self, actor: User | None, project_id: str) -> PublishedSite:
        """The project's site; NotFoundError when it is not published."""
        async with self._uow(readonly=True) as uow:
            project = await uow.projects.get(project_id)
            if project is None or not project.readable_by(actor.id if actor else None):
                raise NotFoundError("No such project.")
            site = await uow.sites.get(project.id)
        if site is None:
            raise NotFoundError("This project is not published.")
        return site

    # --- administrators ---------------------------------------------------------------------------

    async def all_sites(self, actor: User, limit: int, offset: int) -> Page[ListedSite]:
        """Every published site with its owner, most recently published first (administrators only)."""
        _admin(actor)
        async with self._uow(readonly=True) as uow:
            page = await uow.sites.page(limit, offset)
            owners = {site.owner_id: await uow.users.get(site.owner_id) for site in page.items}
        items = [
            ListedSite(site=s, owner_email=getattr(owners[s.owner_id], "email", None)) for s in page.items
        ]
        return Page(items=items, total=page.total)

    async def take_down(self, actor: User, project_id: str) -> None:
        """Take any site down (administrators only)."""
        _admin(actor)
        async with self._uow() as uow:
            await self._take_down(uow, project_id)

    async def _take_down(self, uow: UnitOfWork, project_id: str) -> None:
        site = await uow.sites.get(project_id)
        if site is None or not await uow.sites.delete(project_id):
            raise NotFoundError("This project is not published.")
        await uow.commit()
        await self._forget(site.slug)

    async def slug_of(self, project_id: str) -> str | None:
        """The slug of the project's site, if it has one (to forget it once the project is gone)."""
        async with self._uow(readonly=True) as uow:
            site = await uow.sites.get(project_id)
        return site.slug if site else None

    async def slugs_of_owner(self, owner_id: str) -> list[str]:
        """The slugs of every site of one user (to forget them once the user is gone)."""
        async with self._uow(readonly=True) as uow:
            return await uow.sites.slugs_of_owner(owner_id)

    async def forget(self, *slugs: str | None) -> None:
        """Stop serving what is cached for ``slug`` in every process (its project was deleted: the
        database dropped the site with it)."""
        await self._forget(*slugs)

    # --- serving ----------------------------------------------------------------------------------

    async def table(self, slug: str) -> SiteTable | None:
        """The file table of the site at ``slug``, from the read cache; None when there is none."""
        return await self._tables.get(slug, lambda: self._load_table(slug))

    async def _load_table(self, slug: str) -> SiteTable | None:
        async with self._uow(readonly=True) as uow:
            site = await uow.sites.by_slug(slug)
            if site is None:
                return None
            files = await uow.projects.files(site.project_id, site.version)
        return SiteTable(
            project_id=site.project_id,
            slug=site.slug,
            version=site.version,
            files={entry.path: entry for entry in files},
        )

    async def content(self, table: SiteTable, path: str) -> bytes | None:
        """The bytes of one file of the table's version (contents never change: callers keep them)."""
        async with self._uow(readonly=True) as uow:
            found = await uow.projects.read_file(table.project_id, table.version, ProjectPath.parse(path))
        return found[1] if found else None

    async def _forget(self, *slugs: str | None) -> None:
        keys = [slug for slug in dict.fromkeys(slugs) if slug]
        for key in keys:
            await self._tables.invalidate(key)
        task = asyncio.create_task(self._forget_again(keys))
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def _forget_again(self, keys: list[str]) -> None:
        await asyncio.sleep(SECOND_INVALIDATION_SECONDS)
        for key in keys:
            await self._tables.invalidate(key)


async def _owned(uow: UnitOfWork, actor: User, project_id: str) -> Project:
    project = await uow.projects.get(project_id)
    if project is None or not project.readable_by(actor.id):
        raise NotFoundError("No such project.")
    if project.owner_id != actor.id:
        raise PermissionDeniedError("Only the owner may publish this project.")
    return project


async def _free_slug(uow: UnitOfWork, project: Project) -> str:
    """A slug read from the project's name that no other site holds."""
    fallback = f"site-{project.id[-8:].lower()}"
    base = Slug.from_name(project.name, fallback)
    for n in range(1, _FREE_SLUG_TRIES + 1):
        candidate = base if n == 1 else Slug.numbered(base, n)
        holder = await uow.sites.by_slug(candidate)
        if holder is None or holder.project_id == project.id:
            return candidate
    return Slug.numbered(base, int(project.id[-6:].lower(), 36))


def _admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDeniedError("Only administrators may manage every site.")
