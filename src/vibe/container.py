"""The one dependency-injector container: settings -> engine, clients, adapters, services.

Choices (in-process or Redis, Claude or offline) are ``Selector``s on the settings. Heavy or optional
clients (Redis, anthropic) are built by small typed factory functions that import on first use, so
``import vibe`` stays light. No wiring, no ``@inject``, no ``Resource``: each factory of something
that must be closed registers its close on ``resources``, the one exit stack ``Vibe.aclose`` unwinds
(the last made closes first; what was never made, or was overridden, is not closed).
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dependency_injector import containers, providers

from vibe.adapters.breaker import CircuitBreakerModel
from vibe.adapters.link_signer import HmacLinkSigner
from vibe.adapters.memory import (
    InlineJobQueue,
    InMemoryCache,
    InMemoryCircuitStore,
    InMemoryDenylist,
    InMemoryLiveEvents,
    InMemoryRateLimiter,
)
from vibe.adapters.memory_feed import InMemoryAccountFeed
from vibe.adapters.model_images import accepts_images
from vibe.adapters.redis import wiring as redis_wiring
from vibe.adapters.runner_lock import RunnerLock
from vibe.adapters.secret_file import FileSecretStore
from vibe.adapters.security import Argon2Hasher, JwtTokenService
from vibe.adapters.sql.engine import create_engine, sqlite_file
from vibe.adapters.sql.readiness import database_probe
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
from vibe.application.project_files import ProjectFiles
from vibe.application.projects import Projects
from vibe.application.runner import Runner
from vibe.application.sites import Sites
from vibe.application.throttles import Throttles
from vibe.application.tracing import NO_TRACER
from vibe.config import Settings, SettingsError
from vibe.domain.circuit import CircuitPolicy
from vibe.domain.ports import (
    AccountFeed,
    CancelBus,
    CircuitStore,
    Clock,
    JobQueue,
    ModelClient,
    ReadinessProbe,
    Tracer,
)
from vibe.domain.selection import ElementLocator

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


def _engine(settings: Settings, tracer: Tracer, resources: AsyncExitStack) -> AsyncEngine:
    """Made after the tracer (hence its argument): with tracing on, the engine is born instrumented."""
    engine = create_engine(settings.database_url)
    resources.push_async_callback(engine.dispose)
    return engine


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


def _element_locator() -> ElementLocator:
    from vibe.adapters.html_elements import SoupElementLocator

    return SoupElementLocator()


def _generations_config(settings: Settings) -> GenerationsConfig:
    return GenerationsConfig(
        max_concurrent=settings.max_concurrent_generations,
        heartbeat_seconds=settings.sse_heartbeat_seconds,
        accepts_images=accepts_images(settings.llm, settings.model, settings.model_images),
    )


def _throttles(settings: Settings) -> Throttles:
    """The limits, from the settings of the same names."""
    return Throttles(**{name: getattr(settings, name) for name in Throttles.__struct_fields__})


def _resources() -> AsyncExitStack:
    return AsyncExitStack()


def _local_feed(settings: Settings, resources: AsyncExitStack) -> AccountFeed:
    """Without Redis: a file beside a SQLite file database, so that every process on it (``serve``,
    ``vibe generate``) shares the account events; in memory otherwise."""
    from sqlalchemy.engine import make_url

    database = make_url(settings.database_url).database if settings.is_sqlite else None
    feed: AccountFeed
    if not database or database == ":memory:" or database.startswith("file:"):
        feed = InMemoryAccountFeed()
    else:
        from vibe.adapters.file_feed import FileAccountFeed

        path = Path(database)
        feed = FileAccountFeed(path.with_name(path.name + ".events"))
    redis_wiring.close_quietly(resources, feed.aclose)
    return feed


def _backend(settings: Settings) -> str:
    return "redis" if settings.redis_url else "memory"


def _secrets(settings: Settings) -> FileSecretStore:
    database = sqlite_file(settings.database_url) if settings.is_sqlite else None
    return FileSecretStore(settings.jwt_secret, database)


def _jwt_secret(store: FileSecretStore) -> str:
    return store.jwt_secret()


def _runner_lock(settings: Settings, resources: AsyncExitStack) -> RunnerLock:
    database = sqlite_file(settings.database_url) if settings.is_sqlite else None
    lock = RunnerLock(database, shared_database=not settings.is_sqlite)
    resources.callback(lock.release)
    return lock


def _hasher(resources: AsyncExitStack) -> Argon2Hasher:
    hasher = Argon2Hasher()
    resources.callback(hasher.close)
    return hasher


def _inline_queue(bus: CancelBus | None, resources: AsyncExitStack) -> JobQueue:
    queue = InlineJobQueue(bus=bus)
    redis_wiring.close_quietly(resources, queue.aclose)
    return queue


def _readiness(engine: AsyncEngine, redis_client: Redis | None) -> list[ReadinessProbe]:
    """What must answer before the app takes traffic: the database, and Redis when configured."""
    probes: list[ReadinessProbe] = [database_probe(engine)]
    if redis_client is not None:
        probes.append(redis_wiring.redis_readiness(redis_client))
    return probes


class Container(containers.DeclarativeContainer):
    settings: providers.Dependency[Settings] = providers.Dependency(instance_of=Settings)
    resources = providers.Singleton(_resources)
    secrets = providers.Singleton(_secrets, settings)
    jwt_secret = providers.Singleton(_jwt_secret, secrets)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UlidFactory)
    runner_lock = providers.Singleton(_runner_lock, settings, resources)

    tracer = providers.Singleton(_tracer, settings)
    engine = providers.Singleton(_engine, settings, tracer, resources)
    uow = providers.Singleton(SqlUnitOfWorkFactory, engine)
    redis = providers.Singleton(redis_wiring.redis_client, settings.provided.redis_url, resources)
    backend = providers.Callable(_backend, settings)
    readiness = providers.Singleton(_readiness, engine, redis)

    limiter = providers.Selector(
        backend,
        memory=providers.Singleton(InMemoryRateLimiter, clock),
        redis=providers.Singleton(redis_wiring.redis_limiter, redis),
    )
    denylist = providers.Selector(
        backend,
        memory=providers.Singleton(InMemoryDenylist, clock),
        redis=providers.Singleton(redis_wiring.redis_denylist, redis, resources),
    )
    cache = providers.Selector(
        backend,
        memory=providers.Singleton(InMemoryCache),
        redis=providers.Singleton(redis_wiring.redis_cache, redis, resources),
    )
    live_events = providers.Selector(
        backend,
        memory=providers.Singleton(InMemoryLiveEvents),
        redis=providers.Singleton(redis_wiring.redis_live_events, redis, resources),
    )
    account_feed = providers.Selector(
        backend,
        memory=providers.Singleton(_local_feed, settings, resources),
        redis=providers.Singleton(redis_wiring.redis_account_feed, redis, resources),
    )
    cancel_bus = providers.Selector(
        backend,
        memory=providers.Object(None),
        redis=providers.Singleton(redis_wiring.redis_cancel_bus, redis),
    )
    circuit_store = providers.Selector(
        backend,
        memory=providers.Singleton(InMemoryCircuitStore),
        redis=providers.Singleton(redis_wiring.redis_circuit_store, redis),
    )
    queue = providers.Selector(
        settings.provided.queue,
        inline=providers.Singleton(_inline_queue, cancel_bus, resources),
        redis=providers.Singleton(redis_wiring.redis_queue, redis, cancel_bus, resources),
    )

    hasher = providers.Singleton(_hasher, resources)
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
    project_files = providers.Singleton(
        ProjectFiles,
        uow=uow,
        clock=clock,
        projects=projects,
        max_asset_bytes=settings.provided.max_asset_bytes,
        max_project_bytes=settings.provided.max_project_bytes,
    )

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
    elements = providers.Singleton(_element_locator)
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
        elements=elements,
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
        elements=elements,
    )
    links = providers.Singleton(HmacLinkSigner, jwt_secret)
    preview_links = providers.Singleton(PreviewLinks, projects=projects, signer=links, clock=clock)
    sites = providers.Singleton(
        Sites, uow=uow, clock=clock, cache=cache, domain=settings.provided.sites_domain
    )
