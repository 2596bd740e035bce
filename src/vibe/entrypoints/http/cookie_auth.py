"""Cookie sign-in for the web UI: sign in, refresh and sign out with HttpOnly cookies.

``vibe_access`` (HttpOnly, SameSite=Lax, Path=/, 15 minutes) is accepted by the API and the preview in
place of a bearer token; ``vibe_refresh`` (HttpOnly, SameSite=Strict, 30 days) is only ever sent to
these routes. Both are Secure when the request came over https (directly, or through a trusted proxy
that says so). The calls that use the cookies must come from the app's own origin; signing in is
refused when the browser says it comes from another site, so no page can sign a visitor into an
account of its choosing. Sign-in is throttled exactly like ``POST /auth/login``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar import Request, Response, Router, delete, post
from litestar.datastructures import Cookie
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody

from vibe.config import Settings
from vibe.domain.auth import ACCESS_TOKEN_TTL, FAMILY_TTL, Principal, TokenPair
from vibe.domain.errors import AuthenticationError, PermissionDeniedError
from vibe.entrypoints.http.deps import (
    ACCESS_COOKIE,
    REFRESH_COOKIE,
    AccountsDep,
    Client,
    SettingsDep,
    same_origin,
)
from vibe.entrypoints.http.openapi import problems
from vibe.entrypoints.http.problems import problem_response
from vibe.entrypoints.http.schemas import LoginIn, UserOut, user_out

__all__ = ["router"]

REFRESH_PATH = "/api/v1/auth/session"
AnyRequest = Request[Any, Any, Any]


def _over_https(request: AnyRequest, settings: Settings) -> bool:
    if request.url.scheme == "https":
        return True
    trusted = settings.trusted_networks()
    try:
        peer = ipaddress.ip_address(request.client.host if request.client else "")
    except ValueError:
        return False
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
    return forwarded == "https" and any(peer in network for network in trusted)


def _cookies(request: AnyRequest, settings: Settings, pair: TokenPair | None) -> list[Cookie]:
    """The two session cookies, or (``pair`` None) the instructions to forget them."""
    secure = _over_https(request, settings)
    access_age = int(ACCESS_TOKEN_TTL.total_seconds()) if pair else 0
    refresh_age = int(FAMILY_TTL.total_seconds()) if pair else 0
    return [
        Cookie(
            key=ACCESS_COOKIE,
            value=pair.access_token if pair else "",
            max_age=access_age,
            path="/",
            secure=secure,
            httponly=True,
            samesite="lax",
        ),
        Cookie(
            key=REFRESH_COOKIE,
            value=pair.refresh_token if pair else "",
            max_age=refresh_age,
            path=REFRESH_PATH,
            secure=secure,
            httponly=True,
            samesite="strict",
        ),
    ]


def _check_origin(request: AnyRequest, *, strict: bool) -> None:
    """Strict: the request must show it comes from our origin. Otherwise refuse only a request the
    browser marks as coming from elsewhere (clients that are not browsers send neither header)."""
    signals = "origin" in request.headers or "sec-fetch-site" in request.headers
    if (strict or signals) and not same_origin(request):
        raise PermissionDeniedError("Cross-site request refused.")


def _started(
    request: AnyRequest, settings: Settings, pair: TokenPair, principal: Principal
) -> Response[UserOut]:
    return Response(user_out(principal.user), cookies=_cookies(request, settings, pair))


@post(
    "/auth/session",
    status_code=200,
    summary="Sign in with cookies (web UI)",
    responses=problems(401, 403, 413, 422, 429),
)
async def sign_in_session(
    data: JSONBody[LoginIn], accounts: AccountsDep, settings: SettingsDep, client: Client, request: AnyRequest
) -> Response[UserOut]:
    _check_origin(request, strict=False)
    pair = await accounts.login(data.email, data.password, client=client)
    return _started(request, settings, pair, await accounts.authenticate(pair.access_token))


@post(
    "/auth/session/refresh",
    status_code=200,
    summary="Rotate the session cookies",
    responses={200: ResponseSpec(UserOut, description="Signed in again"), **problems(401, 403)},
)
async def refresh_sign_in_session(
    accounts: AccountsDep, settings: SettingsDep, request: AnyRequest
) -> Response[Any]:
    _check_origin(request, strict=True)
    try:
        pair, principal = await accounts.refresh_signed_in(request.cookies.get(REFRESH_COOKIE, ""))
    except AuthenticationError as error:  # also an account deleted meanwhile: forget the cookies either way
        refused = problem_response(
            request, 401, error.detail, headers={"WWW-Authenticate": 'Bearer realm="vibe"'}
        )
        refused.cookies.extend(_cookies(request, settings, None))
        return refused
    return _started(request, settings, pair, principal)


@delete(
    "/auth/session",
    status_code=204,
    summary="Sign out: end the login and forget the cookies",
    responses={204: ResponseSpec(None, description="Signed out"), **problems(403)},
)
async def sign_out_session(
    accounts: AccountsDep, settings: SettingsDep, request: AnyRequest
) -> Response[None]:
    _check_origin(request, strict=True)
    principal = await accounts.signed_in(
        request.cookies.get(ACCESS_COOKIE), request.cookies.get(REFRESH_COOKIE)
    )
    if principal is not None:
        await accounts.logout(principal)
    return Response(None, status_code=204, cookies=_cookies(request, settings, None))


router = Router(
    path="/api/v1",
    route_handlers=[sign_in_session, refresh_sign_in_session, sign_out_session],
    tags=["accounts"],
)
