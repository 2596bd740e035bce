"""GET /metrics: Prometheus text with requests by route and status, latency, generations by status,
tokens used and queue depth."""

from __future__ import annotations

import re

import httpx

from tests.accounts_http import signed_up
from vibe.bootstrap import Vibe


def value(text: str, metric: str, default: float | None = None, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        name, _, rest = line.partition(" ")
        if line.startswith("#") or not name.startswith(metric):
            continue
        found = re.search(r"\{(.*)\}", name)
        got = ",".join(sorted(found.group(1).split(","))) if found else ""
        if name.split("{")[0] == metric and got == wanted:
            return float(rest)
    if default is not None:
        return default
    raise AssertionError(f"{metric}{{{wanted}}} not in /metrics")


async def test_metrics_count_requests_and_generations(client: httpx.AsyncClient, vibe: Vibe) -> None:
    ada = await signed_up(client, "ada@example.com")
    before = await client.get("/metrics")
    pings = value(before.text, "vibe_http_requests_total", 0, method="GET", route="/ping", status="200")
    for _ in range(3):
        await client.get("/ping")
    await client.get("/definitely/not/here")
    async for _event in vibe.generate(await vibe.accounts.owner_of(ada["user"]["id"]), "a blog about tea"):
        pass
    after = await client.get("/metrics")
    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    assert value(text, "vibe_http_requests_total", method="GET", route="/ping", status="200") == pings + 3
    assert value(text, "vibe_http_requests_total", method="GET", route="unmatched", status="404") >= 1
    assert value(text, "vibe_http_request_duration_seconds_count", method="GET", route="/ping") >= 3
    assert value(text, "vibe_generations", status="succeeded") == 1
    assert value(text, "vibe_offline_generation_tokens_total", kind="output") > 0  # estimates, kept apart
    assert value(text, "vibe_queue_depth") == 0
