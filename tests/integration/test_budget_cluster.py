"""Budgets across processes, for real: 20 concurrent generations of one user near the limit, run by
two ``vibe worker`` processes on MariaDB + Redis. The month's spend equals the sum of the sessions'
usage (every process charged it in the transaction that recorded it), and the budget is overspent by
no more than one call of each run; once it is spent, the next start is a 429 naming the budget."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from tests.accounts_http import admin, signed_up
from tests.cluster import running_cluster
from tests.integration.test_chaos import wait_until_settled
from vibe.bootstrap import connect
from vibe.domain.budgets import counted_tokens, month_start
from vibe.domain.usage import Usage
from vibe.testing import seams

RUNS = 20


def calls_of(usage_events: list[dict[str, int]]) -> list[int]:
    """The tokens of each model call of a session: a call reports its input first, then its output."""
    calls: list[int] = []
    for event in usage_events:
        fresh_input = (
            event["input_tokens"] + event["cache_read_input_tokens"] + event["cache_creation_input_tokens"]
        )
        if fresh_input or not calls:
            calls.append(0)
        calls[-1] += fresh_input + event["output_tokens"]
    return calls


async def test_twenty_concurrent_runs_near_the_limit_overspend_by_at_most_one_call_each(
    tmp_path: Path, mysql_admin_url: str, redis_url: str
) -> None:
    with running_cluster(
        tmp_path,
        mysql_admin_url,
        redis_url,
        serve_workers=1,
        workers=2,
        worker_concurrency=10,
        VIBE_MAX_CONCURRENT_GENERATIONS="40",
        VIBE_OFFLINE_PACE_SECONDS="0.002",
    ) as cluster:
        async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as http:
            ada = await signed_up(http, "ada@example.com")
            me = ada["user"]["id"]
            first = await http.post("/api/generate", json={"prompt": "a bakery"}, headers=ada["headers"])
            assert first.status_code == 202
            await wait_until_settled(http, ada["headers"], timeout=60)
            one_run = (await http.get(f"/api/v1/users/{me}/usage", headers=ada["headers"])).json()["spent"]
            assert one_run > 0
            async with connect(cluster.settings, migrate=False) as app:
                root = await admin(http, app)
            budget = one_run * 4  # three more runs' worth left: the 20 cross it together
            put = await http.put(
                f"/api/v1/users/{me}/budget", json={"monthly_tokens": budget}, headers=root["headers"]
            )
            assert put.status_code == 200, put.text
            starts = await asyncio.gather(
                *(
                    http.post("/api/generate", json={"prompt": f"site {i}"}, headers=ada["headers"])
                    for i in range(RUNS)
                )
            )
            assert [s.status_code for s in starts] == [202] * RUNS
            await wait_until_settled(http, ada["headers"], timeout=180)
            refused = await http.post("/api/generate", json={"prompt": "one more"}, headers=ada["headers"])
            assert refused.status_code == 429
            assert f"monthly token budget of {budget:,} tokens" in refused.json()["detail"]

        async with connect(cluster.settings, migrate=False) as app:
            owner = await app.accounts.owner_of(me)
            sessions = (await app.generations.list_sessions(owner, 100, 0)).items
            assert len(sessions) == RUNS + 1
            async with seams.database(app)(readonly=True) as uow:
                spent = await uow.budgets.spent(me, month_start(sessions[0].created_at))
                worst_calls = []
                for session in sessions:
                    events = await uow.events.after(session.id, 0, limit=100_000)
                    usage = [json.loads(e.data) for e in events if e.name == "usage"]
                    worst_calls.append(max(calls_of(usage), default=0))
        assert spent == sum((s.usage for s in sessions), Usage())  # exact across processes
        stopped = [s for s in sessions if s.error_code == "budget_exceeded"]
        assert stopped, "the budget never stopped a run"
        assert counted_tokens(spent) >= budget
        assert counted_tokens(spent) <= budget + sum(worst_calls[:-1])  # the first run was before the budget
