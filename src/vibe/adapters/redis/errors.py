"""Redis failures in the domain's terms."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from vibe.domain.errors import UnavailableError

__all__ = ["REDIS_DOWN", "fail_closed", "unavailable"]

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)
P = ParamSpec("P")
T = TypeVar("T")


def unavailable(error: BaseException) -> UnavailableError:
    """What a caller sees of ``error``, one of ``REDIS_DOWN``."""
    unavailable = UnavailableError("A backing service (Redis) is unavailable; try again shortly.")
    unavailable.__cause__ = error
    return unavailable


def fail_closed(method: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """Turn 'Redis does not answer' into UnavailableError (503), never a silent yes."""

    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except REDIS_DOWN as error:
            raise unavailable(error) from error

    wrapper.__doc__ = method.__doc__
    wrapper.__name__ = method.__name__
    return wrapper
