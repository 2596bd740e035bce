"""A browser navigating to something that fails gets a small HTML page in the UI's style; an API
client asking the same gets problem+json as before (issue 18)."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts_http import signed_up
from tests.problems import assert_problem
from tests.projects_http import create

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize("path", ["/no/such/page", "/s/not-a-valid-link/", "/api/v1/projects/nope"])
async def test_a_browser_navigation_gets_an_html_page(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path, headers=BROWSER)
    assert response.status_code in (401, 404)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text.startswith("<!doctype html>")
    assert 'class="error-card"' in response.text
    assert "/static/" in response.text  # the UI's own stylesheet
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-request-id"]


async def test_an_api_client_still_gets_problem_json(client: httpx.AsyncClient) -> None:
    for accept in ("application/json", "*/*", "application/problem+json", ""):
        response = await client.get("/no/such/page", headers={"Accept": accept} if accept else {})
        assert_problem(response, 404)
    # A write is never answered with a page, whatever it accepts.
    assert_problem(await client.post("/api/v1/projects", json={"name": "x"}, headers=BROWSER), 401)


async def test_the_page_speaks_chinese_and_escapes_the_detail(client: httpx.AsyncClient) -> None:
    ada = await signed_up(client, "ada@example.com")
    project = await create(client, ada, "<b>Shop</b>")
    headers = BROWSER | {"Accept-Language": "zh-CN,zh;q=0.9"}
    response = await client.get(f"/api/v1/projects/{project['id']}/files/%3Cscript%3E.html", headers=headers)
    assert response.status_code in (404, 422)
    assert '<html lang="zh-CN">' in response.text
    assert "<script>" not in response.text
    assert "返回 vibe" in response.text
