"""Deterministic streaming: text cut into pieces of varying size, the sizes drawn from a hash of the text
itself, so the same answer always streams the same way and no piece boundary is special.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

__all__ = ["pieces"]


def _sizes(text: str, low: int, high: int) -> Iterator[int]:
    seed = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    block = 0
    while True:
        for byte in hashlib.blake2b(seed + block.to_bytes(8, "big"), digest_size=64).digest():
            yield low + byte % (high - low + 1)
        block += 1


def pieces(text: str, low: int = 16, high: int = 64) -> list[str]:
    """``text`` split into consecutive pieces of ``low``..``high`` characters (the last may be shorter);
    cuts fall anywhere, inside strings and escapes included."""
    out: list[str] = []
    start = 0
    sizes = _sizes(text, low, high)
    while start < len(text):
        size = next(sizes)
        out.append(text[start : start + size])
        start += size
    return out
