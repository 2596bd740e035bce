"""docs/api.md "Projects" over HTTP, on SQLite and on MariaDB: CRUD, paging, versions, restore, raw
files, the archive, and the ownership matrix (who may do what on every route)."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts_http import signed_up
from tests.conftest import JWT_SECRET
from tests.problems import assert_problem
from tests.projects_http import SITE, assert_project_shape, create, publish, unzip
from vibe.bootstrap import Vibe
from vibe.config import Settings

pytestmark = pytest.mark.cluster

Client = httpx.AsyncClient


@pytest.fixture
def settings(any_database_url: str) -> Settings:
    return Settings(database_url=any_database_url, jwt_secret=JWT_SECRET)


# --- CRUD ---------------------------------------------------------------------------------------------


async def test_create_get_patch_delete(client: Client, vibe: Vibe) -> None:
    ada = await signed_up(client, "ada@example.com")
    project = await create(client, ada, "  My   Site ", description="About it")
    assert_project_shape(project)
    assert (project["name"], project["description"]) == ("My Site", "About it")
    assert (project["visibility"], project["current_version"]) == ("private", 0)
    url = f"/api/v1/projects/{project['id']}"

    await vibe.projects.commit(project["id"], {"index.html": "<h1>é</h1>", "b/c.css": "a{}"}, "first")
    fetched = (await client.get(url, headers=ada["headers"])).json()
    assert_project_shape(fetched, detail=True)
    assert fetched["current_version"] == 1
    assert fetched["files"] == [{"path": "b/c.css", "size": 3}, {"path": "index.html", "size": 11}]

    patched = await client.patch(
        url, json={"name": "Renamed", "description": "", "visibility": "public"}, headers=ada["headers"]
    )
    assert patched.status_code == 200
    assert_project_shape(patched.json())
    assert patched.json()["name"] == "Renamed"
    assert patched.json()["visibility"] == "public"
    assert patched.json()["description"] == ""
    assert (await client.patch(url, json={}, headers=ada["headers"])).json()["name"] == "Renamed"

    deleted = await client.delete(url, headers=ada["headers"])
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_problem(await client.get(url, headers=ada["headers"]), 404)
    assert_problem(await client.delete(url, headers=ada["headers"]), 404)


async def test_the_list_is_the_callers_own_newest_first_with_total(client: Client) -> None:
    ada = await signed_up(client, "ada@example.com")
    bob = await signed_up(client, "bob@example.com")
    made = [(await create(client, ada, f"Site {i}"))["id"] for i in range(5)]
    await publish(client, ada, made[0])
    await create(client, bob, "Bob's")

    listed = await client.get("/api/v1/projects", headers=ada["headers"])
    assert listed.status_code == 200
    assert set(listed.json()) == {"items", "total"}
    assert listed.json()["total"] == 5
    assert [p["id"] for p in listed.json()["items"]] == made[::-1]
    for project in listed.json()["items"]:
        assert_project_shape(project)

    page = (await client.get("/api/v1/projects?limit=2&offset=1", headers=ada["headers"])).json()
    assert [p["id"] for p in page["items"]] == made[::-1][1:3]
    assert page["total"] == 5
    assert (await client.get("/api/v1/projects?offset=9", headers=ada["headers"])).json() == {
        "items": [],
        "total": 5,
    }
    bobs = (await client.get("/api/v1/projects?limit=100", headers=bob["headers"])).json()
    assert [p["name"] for p in bobs["items"]] == ["Bob's"]


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "limit=-1", "limit=abc", "offset=-1", "offset=x", "limit=1.5"]
)
async def test_bad_paging_is_422(client: Client, query: str) -> None:
    ada = await signed_up(client, "ada@example.com")
    assert_problem(await client.get(f"/api/v1/projects?{query}", headers=ada["headers"]), 422)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 121},
        {"name": 5},
        {"name": "ok", "description": "d" * 2001},
        {"name": "ok", "description": None},
        [],
    ],
)
async def test_bad_projects_are_422(client: Client, body: object) -> None:
    ada = await signed_up(client, "ada@example.com")
    assert_problem(await client.post("/api/v1/projects", json=body, headers=ada["headers"]), 422)


@pytest.mark.parametrize(
    "body", [{"visibility": "secret"}, {"name": ""}, {"name": "x" * 121}, {"description": 3}, {"name": 1}]
)
async def test_bad_patches_are_422(client: Client, body: dict[str, object]) -> None:
    ada = await signed_up(client, "ada@example.com")
    project = await create(client, ada)
    url = f"/api/v1/projects/{project['id']}"
    assert_problem(await client.patch(url, json=body, headers=ada["headers"]), 422)


async def test_malformed_json_is_400(client: Client) -> None:
    ada = await signed_up(client, "ada@example.com")
    headers = ada["headers"] | {"content-type": "application/json"}
    assert_problem(await client.post("/api/v1/projects", content=b"{nope", headers=headers), 400)


# --- versions, files, restore, archive ----------------------------------------------------------------


async def test_versions_are_newest_first_and_restore_adds_an_equal_version(
    client: Client, vibe: Vibe
) -> None:
    ada = await signed_up(client, "ada@example.com")
    project = await create(client, ada)
    base = f"/api/v1/projects/{project['id']}"
    await vibe.projects.commit(project["id"], {"index.html": "one", "a.css": "a{}"}, "first", None)
    await vibe.projects.commit(project["id"], {"index.html": "two"}, "second")

    versions = (await client.get(f"{base}/versions", headers=ada["headers"])).json()
    assert set(versions) == {"items"}
    assert [v["number"] for v in versions["items"]] == [2, 1]
    for version in versions["items"]:
        assert set(version) == {"number", "generation_id", "created_at", "summary"}
        assert version["created_at"].endswith("Z")
    assert versions["items"][0]["summary"] == "second"

    restored = await client.post(f"{base}/versions/1/restore", headers=ada["headers"])
    assert restored.status_code == 201
    assert restored.json()["number"] == 3
    assert restored.json()["summary"] == "Restored version 1"
    assert set(restored.json()) == {"number", "generation_id", "created_at", "summary"}
    v1 = unzip((await client.get(f"{base}/archive?version=1", headers=ada["headers"])).content)
    v3 = unzip((await client.get(f"{base}/archive", headers=ada["headers"])).content)
    assert v1 == v3 == {"index.html": "one", "a.css": "a{}"}
    assert (await client.get(base, headers=ada["headers"])).json()["current_version"] == 3

    for bad in ("0", "99", "-1", "4"):
        assert_problem(await client.post(f"{base}/versions/{bad}/restore", headers=ada["headers"]), 404)
    assert_problem(await client.post(f"{base}/versions/x/restore", headers=ada["headers"]), 404)


async def test_a_new_project_lists_no_versions_and_has_no_version_0(client: Client) -> None:
    ada = await signed_up(client, "ada@example.com")
    project = await create(client, ada)
    base = f"/api/v1/projects/{project['id']}"
    assert project["current_version"] == 0
    assert (await client.get(f"{base}/versions", headers=ada["headers"])).json() == {"items": []}
    assert_problem(await client.post(f"{base}/versions/0/restore", headers=ada["headers"]), 404)
    assert_problem(await client.get(f"{base}/archive?version=0", headers=ada["headers"]), 404)
    assert (await client.get(f"{base}/versions", headers=ada["headers"])).json() == {"items": []}
    assert (await client.get(base, headers=ada["headers"])).json()["current_version"] == 0


async def test_raw_files_by_version(client: Client, vibe: Vibe) -> None:
    ada = await signed_up(client, "ada@example.com")
    project = await create(client, ada)
    base = f"/api/v1/projects/{project['id']}/files"
    await vibe.projects.commit(project["id"], {"index.html": "<p>one</p>", "pages/a.md": "# A"}, "1")
    await vibe.projects.commit(project["id"], {"index.html": "<p>two</p>"}, "2")

    current = await client.get(f"{base}/index.html", headers=ada["headers"])
    assert (current.status_code, current.text) == (200, "<p>two</p>")
    old = await client.get(f"{base}/index.html?version=1", headers=ada["headers"])
    assert old.text == "<p>one</p>"
    nested = await client.get(f"{base}/pages/a.md?version=1", headers=ada["headers"])
    assert (nested.text, nested.headers["content-type"]) == ("# A", "text/markdown; charset=utf-8")
    assert_problem(await client.get(f"{base}/pages/a.md", headers=ada["headers"]), 404)
    assert_problem(await client.get(f"{base}/index.html?version=3", headers=ada["headers"]), 404)
    assert_problem(await client.get(f"{base}/index.html?version=0", headers=ada["headers"]), 404)
    for bad in ("version=-1", "version=x", "version=1.5"):
        assert_problem(await client.get(f"{base}/index.html?{bad}", headers=ada["headers"]), 422)


@pytest.mark.parametrize(
    "path", ["evil.exe", "x.php", "%2e%2e/secret.html", "a%5Cb.html", "noext", "a%3Ab.css"]
)
async def test_paths_outside_the_rules_are_422(client: Client, vibe: Vibe, path: str) -> None:
    ada = await signed_up(client, "ada@example.com")
    project = await create(client, ada)
    await vibe.projects.commit(project["id"], {"index.html": "hi"}, "1")
    for url in (f"/api/v1/projects/{project['id']}/files/{path}", f"/preview/{project['id']}/{path}"):
        body = assert_problem(await client.get(url, headers=ada["headers"]), 422)
        assert body["detail"]


async def test_the_archive_is_a_streamed_zip_of_the_version(client: Client, vibe: Vibe) -> None:
    ada = await signed_up(client, "ada@example.com")
    project = await create(client, ada, "Café Menu: 2026!")
    url = f"/api/v1/projects/{project['id']}/archive"
    big = "p { color: red; }\n" * 5000  # well over the gzip threshold
    await vibe.projects.commit(project["id"], SITE | {"big.css": big}, "1")
    await vibe.projects.commit(project["id"], {"index.html": "v2"}, "2")

    response = await client.get(url, headers=ada["headers"] | {"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == 'attachment; filename="cafe-menu-2026-v2.zip"'
    assert "content-length" not in response.headers  # streamed as it is produced
    assert "content-encoding" not in response.headers  # never gzipped
    assert unzip(response.content) == {"index.html": "v2"}

    old = await client.get(f"{url}?version=1", headers=ada["headers"])
    assert old.headers["content-disposition"] == 'attachment; filename="cafe-menu-2026-v1.zip"'
    assert unzip(old.content) == SITE | {"big.css": big}
    assert len(old.content) < len(big)  # deflated

    assert_problem(await client.get(f"{url}?version=0", headers=ada["headers"]), 404)  # versions start at 1
    assert_problem(await client.get(f"{url}?version=3", headers=ada["headers"]), 404)
    assert_problem(await client.get(f"{url}?version=-3", headers=ada["headers"]), 422)


# --- who may do what ----------------------------------------------------------------------------------

READS = [
    ("GET", "/api/v1/projects/{id}", 200),
    ("GET", "/api/v1/projects/{id}/files/index.html", 200),
    ("GET", "/api/v1/projects/{id}/files/index.html?version=1", 200),
    ("GET", "/api/v1/projects/{id}/versions", 200),
    ("GET", "/api/v1/projects/{id}/archive", 200),
    ("GET", "/api/v1/projects/{id}/archive?version=1", 200),
    ("GET", "/preview/{id}", 200),
    ("GET", "/preview/{id}/style.css?version=1", 200),
    ("POST", "/api/v1/projects/{id}/preview-link", 201),
]
WRITES = [
    ("PATCH", "/api/v1/projects/{id}", 200),
    ("POST", "/api/v1/projects/{id}/versions/1/restore", 201),
    ("DELETE", "/api/v1/projects/{id}", 204),  # last: it ends the project
]


async def send(client: Client, method: str, url: str, headers: dict[str, str]) -> httpx.Response:
    body = {"name": "Taken over", "visibility": "private"} if method == "PATCH" else None
    return await client.request(method, url, json=body, headers=headers)


@pytest.mark.parametrize("visibility", ["private", "public"])
async def test_the_ownership_matrix(client: Client, vibe: Vibe, visibility: str) -> None:
    ada = await signed_up(client, "ada@example.com")
    bob = await signed_up(client, "bob@example.com")
    project = await create(client, ada, "Ada's")
    await vibe.projects.commit(project["id"], SITE, "1")
    if visibility == "public":
        await publish(client, ada, project["id"])
    public = visibility == "public"

    for method, template, ok in READS + WRITES[:-1]:
        url = template.format(id=project["id"])
        is_read = (method, template, ok) in READS
        stranger = await send(client, method, url, bob["headers"])
        anonymous = await send(client, method, url, {})
        if is_read and public:
            assert stranger.status_code == ok, (url, stranger.text)
            assert anonymous.status_code == ok, (url, anonymous.text)
        elif public:
            assert_problem(stranger, 403)
            assert_problem(anonymous, 401)
        else:
            assert_problem(stranger, 404)
            assert_problem(anonymous, 401 if not is_read else 404)
    for method, template, _ok in WRITES[-1:]:
        url = template.format(id=project["id"])
        assert_problem(await send(client, method, url, bob["headers"]), 403 if public else 404)
        assert_problem(await send(client, method, url, {}), 401)

    unchanged = (await client.get(f"/api/v1/projects/{project['id']}", headers=ada["headers"])).json()
    assert (unchanged["name"], unchanged["current_version"]) == ("Ada's", 1)
    assert unchanged["visibility"] == visibility
    assert (await client.get("/api/v1/projects", headers=bob["headers"])).json()["total"] == 0

    for method, template, ok in READS + WRITES:
        response = await send(client, method, template.format(id=project["id"]), ada["headers"])
        assert response.status_code == ok, (template, response.text)
    assert_problem(await client.get(f"/preview/{project['id']}", headers=ada["headers"]), 404)


async def test_an_unknown_project_is_404_everywhere(client: Client) -> None:
    ada = await signed_up(client, "ada@example.com")
    for method, template, _ok in READS + WRITES:
        assert_problem(await send(client, method, template.format(id="no-such-project"), ada["headers"]), 404)


async def test_creating_and_listing_need_a_sign_in(client: Client) -> None:
    assert_problem(await client.post("/api/v1/projects", json={"name": "x"}), 401)
    assert_problem(await client.get("/api/v1/projects"), 401)
    assert_problem(await client.get("/api/v1/projects", headers={"Authorization": "Bearer nope"}), 401)
