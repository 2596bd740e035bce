"""Cookie sign-in for the web UI (docs/api.md: the web UI uses cookies instead of a bearer token):
signing in, refreshing and signing out with HttpOnly cookies, and the rule that a state-changing call
carried by a cookie must come from the app's own origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from http.cookiejar import DefaultCookiePolicy
from http.cookies import SimpleCookie
from typing import Any, cast

import httpx
import pytest
from litestar import Litestar

from tests.accounts_http import PASSWORD, signed_up
from tests.conftest import JWT_SECRET, http_client
from tests.problems import assert_problem
from vibe.config import Settings

Client = httpx.AsyncClient
SELF = "http://testserver.local"
ELSEWHERE = "https://evil.example"


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    # The test client's peer (203.0.113.7) is a trusted proxy here, to test X-Forwarded-Proto.
    return Settings(database_url=sqlite_url, jwt_secret=JWT_SECRET, trusted_proxies=("203.0.113.0/24",))


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[Client]:
    """A client that keeps no cookies: each test sends exactly the ones it names."""
    async with http_client(app) as test_client:
        test_client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        yield test_client


def set_cookies(response: httpx.Response) -> dict[str, dict[str, str | bool]]:
    """Each Set-Cookie of ``response`` as {name: {"value": ..., attribute: value}}."""
    found: dict[str, dict[str, str | bool]] = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            attributes: dict[str, str | bool] = {k: v for k, v in morsel.items() if v}
            found[name] = {"value": morsel.value, **attributes}
    return found


async def start(client: Client, email: str = "ada@example.com", **headers: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/session", json={"email": email, "password": PASSWORD}, headers=headers
    )


def cookie_header(cookies: dict[str, dict[str, str | bool]], *names: str) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={cookies[name]['value']}" for name in names)}


async def test_signing_in_sets_two_httponly_cookies_and_returns_the_user(client: Client) -> None:
    ada = await signed_up(client, "ada@example.com")
    response = await start(client, Origin=SELF)
    assert response.status_code == 200
    assert set(response.json()) == set(ada["user"])
    assert (response.json()["id"], response.json()["email"]) == (ada["user"]["id"], "ada@example.com")
    cookies = set_cookies(response)
    access, refresh = cookies["vibe_access"], cookies["vibe_refresh"]
    assert access["httponly"] is True
    assert str(access["samesite"]).lower() == "lax"
    assert (access["path"], access["max-age"]) == ("/", "900")
    assert "secure" not in access
    assert refresh["httponly"] is True
    assert str(refresh["samesite"]).lower() == "strict"
    assert (refresh["path"], refresh["max-age"]) == ("/api/v1/auth/session", str(30 * 24 * 3600))
    assert "secure" not in refresh
    me = await client.get("/api/v1/users/me", headers=cookie_header(cookies, "vibe_access"))
    assert me.json()["id"] == ada["user"]["id"]


async def test_cookies_are_secure_over_https(app: Litestar, client: Client) -> None:
    await signed_up(client, "ada@example.com")
    transport = httpx.ASGITransport(app=cast("Any", app), client=("198.51.100.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as https:
        cookies = set_cookies(await start(https))
    assert cookies["vibe_access"]["secure"] is True
    assert cookies["vibe_refresh"]["secure"] is True


async def test_a_trusted_proxy_may_say_the_request_was_https(app: Litestar, client: Client) -> None:
    await signed_up(client, "ada@example.com")
    proxied = set_cookies(await start(client, **{"X-Forwarded-Proto": "https"}))
    assert proxied["vibe_access"]["secure"] is True
    transport = httpx.ASGITransport(
        app=cast("Any", app), client=("198.51.100.9", 40000)
    )  # not a trusted proxy
    async with httpx.AsyncClient(transport=transport, base_url=SELF) as direct:
        untrusted = set_cookies(await start(direct, **{"X-Forwarded-Proto": "https"}))
    assert "secure" not in untrusted["vibe_access"]


async def test_wrong_credentials_set_no_cookie_and_are_throttled_like_the_api(client: Client) -> None:
    await signed_up(client, "ada@example.com")
    for _ in range(10):
        failed = await client.post(
            "/api/v1/auth/session", json={"email": "ada@example.com", "password": "wrong one"}
        )
        assert_problem(failed, 401)
        assert "set-cookie" not in failed.headers
    assert_problem(await start(client), 429)
    assert_problem(
        await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}), 429
    )


async def test_signing_in_from_another_site_is_refused(client: Client) -> None:
    await signed_up(client, "ada@example.com")
    assert_problem(await start(client, Origin=ELSEWHERE), 403)
    assert_problem(await start(client, **{"Sec-Fetch-Site": "cross-site"}), 403)
    assert (await start(client, **{"Sec-Fetch-Site": "same-origin"})).status_code == 200


async def test_refresh_rotates_both_cookies_and_a_reused_one_is_401_and_cleared(client: Client) -> None:
    await signed_up(client, "ada@example.com")
    first = set_cookies(await start(client))
    rotated = await client.post(
        "/api/v1/auth/session/refresh", headers=cookie_header(first, "vibe_refresh") | {"Origin": SELF}
    )
    assert rotated.status_code == 200
    second = set_cookies(rotated)
    assert second["vibe_access"]["value"] != first["vibe_access"]["value"]
    assert second["vibe_refresh"]["value"] != first["vibe_refresh"]["value"]
    assert (await client.get("/api/v1/users/me", headers=cookie_header(second, "vibe_access"))).is_success

    reused = await client.post(
        "/api/v1/auth/session/refresh", headers=cookie_header(first, "vibe_refresh") | {"Origin": SELF}
    )
    assert_problem(reused, 401)
    cleared = set_cookies(reused)
    assert cleared["vibe_access"]["value"] == cleared["vibe_refresh"]["value"] == ""
    assert cleared["vibe_access"]["max-age"] == cleared["vibe_refresh"]["max-age"] == "0"
    assert cleared["vibe_refresh"]["path"] == "/api/v1/auth/session"
    assert_problem(await client.get("/api/v1/users/me", headers=cookie_header(second, "vibe_access")), 401)


async def test_refresh_needs_the_cookie_and_our_origin(client: Client) -> None:
    await signed_up(client, "ada@example.com")
    cookies = set_cookies(await start(client))
    missing = await client.post("/api/v1/auth/session/refresh", headers={"Origin": SELF})
    assert_problem(missing, 401)
    assert set(set_cookies(missing)) == {"vibe_access", "vibe_refresh"}
    for origin in ({"Origin": ELSEWHERE}, {"Origin": "null"}, {}):
        refused = await client.post(
            "/api/v1/auth/session/refresh", headers=cookie_header(cookies, "vibe_refresh") | origin
        )
        assert_problem(refused, 403)


async def test_signing_out_ends_the_login_and_clears_the_cookies(client: Client) -> None:
    await signed_up(client, "ada@example.com")
    cookies = set_cookies(await start(client))
    both = cookie_header(cookies, "vibe_access", "vibe_refresh")
    assert_problem(await client.delete("/api/v1/auth/session", headers=both | {"Origin": ELSEWHERE}), 403)
    ended = await client.delete("/api/v1/auth/session", headers=both | {"Origin": SELF})
    assert ended.status_code == 204
    assert {c["value"] for c in set_cookies(ended).values()} == {""}
    assert_problem(await client.get("/api/v1/users/me", headers=cookie_header(cookies, "vibe_access")), 401)
    refreshed = await client.post("/api/v1/auth/session/refresh", headers=both | {"Origin": SELF})
    assert_problem(refreshed, 401)
    again = await client.delete("/api/v1/auth/session", headers={"Origin": SELF})
    assert again.status_code == 204


async def test_signing_out_with_an_expired_access_cookie_still_ends_the_login(client: Client) -> None:
    await signed_up(client, "ada@example.com")
    cookies = set_cookies(await start(client))
    stale = {
        "Cookie": f"vibe_access=expired; vibe_refresh={cookies['vibe_refresh']['value']}",
        "Origin": SELF,
    }
    assert (await client.delete("/api/v1/auth/session", headers=stale)).status_code == 204
    assert_problem(await client.get("/api/v1/users/me", headers=cookie_header(cookies, "vibe_access")), 401)


# --- the same-origin rule on every state-changing call that comes by cookie ------------------------------


async def test_a_cookie_post_from_another_origin_is_403_and_from_ours_is_allowed(client: Client) -> None:
    await signed_up(client, "ada@example.com")
    auth = cookie_header(set_cookies(await start(client)), "vibe_access")
    body = {"name": "Site"}
    for foreign in ({"Origin": ELSEWHERE}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}, {}):
        assert_problem(await client.post("/api/v1/projects", json=body, headers=auth | foreign), 403)
    assert (await client.get("/api/v1/projects", headers=auth)).json()["total"] == 0
    for ours in ({"Origin": SELF}, {"Sec-Fetch-Site": "same-origin"}):
        assert (await client.post("/api/v1/projects", json=body, headers=auth | ours)).status_code == 201


async def test_cookie_writes_to_a_project_need_our_origin(client: Client) -> None:
    await signed_up(client, "ada@example.com")
    auth = cookie_header(set_cookies(await start(client)), "vibe_access")
    made = await client.post("/api/v1/projects", json={"name": "Site"}, headers=auth | {"Origin": SELF})
    url = f"/api/v1/projects/{made.json()['id']}"
    foreign = auth | {"Origin": ELSEWHERE}
    assert_problem(await client.patch(url, json={"visibility": "public"}, headers=foreign), 403)
    assert_problem(await client.delete(url, headers=foreign), 403)
    assert_problem(await client.post(f"{url}/preview-link", headers=foreign), 403)
    assert (await client.get(url, headers=foreign)).status_code == 200  # reading is not a change
    assert (await client.delete(url, headers=auth | {"Origin": SELF})).status_code == 204


async def test_a_bearer_token_is_not_ambient_so_any_origin_may_use_it(client: Client) -> None:
    ada = await signed_up(client, "ada@example.com")
    made = await client.post(
        "/api/v1/projects", json={"name": "x"}, headers=ada["headers"] | {"Origin": ELSEWHERE}
    )
    assert made.status_code == 201
