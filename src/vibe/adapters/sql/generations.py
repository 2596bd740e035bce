"""Generation sessions in SQL, with the per-user limit and attempt fencing done in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from vibe.adapters.sql.tables import generation_images, generations, users
from vibe.domain.generations import UNFINISHED, Generation, GenerationStatus
from vibe.domain.ports import GenerationRepository, GenerationTotals, Page
from vibe.domain.reference_images import ReferenceImage
from vibe.domain.selection import Selected
from vibe.domain.usage import Usage

__all__ = ["SqlGenerationRepository"]

_UNFINISHED = [s.value for s in UNFINISHED]


def _generation(row: RowMapping) -> Generation:
    return Generation(
        id=row["id"],
        user_id=row["user_id"],
        project_id=row["project_id"],
        prompt=row["prompt"],
        status=GenerationStatus(row["status"]),
        model=row["model"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        version=row["version"],
        error=row["error"],
        error_code=row["error_code"],
        usage=Usage(
            input_tokens=row["input_tokens"],
            output_tokens=row["output_tokens"],
            cache_creation_input_tokens=row["cache_creation_input_tokens"],
            cache_read_input_tokens=row["cache_read_input_tokens"],
        ),
        checks=tuple(row["checks"] or ()),
        attempt=row["attempt"],
        lease_until=row["lease_until"],
        context_version=row["context_version"],
        selection=tuple(msgspec.convert(row["selection"] or [], list[Selected])),
    )


def _state(generation: Generation) -> dict[str, Any]:
    """The columns a session's life changes (never its identity, its usage, nor ``last_seq``)."""
    return {
        "status": generation.status.value,
        "started_at": generation.started_at,
        "finished_at": generation.finished_at,
        "version": generation.version,
        "error": generation.error,
        "error_code": generation.error_code,
        "checks": list(generation.checks),
        "attempt": generation.attempt,
        "lease_until": generation.lease_until,
        "context_version": generation.context_version,
    }


def _usage_columns(usage: Usage) -> dict[str, int]:
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cache_creation_input_tokens": usage.cache_creation_input_tokens,
        "cache_read_input_tokens": usage.cache_read_input_tokens,
    }


