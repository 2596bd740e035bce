"""Budgets and spend (docs/api.md, "Budgets"): a user's month, an administrator setting one user's budget, and
everyone's month for administrators. Handlers stay thin."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Router, get, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from vibe.entrypoints.http.budget_schemas import BudgetIn, SpendPage, UsageOut, usage_out, user_usage_out
from vibe.entrypoints.http.deps import BudgetsDep, Limit, Me, Offset, principal
from vibe.entrypoints.http.openapi import BEARER, problems

__all__ = ["router"]

Sort = Literal["email", "spent", "budget", "remaining"]


@get(
    "/users/{user_id:str}/usage",
    summary="A user's spend this month and their budget (the user or an administrator)",
    responses=problems(401, 404),
)
async def get_usage(user_id: FromPath[str], budgets: BudgetsDep, principal: Me) -> UsageOut:
    return usage_out(await budgets.status(principal.user, user_id))


@put(
    "/users/{user_id:str}/budget",
    status_code=200,
    summary="Set a user's monthly token budget; null: the default (administrators only)",
    responses=problems(401, 403, 404, 413, 422),
)
async def put_budget(
    user_id: FromPath[str], data: JSONBody[BudgetIn], budgets: BudgetsDep, principal: Me
) -> UsageOut:
    return usage_out(await budgets.set_budget(principal.user, user_id, data.monthly_tokens))


@get(
    "/usage", summary="Every user's spend this month (administrators only)", responses=problems(401, 403, 422)
)
async def list_usage(
    budgets: BudgetsDep,
    principal: Me,
    sort: Annotated[Sort, QueryParameter()] = "spent",
    order: Annotated[Literal["asc", "desc"], QueryParameter()] = "desc",
    limit: Limit = 50,
    offset: Offset = 0,
) -> SpendPage:
    overview = await budgets.overview(principal.user, sort, order == "desc", limit, offset)
    return SpendPage(
        period_start=overview.period_start,
        default_budget=overview.default_budget,
        items=[user_usage_out(row, overview.default_budget) for row in overview.page.items],
        total=overview.page.total,
    )


router = Router(
    path="/api/v1",
    route_handlers=[get_usage, put_budget, list_usage],
    dependencies={"principal": Provide(principal)},
    tags=["budgets"],
    security=BEARER,
)
