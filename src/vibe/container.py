"""The one dependency-injector container: settings -> engine, clients, adapters, services.

Choices (in-process or Redis, Claude or offline) are ``Selector``s on the settings. Heavy or optional
clients (Redis, anthropic) are built by small factory functions that import on first use, so
``import vibe`` stays light. No wiring, no ``@inject``, no ``Resource``: ``Vibe.aclose`` disposes.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dependency_injector import containers, providers

from vibe.adapters.breaker import CircuitBreakerModel
from vibe.adapters.links import HmacLinkSigner
from vibe.adapters.memory import (
    InlineJobQueue,
    InMemoryCache,
    InMemoryCircuitStore,
    InMemoryEventLog,
    InMemoryRateLimiter,
    InMemoryTokenBlacklist,
)
from vibe.adapters.memory_feed import InMemoryAccountFeed
from vibe.adapters.security import Argon2Hasher, JwtTokenService
from vibe.adapters.sql.engine import create_engine
from vibe.adapters.sql.uow import SqlUnitOfWorkFactory
from vibe.adapters.system import SystemClock, UlidFactory
from vibe.application.account_news import AccountNews
from vibe.application.accounts import Accounts
from vibe.application.budgets import Budgets
from vibe.application.fair_queue import FairQueue
from vibe.application.generations import Generations, GenerationsConfig
from vibe.application.history import History
from vibe.application.outcomes import Outcomes
from vibe.application.preview_links import PreviewLinks
from vibe.application.projects import Projects
from vibe.application.runner import Runner
from vibe.application.throttles import Throttles
from vibe.application.tracing import NO_TRACER
from vibe.config import Settings, SettingsError
from vibe.domain.circuit import CircuitPolicy
from vibe.domain.ports import AccountFeed, CircuitStore, Clock, JobQueue, ModelClient, Tracer

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["Container"]


def _claude_model(settings: Settings) -> ModelClient:
    import anthropic

    from vibe.adapters.claude import ClaudeModel, ClaudeOptions

    client = anthropic.AsyncAnthropic(
        api_key=settings.anthropic_api_key,
        base_url=settings.anthropic_base_url,
        max_retries=0,  # the adapter retries; the SDK's tries would multiply ours
        timeout=anthropic.Timeout(600.0, connect=10.0),
        **_anthropic_tracing(settings),
    )
    options = ClaudeOptions(
        max_output_tokens=settings.max_output_tokens, effort=settings.effort, thinking=settings.thinking
    )
    return ClaudeModel(client, settings.model, options)


def _openai_model(settings: Settings) -> ModelClient:
    import openai

    from vibe.adapters.openai_compat import OpenAICompatModel, OpenAIOptions, hosted_by_openai

    client = openai.AsyncOpenAI(
        # A local server (Ollama, vLLM, llama.cpp) needs no key, but the SDK insists on one.
        api_key=settings.openai_api_key or "none",
        base_url=settings.openai_base_url,
        max_retries=0,  # the adapter retries; the SDK's tries would multiply ours
        timeout=openai.Timeout(600.0, connect=10.0),
    )
    options = OpenAIOptions(
        max_output_tokens=settings.max_output_tokens,
        effort=settings.effort,
        openai_hosted=hosted_by_openai(settings.openai_base_url),
    )
    return OpenAICompatModel(client, settings.model, options)


def _guarded(settings: Settings, model: ModelClient, store: CircuitStore, clock: Clock) -> ModelClient:
    """A model API behind the circuit breaker (the offline model has no outages to guard against)."""
    if settings.llm == "offline":
        return model
    policy = CircuitPolicy(
        failures=settings.breaker_failures,
        window=timedelta(seconds=settings.breaker_window_seconds),
        cooldown=timedelta(seconds=settings.breaker_cooldown_seconds),
    )
    return CircuitBreakerModel(model, store, clock, policy)


def _tracer(settings: Settings) -> Tracer:
    """OpenTelemetry when its variables ask for it (imported only then), else the free no-op."""
    if not settings.tracing:
        return NO_TRACER
    try:
        from vibe.adapters.otel import install
    except ImportError as error:
        raise SettingsError(
            f"The OTEL_ variables ask for tracing, which needs OpenTelemetry ({error.name} is missing): "
            "pip install 'vibe[otel]', or unset them."
        ) from None
    return install(settings.trace_exporters)


def _engine(settings: Settings, tracer: Tracer) -> AsyncEngine:
    """Made after the tracer (hence its argument): with tracing on, the engine is born instrumented."""
    return create_engine(settings.database_url)


def _anthropic_tracing(settings: Settings) -> dict[str, Any]:
    """The SDK's own OpenTelemetry spans (one per API call, its HTTP tries inside, the trace carried
    on to the API): on with vibe's tracing, and then metadata only, whatever the environment says
    (never prompt text); off otherwise, so it calls nothing. Older SDKs have no such option."""
    import inspect

    import anthropic

    if "open_telemetry" not in inspect.signature(anthropic.AsyncAnthropic).parameters:
        return {}
    traces = {"enabled": True, "content_mode": "metadata_only"} if settings.tracing else False
    return {"open_telemetry": {"traces": traces}}


def _offline_model(settings: Settings) -> ModelClient:
    from vibe.adapters.offline import OfflineModel

    return OfflineModel(pace_seconds=settings.offline_pace_seconds)


def _generations_config(settings: Settings) -> GenerationsConfig:
    return GenerationsConfig(
        max_concurrent=settings.max_concurrent_generations,
        heartbeat_seconds=settings.sse_heartbeat_seconds,
    )


def _throttles(settings: Settings) -> Throttles:
    """The limits, from the settings of the same names."""
    return Throttles(**{name: getattr(settings, name) for name in Throttles.__struct_fields__})


def _redis_adapter(name: str, redis: Any) -> Any:
    """A Redis adapter by class name, imported on first use (Redis is optional)."""
    from vibe.adapters.redis import account_feed, cache, circuit, events, queue, shared_state

    for module in (cache, circuit, events, queue, shared_state, account_feed):
        if hasattr(module, name):
            return getattr(module, name)(redis)
    raise LookupError(name)


def _redis_queue(redis: Any, bus: Any) -> JobQueue:
    from vibe.adapters.redis.queue import RedisJobQueue

    return RedisJobQueue(redis, bus)


def _local_feed(settings: Settings) -> AccountFeed:
    """Without Redis: a file beside a SQLite file database, so that every process on it (``serve``,
    ``vibe generate``) shares the account events; in memory otherwise."""
    from sqlalchemy.engine import make_url

    database = make_url(settings.database_url).database if settings.is_sqlite else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return InMemoryAccountFeed()
    from vibe.adapters.file_feed import FileAccountFeed

    path = Path(database)
    return FileAccountFeed(path.with_name(path.name + ".events"))


def _backend(settings: Settings) -> str:
    return "redis" if settings.redis_url else "memory"


def _redis_client(url: str | None) -> Redis | None:
    if url is None:
        return None
    from vibe.adapters.redis.client import redis_client

    return redis_client(url)


class Container(containers.DeclarativeContainer):
    settings: providers.Dependency[Settings] = providers.Dependency(instance_of=Settings)
    jwt_secret: providers.Dependency[str] = providers.Dependency(instance_of=str)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UlidFactory)

    tracer = providers.Singleton(_tracer, settings)
    engine = providers.Singleton(_engine, settings, tracer)
    uow = providers.Singleton(SqlUnitOfWorkFactory, engine)
    redis: providers.Singleton[Any] = providers.Singleton(_redis_client, settings.provided.redis_url)
    backend = providers.Callable(_backend, settings)

    limiter = providers.Selector(
        backend,
        memory=providers.Singleton(InMemoryRateLimiter, clock),
        redis=providers.Singleton(_redis_adapter, "RedisRateLimiter", redis),
    )
    denylist = providers.Selector(
        backend,
        memory=providers.Singleton(InMemoryTokenBlacklist, clock),
        redis=providers.Singleton(_redis_adapter, "RedisTokenBlacklist", redis),
    )
    cache = providers.Selector(
        backend,
        memory=providers.Singleton(InMemoryCache),
        redis=providers.Singleton(_redis_adapter, "TieredCache", redis),
    )
    live_events = providers.Selector(
        backend,
        memory=providers.Singleton(InMemoryEventLog),
        redis=providers.Singleton(_redis_adapter, "RedisEventLog", redis),
    )
    account_feed = providers.Selector(
        backend,
        memory=providers.Singleton(_local_feed, settings),
        redis=providers.Singleton(_redis_adapter, "RedisAccountFeed", redis),
    )
    cancel_bus = providers.Selector(
        backend,
        memory=providers.Object(None),
        redis=providers.Singleton(_redis_adapter, "RedisCancelBus", redis),
    )
    circuit_store = providers.Selector(
        backend,
        memory=providers.Singleton(InMemoryCircuitStore),
        redis=providers.Singleton(_redis_adapter, "RedisCircuitStore", redis),
    )
    queue = providers.Selector(
        settings.provided.queue,
        inline=providers.Singleton(InlineJobQueue, bus=cancel_bus),
        redis=providers.Singleton(_redis_queue, redis, cancel_bus),
    )

    hasher = providers.Singleton(Argon2Hasher)
    # One turn at a time: the hasher has one thread, and the queue, not its executor, decides who is next.
    hash_queue = providers.Singleton(FairQueue, 1, settings.provided.password_queue_limit)
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
        cache=cache,
        throttles=providers.Callable(_throttles, settings),
        hash_queue=hash_queue,
    )
    news = providers.Singleton(AccountNews, account_feed, settings.provided.sse_heartbeat_seconds)
    projects = providers.Singleton(Projects, uow=uow, clock=clock, ids=ids, cache=cache, news=news)
    history = providers.Singleton(History, uow=uow, projects=projects, clock=clock)

    llm = providers.Selector(
        settings.provided.llm,
        claude=providers.Singleton(_claude_model, settings),
        openai=providers.Singleton(_openai_model, settings),
        offline=providers.Singleton(_offline_model, settings),
    )
    model = providers.Singleton(_guarded, settings, llm, circuit_store, clock)
    budgets = providers.Singleton(
        Budgets, uow=uow, clock=clock, default_budget=settings.provided.monthly_token_budget
    )
    outcomes = providers.Singleton(
        Outcomes, uow=uow, live=live_events, projects=projects, clock=clock, tracer=tracer
    )
    runner = providers.Singleton(
        Runner,
        uow=uow,
        projects=projects,
        outcomes=outcomes,
        live=live_events,
        model=model,
        clock=clock,
        budgets=budgets,
        max_turns=settings.provided.agent_max_turns,
        lease_seconds=settings.provided.generation_lease_seconds,
        tracer=tracer,
    )
    generations = providers.Singleton(
        Generations,
        uow=uow,
        projects=projects,
        runner=runner,
        outcomes=outcomes,
        queue=queue,
        live=live_events,
        clock=clock,
        ids=ids,
        config=providers.Callable(_generations_config, settings),
        budgets=budgets,
        tracer=tracer,
    )
    links = providers.Singleton(HmacLinkSigner, jwt_secret)
    preview_links = providers.Singleton(PreviewLinks, projects=projects, signer=links, clock=clock)
