"""Password hashing (argon2id) and access tokens (HS256 JWT); refresh tokens are opaque randoms."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import jwt
import msgspec
from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from vibe.domain.auth import ACCESS_TOKEN_TTL, AccessClaims
from vibe.domain.errors import AuthenticationError
from vibe.domain.ports import IdFactory, PasswordHasher, TokenService

__all__ = ["Argon2Hasher", "JwtTokenService"]

_REQUIRED_CLAIMS = ["sub", "iat", "exp", "jti", "typ", "fam"]
_INVALID = "The access token is invalid or expired."


class Argon2Hasher(PasswordHasher):
    """argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane; the library default costs ~10x more here),
    in one dedicated thread: hashing never blocks the event loop, and at most one hash runs
    at a time per process, so a burst of logins queues instead of exhausting memory and cores."""

    def __init__(self, *, time_cost: int = 2, memory_cost: int = 19456, parallelism: int = 1) -> None:
        self._argon2 = _Argon2(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._executor: ThreadPoolExecutor | None = None
        self._dummy: str | None = None

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:  # created on first use: constructing vibe starts no thread
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vibe-argon2")
        return self._executor

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool(), self._argon2.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool(), self._verify, password_hash, password
        )

    async def verify_dummy(self, password: str) -> None:
        if self._dummy is None:
            self._dummy = await self.hash(secrets.token_urlsafe(16))
        await self.verify(self._dummy, password)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


class JwtTokenService(TokenService):
    """HS256 only. Expiry is checked against the injected clock, so tests can move time.

    A client sends the same access token with every request for its 15 minutes, and PyJWT's checks
    cost more than the rest of an authenticated read; so the claims of the last ``VERIFIED_TOKENS``
    tokens whose signature and form were verified are kept, by their exact text. A kept token is
    still checked for expiry on every use (revocation is the denylist's, asked by the caller)."""

    VERIFIED_TOKENS = 4096

    def __init__(self, secret: str, ids: IdFactory) -> None:
        self._secret = secret
        self._ids = ids
        self._verified: dict[str, AccessClaims] = {}

    def issue_access(self, user_id: str, family_id: str, now: datetime) -> tuple[str, AccessClaims]:
        iat = int(now.timestamp())
        claims = AccessClaims(
            sub=user_id,
            jti=self._ids.new_id(),
            fam=family_id,
            iat=iat,
            exp=iat + int(ACCESS_TOKEN_TTL.total_seconds()),
        )
        return jwt.encode(msgspec.structs.asdict(claims), self._secret, algorithm="HS256"), claims

    def decode_access(self, token: str, now: datetime) -> AccessClaims:
        claims = self._verified.get(token)
        if claims is None:
            claims = self._verify(token)
            if len(self._verified) >= self.VERIFIED_TOKENS:
                del self._verified[next(iter(self._verified))]  # the oldest kept
            self._verified[token] = claims
        if claims.exp <= now.timestamp():
            self._verified.pop(token, None)
            raise AuthenticationError(_INVALID)
        return claims

    def _verify(self, token: str) -> AccessClaims:
        try:
            raw = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                options={"require": _REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False},
            )
            claims = msgspec.convert(raw, AccessClaims)
        except (jwt.InvalidTokenError, msgspec.ValidationError, ValueError, TypeError):
            raise AuthenticationError(_INVALID) from None
        if claims.typ != "access":
            raise AuthenticationError(_INVALID)
        return claims

    def new_refresh_token(self) -> str:
        return secrets.token_urlsafe(32)

    def hash_refresh_token(self, token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
