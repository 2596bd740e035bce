"""Accounts and auth (docs/api.md): registration, tokens, and the users API. Handlers stay thin."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from vibe.domain.auth import TokenPair
from vibe.domain.users import Role
from vibe.entrypoints.http.deps import AccountsDep, Client, Limit, Me, Offset, SitesDep, principal
from vibe.entrypoints.http.openapi import BEARER, problems
from vibe.entrypoints.http.schemas import (
    LoginIn,
    RefreshIn,
    RegisterIn,
    TokenOut,
    UserOut,
    UserPage,
    UserPatch,
    user_out,
)

__all__ = ["router"]


def _tokens(pair: TokenPair) -> TokenOut:
    return TokenOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type=pair.token_type,
        expires_in=pair.expires_in,
    )


@post("/users", status_code=201, summary="Register", responses=problems(409, 413, 422, 429))
async def register(
    data: JSONBody[RegisterIn], accounts: AccountsDep, client: Client, request: Request[Any, Any, Any]
) -> UserOut:
    return user_out(await accounts.register(data.email, data.password, data.display_name, client=client))


@post("/auth/login", status_code=200, summary="Sign in: a token pair", responses=problems(401, 413, 422, 429))
async def login(
    data: JSONBody[LoginIn], accounts: AccountsDep, client: Client, request: Request[Any, Any, Any]
) -> TokenOut:
    return _tokens(await accounts.login(data.email, data.password, client=client))


@post(
    "/auth/refresh",
    status_code=200,
    summary="Trade a refresh token (once) for a new pair",
    responses=problems(401, 413, 422),
)
async def refresh(data: JSONBody[RefreshIn], accounts: AccountsDep) -> TokenOut:
    return _tokens(await accounts.refresh(data.refresh_token))


@post("/auth/logout", status_code=204, summary="End this sign-in", responses=problems(401), security=BEARER)
async def logout(accounts: AccountsDep, principal: Me) -> None:
    await accounts.logout(principal)


@get("/users/me", summary="The caller", responses=problems(401), security=BEARER)
async def me(principal: Me) -> UserOut:
    return user_out(principal.user)


@get("/users", summary="Every user (administrators only)", responses=problems(401, 403, 422), security=BEARER)
async def list_users(accounts: AccountsDep, principal: Me, limit: Limit = 20, offset: Offset = 0) -> UserPage:
    page = await accounts.list_users(principal.user, limit, offset)
    return UserPage(items=[user_out(u) for u in page.items], total=page.total)


@get(
    "/users/{user_id:str}",
    summary="A user (themself or an administrator)",
    responses=problems(401, 404),
    security=BEARER,
)
async def get_user(user_id: FromPath[str], accounts: AccountsDep, principal: Me) -> UserOut:
    return user_out(await accounts.get_user(principal.user, user_id))


@patch(
    "/users/{user_id:str}",
    summary="Change a user (role: administrators only; one's own password: with the current one)",
    responses=problems(401, 403, 404, 409, 413, 422, 429),
    security=BEARER,
)
async def update_user(
    user_id: FromPath[str],
    data: JSONBody[UserPatch],
    accounts: AccountsDep,
    client: Client,
    principal: Me,
    request: Request[Any, Any, Any],
) -> UserOut:
    role = Role(data.role) if data.role is not None else None
    user = await accounts.update_user(
        principal.user,
        user_id,
        display_name=data.display_name,
        password=data.password,
        role=role,
        current_password=data.current_password,
        client=client,
    )
    return user_out(user)


@delete(
    "/users/{user_id:str}",
    status_code=204,
    summary="Delete a user and everything they own",
    responses=problems(401, 404),
    security=BEARER,
)
async def delete_user(user_id: FromPath[str], sites: SitesDep, accounts: AccountsDep, principal: Me) -> None:
    published = await sites.slugs_of_owner(user_id)  # their sites go with them: serve them no more
    await accounts.delete_user(principal.user, user_id)
    await sites.forget(*published)


router = Router(
    path="/api/v1",
    route_handlers=[register, login, refresh, logout, me, list_users, get_user, update_user, delete_user],
    dependencies={"principal": Provide(principal)},
    tags=["accounts"],
)
