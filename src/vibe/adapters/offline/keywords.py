"""Keyword tables: which named entry of a table a text mentions first, on whole words only."""

from __future__ import annotations

import re
from functools import cache

__all__ = ["earliest"]


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # Lookarounds rather than \b, so symbols such as "€" match as words too.
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)


def earliest(table: tuple[tuple[str, str], ...], text: str) -> str | None:
    """The name of the table entry whose pattern occurs first in ``text``; ties go to the earlier entry."""
    best: tuple[int, str] | None = None
    for name, pattern in table:
        match = _compiled(pattern).search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), name)
    return None if best is None else best[1]
