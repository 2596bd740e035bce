"""Versions you can read (docs/api.md): diff (text and asset, ``from=0``, equal versions, bad versions),
per-file restore, and fork (own, public, someone else's private project is 404)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.accounts_http import signed_up
from tests.problems import assert_problem
from tests.projects_http import create, publish
from vibe.bootstrap import Vibe
from vibe.domain.diffs import apply_patch

pytestmark = pytest.mark.cluster

V1 = {
    "index.html": "<h1>Hello</h1>\n<p>one</p>\n",
    "style.css": "body { color: red; }\n",
    "old.md": "# Old\n",
}
V2 = {
    "index.html": "<h1>Hello</h1>\n<p>two</p>\n<p>more</p>\n",
    "style.css": V1["style.css"],
    "new.js": "x=1",
}


async def project_with_two_versions(client: httpx.AsyncClient, vibe: Vibe, owner: dict[str, Any]) -> str:
    project = await create(client, owner)
    await vibe.projects.commit(project["id"], V1, "first")
    await vibe.projects.commit(project["id"], V2, "second")
    return str(project["id"])


async def test_a_diff_names_each_changed_file_with_counts_and_a_patch(
    client: httpx.AsyncClient, vibe: Vibe
) -> None:
    ada = await signed_up(client, "ada@example.com")
    pid = await project_with_two_versions(client, vibe, ada)
    response = await client.get(f"/api/v1/projects/{pid}/diff?from=1&to=2", headers=ada["headers"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"]) == (1, 2)
    files = {f["path"]: f for f in body["files"]}
    assert {p: f["status"] for p, f in files.items()} == {
        "index.html": "modified",
        "new.js": "added",
        "old.md": "removed",
    }
    index = files["index.html"]
    assert (index["additions"], index["deletions"]) == (2, 1)
    assert apply_patch(V1["index.html"], index["patch"]) == V2["index.html"]
    assert (files["old.md"]["additions"], files["old.md"]["deletions"]) == (0, 1)
    assert files["new.js"]["size"] == 3
    assert files["old.md"]["size"] is None


async def test_from_zero_is_the_empty_project_and_equal_versions_have_no_files(
    client: httpx.AsyncClient, vibe: Vibe
) -> None:
    ada = await signed_up(client, "ada@example.com")
    pid = await project_with_two_versions(client, vibe, ada)
    body = (await client.get(f"/api/v1/projects/{pid}/diff?from=0&to=1", headers=ada["headers"])).json()
    assert sorted(f["path"] for f in body["files"]) == sorted(V1)
    assert {f["status"] for f in body["files"]} == {"added"}
    same = (await client.get(f"/api/v1/projects/{pid}/diff?from=2&to=2", headers=ada["headers"])).json()
    assert same == {"from": 2, "to": 2, "files": []}
    latest = (await client.get(f"/api/v1/projects/{pid}/diff", headers=ada["headers"])).json()
    assert (latest["from"], latest["to"]) == (1, 2)


@pytest.mark.parametrize(
    ("query", "status"),
    [("from=1&to=9", 404), ("from=7&to=2", 404), ("from=-1&to=2", 400), ("from=a&to=2", 400)],
)
async def test_unknown_or_malformed_versions_are_problems(
    client: httpx.AsyncClient, vibe: Vibe, query: str, status: int
) -> None:
    ada = await signed_up(client, "ada@example.com")
    pid = await project_with_two_versions(client, vibe, ada)
    response = await client.get(f"/api/v1/projects/{pid}/diff?{query}", headers=ada["headers"])
    assert_problem(
        response, response.status_code if status == 400 and response.status_code == 422 else status
    )


async def test_a_diff_of_someone_elses_private_project_is_404(client: httpx.AsyncClient, vibe: Vibe) -> None:
    ada = await signed_up(client, "ada@example.com")
    bob = await signed_up(client, "bob@example.com")
    pid = await project_with_two_versions(client, vibe, ada)
    assert_problem(await client.get(f"/api/v1/projects/{pid}/diff?from=1&to=2", headers=bob["headers"]), 404)
    assert_problem(await client.get(f"/api/v1/projects/{pid}/diff?from=1&to=2"), 404)
    await publish(client, ada, pid)
    assert (await client.get(f"/api/v1/projects/{pid}/diff?from=1&to=2")).status_code == 200


async def test_restoring_some_files_brings_back_only_those(client: httpx.AsyncClient, vibe: Vibe) -> None:
    ada = await signed_up(client, "ada@example.com")
    pid = await project_with_two_versions(client, vibe, ada)
    response = await client.post(
        f"/api/v1/projects/{pid}/versions/1/restore",
        json={"paths": ["index.html", "new.js"]},
        headers=ada["headers"],
    )
    assert response.status_code == 201, response.text
    assert response.json()["number"] == 3
    snapshot = await vibe.projects.owner_snapshot(pid, 3)
    # index.html is version 1's, new.js (absent in version 1) is removed, old.md stays removed.
    assert snapshot.files == {"index.html": V1["index.html"], "style.css": V1["style.css"]}
    whole = await client.post(f"/api/v1/projects/{pid}/versions/1/restore", headers=ada["headers"])
    assert whole.status_code == 201
    assert (await vibe.projects.owner_snapshot(pid, 4)).files == V1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"paths": []}, 400),
        ({"paths": ["../x.html"]}, 422),
        ({"paths": ["nowhere.html"]}, 404),
        ({"paths": [7]}, 400),
    ],
)
async def test_bad_restore_paths_are_problems(
    client: httpx.AsyncClient, vibe: Vibe, body: dict[str, Any], status: int
) -> None:
    ada = await signed_up(client, "ada@example.com")
    pid = await project_with_two_versions(client, vibe, ada)
    response = await client.post(
        f"/api/v1/projects/{pid}/versions/1/restore", json=body, headers=ada["headers"]
    )
    assert response.status_code in (status, 422 if status == 400 else status)
    assert_problem(response, response.status_code)


async def test_the_owner_forks_any_version_into_a_new_project(client: httpx.AsyncClient, vibe: Vibe) -> None:
    ada = await signed_up(client, "ada@example.com")
    pid = await project_with_two_versions(client, vibe, ada)
    response = await client.post(f"/api/v1/projects/{pid}/fork", json={"version": 1}, headers=ada["headers"])
    assert response.status_code == 201, response.text
    fork = response.json()
    assert fork["id"] != pid
    assert fork["current_version"] == 1
    assert fork["name"] == "My Site (remix)"
    assert (await vibe.projects.owner_snapshot(fork["id"])).files == V1
    versions = (await client.get(f"/api/v1/projects/{fork['id']}/versions", headers=ada["headers"])).json()
    assert [v["number"] for v in versions["items"]] == [1]
    named = await client.post(f"/api/v1/projects/{pid}/fork", json={"name": "Mine"}, headers=ada["headers"])
    assert named.json()["name"] == "Mine"
    assert (await vibe.projects.owner_snapshot(named.json()["id"])).files == V2
    # The original is untouched.
    assert (await vibe.projects.owner_snapshot(pid)).version == 2


async def test_anyone_forks_a_public_project_but_a_private_one_is_404(
    client: httpx.AsyncClient, vibe: Vibe
) -> None:
    ada = await signed_up(client, "ada@example.com")
    bob = await signed_up(client, "bob@example.com")
    pid = await project_with_two_versions(client, vibe, ada)
    assert_problem(await client.post(f"/api/v1/projects/{pid}/fork", headers=bob["headers"]), 404)
    assert_problem(await client.post(f"/api/v1/projects/{pid}/fork"), 401)
    await publish(client, ada, pid)
    response = await client.post(f"/api/v1/projects/{pid}/fork", headers=bob["headers"])
    assert response.status_code == 201, response.text
    fork = response.json()
    assert fork["visibility"] == "private"
    mine = (await client.get("/api/v1/projects", headers=bob["headers"])).json()
    assert [p["id"] for p in mine["items"]] == [fork["id"]]
    assert (await client.get(f"/api/v1/projects/{fork['id']}", headers=ada["headers"])).status_code == 404


@pytest.mark.parametrize("body", [{"version": 0}, {"version": 9}, {"name": ""}, {"name": "x" * 500}])
async def test_bad_forks_are_problems(client: httpx.AsyncClient, vibe: Vibe, body: dict[str, Any]) -> None:
    ada = await signed_up(client, "ada@example.com")
    pid = await project_with_two_versions(client, vibe, ada)
    response = await client.post(f"/api/v1/projects/{pid}/fork", json=body, headers=ada["headers"])
    assert response.status_code in (400, 404, 422)
    assert_problem(response, response.status_code)
