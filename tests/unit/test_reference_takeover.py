"""Reference images live with the session, not with a run: a run that takes a session over (its
first worker died) shows the model the same pictures again, first in the first user message."""

from __future__ import annotations

from datetime import timedelta

from tests.assets import image
from vibe.domain.generations import Generation, GenerationStatus
from vibe.domain.model import ImageBlock, TextBlock
from vibe.domain.reference_images import ReferenceImage
from vibe.testing import FakeClock, InMemoryUnitOfWorkFactory, ScriptedModel, connect_fake, turn


async def test_a_takeover_sends_the_reference_images_again() -> None:
    database, clock = InMemoryUnitOfWorkFactory(), FakeClock()
    model = ScriptedModel(
        [turn("Writing.", [("write_file", {"path": "index.html", "content": "<h1>Hi</h1>"})]), turn("Done.")]
    )
    pictures = (
        ReferenceImage(media_type="image/png", data=image("png")),
        ReferenceImage(media_type="image/webp", data=image("webp")),
    )
    async with connect_fake(model, uow=database, clock=clock) as app:
        ada = await app.accounts.register("ada@example.com", "correct horse battery")
        project = await app.projects.create(ada, "Site")
        dead = Generation(
            id="gen-dead", user_id=ada.id, project_id=project.id, prompt="like these",
            status=GenerationStatus.RUNNING, model="scripted", created_at=clock.now(),
            started_at=clock.now(), attempt=1, lease_until=clock.now() - timedelta(seconds=1),
        )  # fmt: skip
        async with database() as uow:
            assert await uow.generations.add_within_limit(dead, 5)
            await uow.generations.add_images(dead.id, pictures)
            await uow.commit()
        assert await app.generations.run(dead.id)
    first = model.requests[0].messages[0].content
    assert first[:2] == (
        ImageBlock(media_type="image/png", data=pictures[0].data),
        ImageBlock(media_type="image/webp", data=pictures[1].data),
    )
    assert isinstance(first[-1], TextBlock)
    assert first[-1].text == "like these"
    later = [b for r in model.requests[1:] for b in r.messages[0].content if isinstance(b, ImageBlock)]
    assert len(later) == 2 * (
        len(model.requests) - 1
    )  # every call of the run carries the turn that holds them


async def test_start_keeps_images_with_the_session() -> None:
    model = ScriptedModel([turn("Done.", [("write_file", {"path": "index.html", "content": "<h1>A</h1>"})])])
    database = InMemoryUnitOfWorkFactory()
    async with connect_fake(model, uow=database) as app:
        ada = await app.accounts.register("ada@example.com", "correct horse battery")
        picture = ReferenceImage(media_type="image/gif", data=image("gif"))
        started = await app.generations.start(ada, "a page like this", images=[picture])
        async with database(readonly=True) as uow:
            assert await uow.generations.images(started.id) == (picture,)
