"""docs/api.md, "Files you bring" over HTTP, on SQLite and on MariaDB: every asset type through upload,
the raw-file route, the preview (ETag, 304), the archive, restore and the version copy a fork uses,
with identical bytes; magic-number and media-type mismatches; the size limits; stale bases; and ten
concurrent uploads to one project, each its own version with nothing lost."""

from __future__ import annotations

import asyncio
import io
import zipfile
from typing import Any

import httpx
import pytest

from tests.accounts_http import signed_up
from tests.assets import MEDIA_TYPES, image, noise_png, sample
from tests.conftest import JWT_SECRET
from tests.problems import assert_problem
from tests.projects_http import CSP, create
from vibe.bootstrap import Vibe
from vibe.config import Settings
from vibe.testing import seams

Client = httpx.AsyncClient
MAX_ASSET = 64 * 1024
MAX_PROJECT = 200 * 1024


@pytest.fixture
def settings(any_database_url: str) -> Settings:
    return Settings(
        database_url=any_database_url,
        jwt_secret=JWT_SECRET,
        max_asset_bytes=MAX_ASSET,
        max_project_bytes=MAX_PROJECT,
    )


async def upload(
    client: Client,
    owner: dict[str, Any],
    project_id: str,
    path: str,
    data: bytes,
    media_type: str,
    **params: Any,
) -> httpx.Response:
    headers = owner["headers"] | {"Content-Type": media_type}
    return await client.put(
        f"/api/v1/projects/{project_id}/files/{path}", content=data, headers=headers, params=params
    )


