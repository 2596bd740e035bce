"""Publishing (``/api/v1/projects/{id}/publish``) and the administrators' sites
(``/api/v1/admin/sites``). Handlers stay thin; the rules live in the ``Sites`` service."""

from __future__ import annotations

from litestar import Router, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from vibe.entrypoints.http.deps import Limit, Me, Offset, Reader, SitesDep, current_reader, principal
from vibe.entrypoints.http.openapi import BEARER, OPTIONAL_BEARER, problems
from vibe.entrypoints.http.site_schemas import (
    PublishIn,
    PublishingOut,
    SiteOut,
    SitePage,
    admin_site_out,
    site_out,
)

__all__ = ["router"]


@get(
    "/publishing",
    summary="Whether this instance publishes sites, and under which domain",
    responses=problems(),
)
async def publishing(sites: SitesDep) -> PublishingOut:
    return PublishingOut(enabled=sites.enabled, domain=sites.domain)


@post(
    "/projects/{project_id:str}/publish",
    status_code=200,
    summary="Publish a version (default: current) at <slug>.<sites domain>; again: move the site",
    responses=problems(401, 403, 404, 409, 413, 422),
    security=BEARER,
)
async def publish(
    project_id: FromPath[str], sites: SitesDep, principal: Me, data: JSONBody[PublishIn | None] = None
) -> SiteOut:
    wanted = data or PublishIn()
    site = await sites.publish(principal.user, project_id, version=wanted.version, slug=wanted.slug)
    return site_out(sites, site)


@get(
    "/projects/{project_id:str}/publish",
    summary="The project's published site; 404 when it is not published",
    responses=problems(401, 404),
    security=OPTIONAL_BEARER,
)
async def published(project_id: FromPath[str], sites: SitesDep, reader: Reader) -> SiteOut:
    return site_out(sites, await sites.state(reader, project_id))


@delete(
    "/projects/{project_id:str}/publish",
    status_code=204,
    summary="Take the project's site down",
    responses=problems(401, 403, 404),
    security=BEARER,
)
async def unpublish(project_id: FromPath[str], sites: SitesDep, principal: Me) -> None:
    await sites.unpublish(principal.user, project_id)


@get(
    "/admin/sites",
    summary="Every published site, most recently published first (administrators only)",
    responses=problems(401, 403, 422),
    security=BEARER,
)
async def list_sites(sites: SitesDep, principal: Me, limit: Limit = 50, offset: Offset = 0) -> SitePage:
    page = await sites.all_sites(principal.user, limit, offset)
    return SitePage(items=[admin_site_out(sites, s) for s in page.items], total=page.total)


@delete(
    "/admin/sites/{project_id:str}",
    status_code=204,
    summary="Take any site down (administrators only)",
    responses=problems(401, 403, 404),
    security=BEARER,
)
async def take_down(project_id: FromPath[str], sites: SitesDep, principal: Me) -> None:
    await sites.take_down(principal.user, project_id)


router = Router(
    path="/api/v1",
    route_handlers=[publishing, publish, published, unpublish, list_sites, take_down],
    dependencies={"principal": Provide(principal), "reader": Provide(current_reader)},
    tags=["sites"],
)
