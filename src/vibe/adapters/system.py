"""The real clock and the id factory."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime

from vibe.domain.ports import Clock, IdFactory

__all__ = ["SystemClock", "UlidFactory"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class UlidFactory(IdFactory):
    """26-character lower-case ULIDs: 48 bits of milliseconds then 80 random bits, monotonic within a
    process (same millisecond: the random part counts up), so ids sort in creation order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def new_id(self) -> str:
        with self._lock:
            ms = time.time_ns() // 1_000_000
            if ms <= self._last_ms:
                ms = self._last_ms
                self._last_random = (self._last_random + 1) % (1 << 80)
            else:
                self._last_ms = ms
                self._last_random = secrets.randbits(79)  # headroom, so counting up never wraps
            value = (ms << 80) | self._last_random
        return "".join(_ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))