def unzip_bytes(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


async def test_every_asset_type_round_trips_byte_for_byte(client: Client, vibe: Vibe) -> None:
    ada = await signed_up(client, "ada@example.com")
    project = await create(client, ada)
    pid = project["id"]
    await vibe.projects.commit(pid, {"index.html": "<h1>Hi</h1>"}, "first")
    uploaded = {f"assets/sample.{ext}": sample(ext) for ext in MEDIA_TYPES}
    for number, (path, data) in enumerate(uploaded.items(), start=2):
        response = await upload(client, ada, pid, path, data, MEDIA_TYPES[path.rsplit(".", 1)[1]])
        assert response.status_code == 201, response.text
        version = response.json()
        assert set(version) == {"number", "generation_id", "created_at", "summary"}
        assert (version["number"], version["generation_id"]) == (number, None)
    last = len(uploaded) + 1

    listed = (await client.get(f"/api/v1/projects/{pid}", headers=ada["headers"])).json()
    sizes = {f["path"]: f["size"] for f in listed["files"]}
    assert sizes == {"index.html": 11} | {p: len(d) for p, d in uploaded.items()}

    for path, data in uploaded.items():
        media_type = MEDIA_TYPES[path.rsplit(".", 1)[1]]
        for url in (f"/api/v1/projects/{pid}/files/{path}", f"/preview/{pid}/{path}"):
            served = await client.get(url, headers=ada["headers"])
            assert served.status_code == 200, served.text
            assert served.content == data
            assert served.headers["content-type"] == media_type
            assert served.headers["x-content-type-options"] == "nosniff"
            assert served.headers["content-security-policy"] == CSP
            assert "content-encoding" not in served.headers  # compressed formats are not gzipped
            etag = served.headers["etag"]
            again = await client.get(url, headers=ada["headers"] | {"If-None-Match": etag})
            assert again.status_code == 304
            assert again.content == b""
            assert again.headers["etag"] == etag
            assert again.headers["content-security-policy"] == CSP

    archive = await client.get(f"/api/v1/projects/{pid}/archive", headers=ada["headers"])
    assert unzip_bytes(archive.content) == {"index.html": b"<h1>Hi</h1>"} | uploaded

    # A generation's commit (text only) keeps the assets; a restore brings back exactly that version.
    await vibe.projects.commit(pid, {"index.html": "<h1>Changed</h1>"}, "edit")
    gone = await client.delete(f"/api/v1/projects/{pid}/files/assets/sample.png", headers=ada["headers"])
    assert gone.status_code == 201
    assert gone.json()["number"] == last + 2
    assert_problem(await client.get(f"/preview/{pid}/assets/sample.png", headers=ada["headers"]), 404)
    restored = await client.post(
        f"/api/v1/projects/{pid}/versions/{last + 1}/restore", headers=ada["headers"]
    )
    assert restored.status_code == 201
    archive = await client.get(f"/api/v1/projects/{pid}/archive", headers=ada["headers"])
    assert unzip_bytes(archive.content) == {"index.html": b"<h1>Changed</h1>"} | uploaded

    # The version copy a fork builds on: another project's version, assets and all.
    copy = await create(client, ada, "Copy")
    async with seams.database(vibe)() as uow:
        await uow.projects.copy_version(copy["id"], pid, last, "Forked", project_created_at(project))
        await uow.commit()
    archive = await client.get(f"/api/v1/projects/{copy['id']}/archive", headers=ada["headers"])
    assert unzip_bytes(archive.content) == {"index.html": b"<h1>Hi</h1>"} | uploaded


def project_created_at(project: dict[str, Any]) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(project["created_at"])


async def test_bytes_must_be_what_the_name_says(client: Client) -> None:
    ada = await signed_up(client, "ada@example.com")
    pid = (await create(client, ada))["id"]
    body = assert_problem(await upload(client, ada, pid, "logo.png", image("jpg"), "image/png"), 415)
    assert "image/jpeg" in body["detail"]
    assert_problem(await upload(client, ada, pid, "logo.png", b"<svg></svg>", "image/png"), 415)
    assert_problem(await upload(client, ada, pid, "font.woff2", b"wOFFxxxxxxxx", "font/woff2"), 415)
    assert_problem(await upload(client, ada, pid, "logo.png", image("png"), "image/gif"), 415)
    assert_problem(await upload(client, ada, pid, "index.html", image("png"), "image/png"), 415)
    assert_problem(await upload(client, ada, pid, "index.html", b"\xff\xfe\x00bad", "text/html"), 422)
    assert_problem(await upload(client, ada, pid, "logo.exe", b"MZ", "application/octet-stream"), 422)
    assert_problem(await upload(client, ada, pid, "bad:name.png", image("png"), "image/png"), 422)
    # SVG stays text: it is saved as text, whatever it says.
    assert (await upload(client, ada, pid, "logo.svg", b"<svg/>", "image/svg+xml")).status_code == 201
    text = await upload(client, ada, pid, "index.html", "<p>é</p>".encode(), "text/html; charset=utf-8")
    assert text.status_code == 201
    assert text.json()["summary"] == "Edited index.html"
    served = await client.get(f"/preview/{pid}/index.html", headers=ada["headers"])
    assert served.text == "<p>é</p>"


async def test_size_limits_are_413(client: Client) -> None:
    ada = await signed_up(client, "ada@example.com")
    pid = (await create(client, ada))["id"]
    big = noise_png(150, 150)
    assert len(big) > MAX_ASSET
    body = assert_problem(await upload(client, ada, pid, "big.png", big, "image/png"), 413)
    assert str(MAX_ASSET) in body["detail"]
    fits = [noise_png(140, 140, seed) for seed in range(4)]
    assert all(len(f) <= MAX_ASSET for f in fits)
    assert sum(len(f) for f in fits) > MAX_PROJECT
    for n, data in enumerate(fits[:3]):
        assert (await upload(client, ada, pid, f"p{n}.png", data, "image/png")).status_code == 201
    body = assert_problem(await upload(client, ada, pid, "p3.png", fits[3], "image/png"), 413)
    assert "VIBE_MAX_PROJECT_BYTES" in body["detail"]
    versions = (await client.get(f"/api/v1/projects/{pid}/versions", headers=ada["headers"])).json()
    assert len(versions["items"]) == 3


async def test_stale_base_is_409_and_access_rules_hold(client: Client) -> None:
    ada = await signed_up(client, "ada@example.com")
    eve = await signed_up(client, "eve@example.com")
    pid = (await create(client, ada))["id"]
    first = await upload(client, ada, pid, "a.png", image("png"), "image/png", base=0)
    assert first.json()["number"] == 1
    assert_problem(await upload(client, ada, pid, "b.png", image("png"), "image/png", base=0), 409)
    assert (await upload(client, ada, pid, "b.png", image("png"), "image/png", base=1)).status_code == 201
    url = f"/api/v1/projects/{pid}/files/a.png"
    assert_problem(await client.delete(url, headers=ada["headers"], params={"base": 1}), 409)
    assert_problem(await client.delete(f"/api/v1/projects/{pid}/files/zz.png", headers=ada["headers"]), 404)
    assert_problem(await upload(client, eve, pid, "c.png", image("png"), "image/png"), 404)
    assert_problem(await client.delete(url, headers=eve["headers"]), 404)
    assert_problem(await client.put(url, content=image("png"), headers={"Content-Type": "image/png"}), 401)
    assert_problem(await client.get(url, headers=eve["headers"]), 404)
    assert (await client.get(url, headers=ada["headers"])).content == image("png")


async def test_ten_concurrent_uploads_each_make_a_version(client: Client) -> None:
    ada = await signed_up(client, "ada@example.com")
    pid = (await create(client, ada))["id"]
    pictures = {f"photo-{n}.png": image("png", (10 + n, 10), (n * 20, 100, 50)) for n in range(10)}
    answers = await asyncio.gather(
        *(upload(client, ada, pid, path, data, "image/png") for path, data in pictures.items())
    )
    assert [a.status_code for a in answers] == [201] * 10, [a.text for a in answers]
    assert sorted(a.json()["number"] for a in answers) == list(range(1, 11))
    archive = await client.get(f"/api/v1/projects/{pid}/archive", headers=ada["headers"])
    assert unzip_bytes(archive.content) == pictures
    versions = (await client.get(f"/api/v1/projects/{pid}/versions", headers=ada["headers"])).json()["items"]
    assert [v["number"] for v in versions] == list(range(10, 0, -1))


async def test_byte_ranges_of_assets_and_etags_on_preview_links(client: Client) -> None:
    ada = await signed_up(client, "ada@example.com")
    pid = (await create(client, ada))["id"]
    data = noise_png(60, 60)
    assert (await upload(client, ada, pid, "big.png", data, "image/png")).status_code == 201
    url = f"/api/v1/projects/{pid}/files/big.png"
    whole = await client.get(url, headers=ada["headers"])
    assert whole.headers["accept-ranges"] == "bytes"
    part = await client.get(url, headers=ada["headers"] | {"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
    assert part.headers["content-security-policy"] == CSP
    tail = await client.get(url, headers=ada["headers"] | {"Range": "bytes=-5"})
    assert tail.content == data[-5:]
    beyond = await client.get(url, headers=ada["headers"] | {"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(data)}"
    several = await client.get(url, headers=ada["headers"] | {"Range": "bytes=0-1,5-6"})
    assert (several.status_code, several.content) == (200, data)
    stale = await client.get(url, headers=ada["headers"] | {"Range": "bytes=0-1", "If-Range": '"other"'})
    assert (stale.status_code, stale.content) == (200, data)

    link = (await client.post(f"/api/v1/projects/{pid}/preview-link", headers=ada["headers"])).json()["url"]
    shared = await client.get(f"{link}big.png")
    assert (shared.status_code, shared.content) == (200, data)
    again = await client.get(f"{link}big.png", headers={"If-None-Match": shared.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["content-security-policy"] == CSP


async def test_diff_fork_and_file_restore_carry_assets(client: Client, vibe: Vibe) -> None:
    """Issues 18 and 19 together: an asset in a diff has no patch and its sizes; a fork holds every
    asset type byte for byte; a restore of one asset, and of a whole version, bring its bytes back."""
    ada = await signed_up(client, "ada@example.com")
    pid = (await create(client, ada))["id"]
    await vibe.projects.commit(pid, {"index.html": "<h1>Hi</h1>"}, "first")
    logo = sample("png")
    assert (await upload(client, ada, pid, "logo.png", logo, "image/png")).status_code == 201
    base = f"/api/v1/projects/{pid}"

    diff = (await client.get(f"{base}/diff", params={"from": 1, "to": 2}, headers=ada["headers"])).json()
    changes = [(f["path"], f["status"], f["patch"], f["additions"]) for f in diff["files"]]
    assert changes == [("logo.png", "added", None, 0)]

    others = {f"assets/sample.{ext}": sample(ext) for ext in MEDIA_TYPES if ext != "png"}
    for path, data in others.items():
        response = await upload(client, ada, pid, path, data, MEDIA_TYPES[path.rsplit(".", 1)[1]])
        assert response.status_code == 201, response.text
    forked = await client.post(f"{base}/fork", json={}, headers=ada["headers"])
    assert forked.status_code == 201, forked.text
    copy = forked.json()["id"]
    for path, data in {"logo.png": logo, **others}.items():
        got = await client.get(f"/api/v1/projects/{copy}/files/{path}", headers=ada["headers"])
        assert (got.status_code, got.content) == (200, data), path

    before = (await client.get(base, headers=ada["headers"])).json()["current_version"]
    gone = await client.delete(f"{base}/files/logo.png", headers=ada["headers"])
    assert gone.status_code == 201, gone.text
    one = await client.post(
        f"{base}/versions/{before}/restore", json={"paths": ["logo.png"]}, headers=ada["headers"]
    )
    assert one.status_code == 201, one.text
    got = await client.get(f"{base}/files/logo.png", headers=ada["headers"])
    assert (got.status_code, got.content) == (200, logo)
    files = (await client.get(base, headers=ada["headers"])).json()["files"]
    assert {f["path"] for f in files} == {"index.html", "logo.png", *others}

    assert (await client.delete(f"{base}/files/logo.png", headers=ada["headers"])).status_code == 201
    whole = await client.post(f"{base}/versions/2/restore", headers=ada["headers"])
    assert whole.status_code == 201, whole.text
    got = await client.get(f"{base}/files/logo.png", headers=ada["headers"])
    assert (got.status_code, got.content) == (200, logo)
