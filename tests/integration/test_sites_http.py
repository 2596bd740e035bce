"""Publishing over HTTP and serving by Host: the routes, the files, caching, and isolation from the
app (no cookie, no API, no app route on a site host; no CORS grant to a site's origin)."""

from __future__ import annotations

import msgspec
import pytest

from tests.accounts_http import Client, admin, signed_up
from tests.conftest import CLUSTER, JWT_SECRET
from tests.sites_http import (
    DOMAIN,
    SITE_FILES,
    eventually_served,
    on_site,
    project_with_versions,
    publish,
)
from vibe.config import Settings
from vibe.entrypoints.http.site_server import CSP

pytestmark = pytest.mark.cluster


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return Settings(
        database_url=sqlite_url,
        jwt_secret=JWT_SECRET,
        offline_pace_seconds=0,
        sites_domain=DOMAIN,
        cors_origins=("https://vibe.example.com",),
    )


async def test_publish_serves_the_current_version_at_its_slug(client: Client, vibe) -> None:  # type: ignore[no-untyped-def]
    ada = await signed_up(client, "ada@example.com")
    project_id = await project_with_versions(client, vibe, ada)
    response = await publish(client, ada, project_id)
    assert response.status_code == 200, response.text
    site = response.json()
    assert set(site) == {"url", "slug", "version", "published_at"}
    assert (site["url"], site["slug"], site["version"]) == (f"https://the-bakery.{DOMAIN}/", "the-bakery", 2)
    state = await client.get(f"/api/v1/projects/{project_id}/publish", headers=ada["headers"])
    assert state.json() == site
    page = await on_site(client, "the-bakery")
    assert page.status_code == 200
    assert "Bread v2" in page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "set-cookie" not in page.headers


async def test_republish_moves_and_unpublish_takes_down(client: Client, vibe) -> None:  # type: ignore[no-untyped-def]
    ada = await signed_up(client, "ada@example.com")
    project_id = await project_with_versions(client, vibe, ada, versions=3)
    assert (await publish(client, ada, project_id, version=1)).json()["version"] == 1
    await eventually_served(client, "the-bakery", "Bread v1")
    moved = await publish(client, ada, project_id, version=3, slug="bread")
    assert (moved.json()["slug"], moved.json()["version"]) == ("bread", 3)
    await eventually_served(client, "bread", "Bread v3")
    await eventually_served(client, "the-bakery", None)
    gone = await client.delete(f"/api/v1/projects/{project_id}/publish", headers=ada["headers"])
    assert gone.status_code == 204
    await eventually_served(client, "bread", None)
    state = await client.get(f"/api/v1/projects/{project_id}/publish", headers=ada["headers"])
    assert state.status_code == 404
    assert state.headers["content-type"] == "application/problem+json"


