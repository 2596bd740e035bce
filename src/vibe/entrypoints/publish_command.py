"""``vibe publish PROJECT_ID [--slug S] [--version N]``: publish (or move, or take down) a project's
site from the shell, acting as the project's owner (whoever runs it holds the database anyway)."""

from __future__ import annotations

from vibe.bootstrap import connect
from vibe.config import Settings

__all__ = ["run_publish"]


async def run_publish(
    settings: Settings, project_id: str, slug: str | None, version: int | None, unpublish: bool = False
) -> str:
    async with connect(settings, migrate=settings.is_sqlite) as app:
        snapshot = await app.projects.owner_snapshot(project_id)
        owner = await app.accounts.owner_of(snapshot.project.owner_id)
        if unpublish:
            await app.sites.unpublish(owner, project_id)
            return f"took down the site of {snapshot.project.name!r}"
        site = await app.sites.publish(owner, project_id, version=version, slug=slug)
        return f"published version {site.version} of {snapshot.project.name!r} at {app.sites.url(site)}"