class SqlGenerationRepository(GenerationRepository):
    def __init__(self, connection: AsyncConnection, dialect: str) -> None:
        self._c = connection
        self._dialect = dialect

    async def add_images(self, generation_id: str, images: Sequence[ReferenceImage]) -> None:
        for position, image in enumerate(images):  # one at a time: each is up to 5 MiB
            row = {"generation_id": generation_id, "position": position, "media_type": image.media_type}
            await self._c.execute(insert(generation_images).values(**row, data=image.data))

    async def images(self, generation_id: str) -> tuple[ReferenceImage, ...]:
        query = (
            select(generation_images.c.media_type, generation_images.c.data)
            .where(generation_images.c.generation_id == generation_id)
            .order_by(generation_images.c.position)
        )
        rows = await self._c.execute(query)
        return tuple(ReferenceImage(media_type=r.media_type, data=bytes(r.data)) for r in rows)

    async def add_within_limit(self, generation: Generation, limit: int) -> bool:
        if self._dialect != "sqlite":  # SQLite's BEGIN IMMEDIATE already serialises this transaction
            await self._c.execute(
                select(users.c.id).where(users.c.id == generation.user_id).with_for_update()
            )
        running = select(func.count()).where(
            generations.c.user_id == generation.user_id, generations.c.status.in_(_UNFINISHED)
        )
        if (await self._c.execute(running)).scalar_one() >= limit:
            return False
        values = _state(generation) | {
            "id": generation.id,
            "user_id": generation.user_id,
            "project_id": generation.project_id,
            "prompt": generation.prompt,
            "selection": msgspec.to_builtins(generation.selection) if generation.selection else None,
            "model": generation.model,
            "created_at": generation.created_at,
            "last_seq": 0,
            **_usage_columns(generation.usage),
        }
        await self._c.execute(insert(generations).values(values))
        return True

    async def get(self, generation_id: str) -> Generation | None:
        query = select(generations).where(generations.c.id == generation_id)
        row = (await self._c.execute(query)).mappings().first()
        return _generation(row) if row else None

    async def page(
        self,
        user_id: str,
        limit: int,
        offset: int,
        project_id: str | None = None,
        status: GenerationStatus | None = None,
    ) -> Page[Generation]:
        where = [generations.c.user_id == user_id]
        if project_id is not None:
            where.append(generations.c.project_id == project_id)
        if status is not None:
            where.append(generations.c.status == status.value)
        total = (await self._c.execute(select(func.count()).where(*where))).scalar_one()
        query = (
            select(generations)
            .where(*where)
            .order_by(generations.c.created_at.desc(), generations.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = (await self._c.execute(query)).mappings().all()
        return Page(items=[_generation(r) for r in rows], total=total)

    async def save(self, generation: Generation, expected_attempt: int) -> bool:
        result = await self._c.execute(
            update(generations)
            .where(
                generations.c.id == generation.id,
                generations.c.attempt == expected_attempt,
                generations.c.status.in_(_UNFINISHED),
            )
            .values(_state(generation))
        )
        return result.rowcount == 1

    async def last_context(self, project_id: str) -> tuple[int, datetime] | None:
        c = generations.c
        query = (
            select(c.context_version, c.started_at)
            .where(c.project_id == project_id, c.context_version.is_not(None), c.started_at.is_not(None))
            .order_by(c.started_at.desc(), c.id.desc())
            .limit(1)
        )
        row = (await self._c.execute(query)).first()
        return (int(row[0]), row[1]) if row is not None else None

    async def add_usage(self, generation_id: str, usage: Usage) -> None:
        c = generations.c
        await self._c.execute(
            update(generations)
            .where(c.id == generation_id)
            .values(
                input_tokens=c.input_tokens + usage.input_tokens,
                output_tokens=c.output_tokens + usage.output_tokens,
                cache_creation_input_tokens=c.cache_creation_input_tokens + usage.cache_creation_input_tokens,
                cache_read_input_tokens=c.cache_read_input_tokens + usage.cache_read_input_tokens,
            )
        )

    async def totals(self) -> GenerationTotals:
        by_status = select(generations.c.status, func.count()).group_by(generations.c.status)
        counts = {row[0]: int(row[1]) for row in await self._c.execute(by_status)}
        c = generations.c
        columns = (c.input_tokens, c.output_tokens, c.cache_creation_input_tokens, c.cache_read_input_tokens)
        by_model = select(c.model, *(func.coalesce(func.sum(col), 0) for col in columns)).group_by(c.model)
        usage = {
            row[0]: Usage(
                input_tokens=int(row[1]),
                output_tokens=int(row[2]),
                cache_creation_input_tokens=int(row[3]),
                cache_read_input_tokens=int(row[4]),
            )
            for row in await self._c.execute(by_model)
        }
        return GenerationTotals(by_status=counts, usage_by_model=usage)

    async def renew(self, generation_id: str, attempt: int, lease_until: datetime) -> bool:
        result = await self._c.execute(
            update(generations)
            .where(
                generations.c.id == generation_id,
                generations.c.attempt == attempt,
                generations.c.status == GenerationStatus.RUNNING.value,
            )
            .values(lease_until=lease_until)
        )
        return result.rowcount == 1

    async def unfinished(self, lease_expired_before: datetime | None = None) -> list[Generation]:
        query = select(generations).where(generations.c.status.in_(_UNFINISHED))
        if lease_expired_before is not None:
            query = query.where(
                or_(
                    and_(
                        generations.c.status == GenerationStatus.RUNNING.value,
                        or_(
                            generations.c.lease_until.is_(None),
                            generations.c.lease_until < lease_expired_before,
                        ),
                    ),
                    and_(
                        generations.c.status == GenerationStatus.QUEUED.value,
                        generations.c.created_at < lease_expired_before,
                    ),
                )
            )
        rows = (await self._c.execute(query.order_by(generations.c.created_at))).mappings().all()
        return [_generation(r) for r in rows]
