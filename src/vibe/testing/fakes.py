"""Fakes of the small ports: a clock you move by hand, predictable ids, and a fast password hasher."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
from datetime import UTC, datetime, timedelta

from vibe.domain.ports import Clock, IdFactory, PasswordHasher

__all__ = ["FakeClock", "FastHasher", "SequentialIds"]


class FakeClock(Clock):
    """Time stands still until ``advance`` moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        self._now += timedelta(seconds=seconds, **delta)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment


_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


class SequentialIds(IdFactory):
    """26-character ids that count up (``00000000000000000000000001``...), valid in every id column."""

    def __init__(self, start: int = 1) -> None:
        self._counter = itertools.count(start)

    def new_id(self) -> str:
        value = next(self._counter)
        return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


class FastHasher(PasswordHasher):
    """Salted SHA-256 instead of argon2: same contract, microseconds instead of tens of milliseconds.

    ``version`` is part of each hash, so bumping it makes ``needs_rehash`` true for older hashes, as a
    change of argon2 parameters would.
    """

    def __init__(self, version: int = 1) -> None:
        self.version = version
        self.verifications = 0

    async def hash(self, password: str) -> str:
        salt = secrets.token_hex(8)
        return f"fast${self.version}${salt}${self._digest(salt, password)}"

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verifications += 1
        try:
            _scheme, _version, salt, digest = password_hash.split("$")
        except ValueError:
            return False
        return hmac.compare_digest(digest, self._digest(salt, password))

    async def verify_dummy(self, password: str) -> None:
        await self.verify(f"fast${self.version}$00$00", password)

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"fast${self.version}$")

    def close(self) -> None:
        return None

    @staticmethod
    def _digest(salt: str, password: str) -> str:
        return hashlib.sha256(f"{salt}:{password}".encode("utf-8", "surrogatepass")).hexdigest()
