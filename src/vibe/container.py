"""The one dependency-injector container: settings -> engine, clients, adapters, services.

Choices (in-process or Redis, Claude or offline) are ``Selector``s on the settings. Heavy or optional
clients (Redis, anthropic) are built by small factory functions that import on first use, so
``import vibe`` stays light. No wiring, no ``@inject``, no ``Resource``: ``Vibe.aclose`` disposes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dependency_injector import containers, providers

from vibe.adapters.memory import (
    InlineJobQueue,
    InMemoryCache,
    InMemoryEventLog,
    InMemoryRateLimiter,
    InMemoryTokenBlacklist,
)
from vibe.adapters.security import Argon2Hasher, JwtTokenService
from vibe.adapters.sql.engine import create_engine
from vibe.adapters.sql.uow import SqlUnitOfWorkFactory
from vibe.adapters.system import SystemClock, UlidFactory
from vibe.application.accounts import Accounts
from vibe.application.projects import Projects
from vibe.config import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["Container"]


def _backend(settings: Settings) -> str:
    return "redis" if settings.redis_url else "memory"


def _redis_client(url: str | None) -> Redis | None:
    if url is None:
        return None
    from redis.asyncio import Redis

    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=15)


class Container(containers.DeclarativeContainer):
    settings: providers.Dependency[Settings] = providers.Dependency(instance_of=Settings)
    jwt_secret: providers.Dependency[str] = providers.Dependency(instance_of=str)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UlidFactory)

    engine = providers.Singleton(create_engine, settings.provided.database_url)
    uow = providers.Singleton(SqlUnitOfWorkFactory, engine)
    redis: providers.Singleton[Any] = providers.Singleton(_redis_client, settings.provided.redis_url)
    backend = providers.Callable(_backend, settings)

    limiter = providers.Selector(backend, memory=providers.Singleton(InMemoryRateLimiter, clock))
    denylist = providers.Selector(backend, memory=providers.Singleton(InMemoryTokenBlacklist, clock))
    cache = providers.Selector(backend, memory=providers.Singleton(InMemoryCache))
    live_events = providers.Selector(backend, memory=providers.Singleton(InMemoryEventLog))
    queue = providers.Selector(settings.provided.queue, inline=providers.Singleton(InlineJobQueue))

    hasher = providers.Singleton(Argon2Hasher)
    tokens = providers.Singleton(JwtTokenService, jwt_secret, ids)

    accounts = providers.Singleton(
        Accounts,
        uow=uow,
        hasher=hasher,
        tokens=tokens,
        denylist=denylist,
        limiter=limiter,
        clock=clock,
        ids=ids,
    )
    projects = providers.Singleton(Projects, uow=uow, clock=clock, ids=ids)
