"""Sessions of a login: access-token claims, refresh-token families and the token pair handed out.

A login starts a *family*. Each refresh consumes one refresh token of the family and issues the next;
presenting a consumed token again means it leaked, so the whole family is revoked. Access tokens carry
their family id, so revoking a family also ends its live access tokens.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from vibe.domain.users import User

__all__ = [
    "ACCESS_TOKEN_TTL",
    "FAMILY_TTL",
    "AccessClaims",
    "Principal",
    "RefreshToken",
    "TokenFamily",
    "TokenPair",
    "family_key",
    "jti_key",
]

ACCESS_TOKEN_TTL = timedelta(minutes=15)
FAMILY_TTL = timedelta(days=30)


class AccessClaims(msgspec.Struct, frozen=True, kw_only=True):
    sub: str
    jti: str
    fam: str
    iat: int
    exp: int
    typ: str = "access"


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who is calling: the user behind a valid access token, and that token's claims."""

    user: User
    claims: AccessClaims


class TokenPair(msgspec.Struct, frozen=True, kw_only=True):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret


class TokenFamily(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def alive(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class RefreshToken(msgspec.Struct, frozen=True, kw_only=True):
    """A refresh token as stored: only its SHA-256, never the token."""

    token_hash: str
    family_id: str
    user_id: str
    created_at: datetime
    used_at: datetime | None = None


def jti_key(jti: str) -> str:
    """Denylist key of one access token."""
    return f"jti:{jti}"


def family_key(family_id: str) -> str:
    """Denylist key of every access token of a family."""
    return f"fam:{family_id}"
