"""``closing(stream)``: an async iterator closed where the block ends, in this task.

An async generator left unfinished (its consumer failed, or stopped early) is otherwise closed later
by the garbage collector's hook in another task: its cleanup (an HTTP stream to close, a span to end,
a circuit breaker's probe to release) would then run late, and outside the task's context.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

__all__ = ["closing"]

T = TypeVar("T")


@asynccontextmanager
async def closing(stream: AsyncIterator[T]) -> AsyncIterator[AsyncIterator[T]]:
    try:
        yield stream
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()
