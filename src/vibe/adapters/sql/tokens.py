"""Refresh tokens and their families (one per login) in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from vibe.adapters.sql.tables import refresh_tokens, token_families
from vibe.domain.auth import RefreshToken, TokenFamily
from vibe.domain.ports import TokenRepository

__all__ = ["SqlTokenRepository"]


def _family(row: RowMapping) -> TokenFamily:
    return TokenFamily(
        id=row["id"],
        user_id=row["user_id"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


class SqlTokenRepository(TokenRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add_family(self, family: TokenFamily) -> None:
        await self._c.execute(
            insert(token_families).values(
                id=family.id,
                user_id=family.user_id,
                created_at=family.created_at,
                expires_at=family.expires_at,
                revoked_at=family.revoked_at,
            )
        )

    async def get_family(self, family_id: str) -> TokenFamily | None:
        query = select(token_families).where(token_families.c.id == family_id)
        row = (await self._c.execute(query)).mappings().first()
        return _family(row) if row else None

    async def add_token(self, token: RefreshToken) -> None:
        await self._c.execute(
            insert(refresh_tokens).values(
                token_hash=token.token_hash,
                family_id=token.family_id,
                user_id=token.user_id,
                created_at=token.created_at,
                used_at=token.used_at,
            )
        )

    async def get_token(self, token_hash: str) -> RefreshToken | None:
        query = select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
        row = (await self._c.execute(query)).mappings().first()
        if row is None:
            return None
        return RefreshToken(
            token_hash=row["token_hash"],
            family_id=row["family_id"],
            user_id=row["user_id"],
            created_at=row["created_at"],
            used_at=row["used_at"],
        )

    async def consume(self, token_hash: str, now: datetime) -> bool:
        result = await self._c.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == token_hash, refresh_tokens.c.used_at.is_(None))
            .values(used_at=now)
        )
        return result.rowcount == 1

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        await self._c.execute(
            update(token_families)
            .where(token_families.c.id == family_id, token_families.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_user(self, user_id: str, now: datetime) -> list[str]:
        live = (
            select(token_families.c.id)
            .where(
                token_families.c.user_id == user_id,
                token_families.c.revoked_at.is_(None),
                token_families.c.expires_at > now,
            )
            .with_for_update()
        )
        ids = list((await self._c.execute(live)).scalars())
        if ids:
            await self._c.execute(
                update(token_families).where(token_families.c.id.in_(ids)).values(revoked_at=now)
            )
        return ids

    async def revoked_since(self, since: datetime) -> list[tuple[str, datetime]]:
        query = select(token_families.c.id, token_families.c.revoked_at).where(
            token_families.c.revoked_at > since
        )
        return [(row.id, row.revoked_at) for row in await self._c.execute(query)]
