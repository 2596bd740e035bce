"""The model knows the assets: a generation lists every uploaded asset (path, type, size, pixels),
never its bytes; the offline model puts the logo in the header and photos in the hero and gallery;
the version it makes keeps the assets."""

from __future__ import annotations

import pytest

from tests.assets import image, sample
from tests.conftest import JWT_SECRET
from vibe.bootstrap import Vibe
from vibe.config import Settings
from vibe.domain.events import Done


@pytest.fixture
def settings(any_database_url: str) -> Settings:
    return Settings(database_url=any_database_url, jwt_secret=JWT_SECRET, offline_pace_seconds=0)


async def test_the_offline_model_uses_uploaded_images(vibe: Vibe) -> None:
    ada = await vibe.accounts.register("ada@example.com", "correct horse battery")
    project = await vibe.projects.create(ada, "Bakery")
    logo, photo, hall = image("png", (64, 48)), image("jpg", (300, 200)), image("webp", (320, 240))
    await vibe.project_files.put(ada, project.id, "img/logo.png", logo, "image/png")
    await vibe.project_files.put(ada, project.id, "img/croissants.jpg", photo, "image/jpeg")
    await vibe.project_files.put(ada, project.id, "img/tea-room.webp", hall, "image/webp")
    await vibe.project_files.put(ada, project.id, "fonts/brand.woff2", sample("woff2"), "font/woff2")

    events = [e async for e in vibe.generate(ada, "A landing page for a bakery in Paris", project.id)]
    done = events[-1]
    assert isinstance(done, Done), events[-1]
    index = (await vibe.projects.read_file(ada, project.id, "index.html"))[1].decode()
    assert '<img class="logo" src="img/logo.png" alt="" width="64" height="48"' in index
    hero = index[index.index('class="hero-art"') :]
    assert hero.startswith('class="hero-art"><img src="img/croissants.jpg" alt="Croissants" width="300"')
    gallery = index[index.index('class="gallery"') :]
    assert 'src="img/croissants.jpg"' in gallery
    assert 'src="img/tea-room.webp" alt="Tea room"' in gallery
    _, files = await vibe.projects.get(ada, project.id)
    assert {f.path for f in files} >= {
        "img/logo.png",
        "img/croissants.jpg",
        "img/tea-room.webp",
        "fonts/brand.woff2",
    }
    assert (await vibe.projects.read_file(ada, project.id, "img/logo.png"))[1] == logo