async def test_slug_rules_and_access(client: Client, vibe) -> None:  # type: ignore[no-untyped-def]
    ada, bob = await signed_up(client, "ada@example.com"), await signed_up(client, "bob@example.com")
    mine, theirs = (
        await project_with_versions(client, vibe, ada),
        await project_with_versions(client, vibe, bob),
    )
    for bad in ["www", "api", "admin", "ab", "Bakery", "-bad", "a" * 64, "bad_slug"]:
        refused = await publish(client, ada, mine, slug=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
    assert (await publish(client, ada, mine, slug="bakery")).status_code == 200
    taken = await publish(client, bob, theirs, slug="bakery")
    assert taken.status_code == 409
    assert (await publish(client, bob, mine)).status_code == 404  # someone else's private project
    assert (
        await client.delete(f"/api/v1/projects/{mine}/publish", headers=bob["headers"])
    ).status_code == 404
    assert (await client.get(f"/api/v1/projects/{mine}/publish")).status_code == 404
    assert (await publish(client, ada, mine, version=99)).status_code == 404
    for body in ({"version": 0}, {"version": "x"}, {"slug": 5}):
        assert (await publish(client, ada, mine, **body)).status_code in (400, 422)
    anonymous = await client.post(f"/api/v1/projects/{mine}/publish", json={})
    assert anonymous.status_code == 401
    empty = await client.post("/api/v1/projects", json={"name": "Empty"}, headers=ada["headers"])
    assert (await publish(client, ada, empty.json()["id"])).status_code == 409


async def test_admins_list_and_take_down_any_site(client: Client, vibe) -> None:  # type: ignore[no-untyped-def]
    ada = await signed_up(client, "ada@example.com")
    root = await admin(client, vibe)
    project_id = await project_with_versions(client, vibe, ada)
    await publish(client, ada, project_id)
    assert (await client.get("/api/v1/admin/sites", headers=ada["headers"])).status_code == 403
    listed = await client.get("/api/v1/admin/sites", headers=root["headers"])
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 1
    assert body["items"][0]["slug"] == "the-bakery"
    assert body["items"][0]["owner_id"] == ada["user"]["id"]
    forbidden = await client.delete(f"/api/v1/admin/sites/{project_id}", headers=ada["headers"])
    assert forbidden.status_code == 403
    taken = await client.delete(f"/api/v1/admin/sites/{project_id}", headers=root["headers"])
    assert taken.status_code == 204
    await eventually_served(client, "the-bakery", None)


async def test_files_types_etags_and_caching(client: Client, vibe) -> None:  # type: ignore[no-untyped-def]
    ada = await signed_up(client, "ada@example.com")
    project_id = await project_with_versions(client, vibe, ada)
    await publish(client, ada, project_id, slug="bakery")
    index = await on_site(client, "bakery", "/index.html")
    assert index.headers["cache-control"] == "public, max-age=60, must-revalidate"
    assert index.headers["content-security-policy"] == CSP.decode()
    assert index.headers["x-content-type-options"] == "nosniff"
    assert index.headers["content-encoding"] == "gzip"  # large enough, and the client accepts it
    etag = index.headers["etag"]
    again = await on_site(client, "bakery", "/", **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert (await on_site(client, "bakery", "/", **{"If-None-Match": f'W/{etag}, "x"'})).status_code == 304
    css = await on_site(client, "bakery", "/style.css")
    assert (css.status_code, css.text) == (200, SITE_FILES["style.css"])
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    hashed = await on_site(client, "bakery", "/app.3f9a1c2b.js")
    assert hashed.headers["content-type"] == "text/javascript; charset=utf-8"
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    cached = await on_site(client, "bakery", "/app.3f9a1c2b.js", **{"If-None-Match": hashed.headers["etag"]})
    assert cached.status_code == 304
    assert (await on_site(client, "bakery", "/about/")).text == SITE_FILES["about/index.html"]
    redirect = await on_site(client, "bakery", "/about")
    assert (redirect.status_code, redirect.headers["location"]) == (308, "/about/")
    assert (await on_site(client, "bakery", "/menu")).text == SITE_FILES["menu.html"]
    head = await client.head("/style.css", headers={"Host": f"bakery.{DOMAIN}"})
    assert (head.status_code, head.content) == (200, b"")
    for path in ["/nope.html", "/%2e%2e/x", "/a\\b.css", "/x.exe"]:
        missing = await on_site(client, "bakery", path)
        assert missing.status_code == 404, path
        assert missing.headers["content-security-policy"] == CSP.decode()


async def test_a_custom_404_page(client: Client, vibe) -> None:  # type: ignore[no-untyped-def]
    ada = await signed_up(client, "ada@example.com")
    project_id = await project_with_versions(client, vibe, ada)
    await vibe.projects.commit(project_id, SITE_FILES | {"404.html": "<h1>Lost?</h1>"}, "with a 404")
    await publish(client, ada, project_id, slug="bakery")
    missing = await on_site(client, "bakery", "/nowhere")
    assert (missing.status_code, missing.text) == (404, "<h1>Lost?</h1>")


async def test_a_site_host_reaches_nothing_of_the_app(client: Client, vibe) -> None:  # type: ignore[no-untyped-def]
    ada = await signed_up(client, "ada@example.com")
    project_id = await project_with_versions(client, vibe, ada)
    await publish(client, ada, project_id, slug="bakery")
    for path in [
        "/api/v1/users/me",
        "/ping",
        "/healthz",
        "/metrics",
        "/preview/x",
        "/app.js",
        "/static/app.css",
    ]:
        response = await on_site(client, "bakery", path, Authorization=ada["headers"]["Authorization"])
        assert response.status_code == 404, path
        assert "set-cookie" not in response.headers
        assert "access-control-allow-origin" not in response.headers
    login = await client.post(
        "/api/v1/auth/login",
        json={"email": "ada@example.com", "password": "correct horse battery"},
        headers={"Host": f"bakery.{DOMAIN}"},
    )
    assert login.status_code == 405
    assert "set-cookie" not in login.headers
    # The app's API grants nothing to a site's origin, simple or preflight.
    origin = {"Origin": f"https://bakery.{DOMAIN}"}
    me = await client.get("/api/v1/users/me", headers=ada["headers"] | origin)
    assert "access-control-allow-origin" not in me.headers
    preflight = await client.options(
        "/api/v1/users/me", headers=origin | {"Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    if CLUSTER:  # the deployment lists no CORS origin
        return
    granted = await client.get("/ping", headers={"Origin": "https://vibe.example.com"})
    assert granted.headers["access-control-allow-origin"] == "https://vibe.example.com"


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("BAKERY.SITES.EXAMPLE.COM", 200),
        ("bakery.sites.example.com:8443", 200),
        ("bakery.sites.example.com.", 200),
        ("sites.example.com", 404),
        ("www.sites.example.com", 404),
        ("deep.bakery.sites.example.com", 404),
        ("bak_ery.sites.example.com", 404),
        ("unknown.sites.example.com", 404),
        ("bakery.sites.example.com:99999", 200),
        ("bakery.sites.example.com.evil.net", None),
        ("evil.net", None),
    ],
)
async def test_hostile_host_headers(client: Client, vibe, host: str, status: int | None) -> None:  # type: ignore[no-untyped-def]
    ada = await signed_up(client, "ada@example.com")
    await publish(client, ada, await project_with_versions(client, vibe, ada), slug="bakery")
    site = await client.get("/", headers={"Host": host})
    if status is None:  # not a site: the app answers (its web UI)
        assert (
            "content-security-policy" not in site.headers
            or site.headers["content-security-policy"] != CSP.decode()
        )
        assert (await client.get("/ping", headers={"Host": host})).json() == {"message": "pong"}
    else:
        assert site.status_code == status
        assert site.headers["content-security-policy"] == CSP.decode()
        assert (await client.get("/ping", headers={"Host": host})).status_code == 404


async def test_garbage_host_bytes_never_reach_a_500(client: Client) -> None:
    for host in [
        b"\xff\xfe.sites.example.com",
        b"..sites.example.com",
        b":",
    ]:
        response = await client.get("/ping", headers=[(b"host", host)])
        assert response.status_code < 500


async def test_publishing_off_is_a_clear_problem(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import http_client
    from vibe.bootstrap import connect
    from vibe.entrypoints.http.app import create_app
    from vibe.testing.fakes import FastHasher

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'off.db'}", jwt_secret=JWT_SECRET)
    async with (
        connect(settings, migrate=True, hasher=FastHasher()) as vibe,
        http_client(create_app(vibe)) as client,
    ):
        ada = await signed_up(client, "ada@example.com")
        project_id = await project_with_versions(client, vibe, ada)
        refused = await publish(client, ada, project_id)
        assert refused.status_code == 409
        assert "VIBE_SITES_DOMAIN" in msgspec.json.decode(refused.content)["detail"]
        site = await client.get("/", headers={"Host": f"bakery.{DOMAIN}"})
        assert (
            "content-security-policy" not in site.headers
            or "frame-ancestors 'self'" not in site.headers["content-security-policy"]
        )


async def test_a_deleted_project_is_no_longer_served(client: Client, vibe) -> None:  # type: ignore[no-untyped-def]
    ada = await signed_up(client, "ada@example.com")
    project_id = await project_with_versions(client, vibe, ada)
    await publish(client, ada, project_id, slug="bakery")
    assert (await on_site(client, "bakery")).status_code == 200  # its table is cached now
    deleted = await client.delete(f"/api/v1/projects/{project_id}", headers=ada["headers"])
    assert deleted.status_code == 204
    await eventually_served(client, "bakery", None)


async def test_a_deleted_users_sites_are_no_longer_served(client: Client, vibe) -> None:  # type: ignore[no-untyped-def]
    ada = await signed_up(client, "ada@example.com")
    root = await admin(client, vibe)
    await publish(client, ada, await project_with_versions(client, vibe, ada), slug="bakery")
    await publish(client, ada, await project_with_versions(client, vibe, ada, name="Shop"), slug="shop")
    for slug in ("bakery", "shop"):
        assert (await on_site(client, slug)).status_code == 200  # their tables are cached now
    stranger = await signed_up(client, "eve@example.com")
    refused = await client.delete(f"/api/v1/users/{ada['user']['id']}", headers=stranger["headers"])
    assert refused.status_code == 404
    assert (await on_site(client, "bakery")).status_code == 200
    deleted = await client.delete(f"/api/v1/users/{ada['user']['id']}", headers=root["headers"])
    assert deleted.status_code == 204
    for slug in ("bakery", "shop"):
        await eventually_served(client, slug, None)
