"""Settings: every variable of README "Configuration" (and vibe's own additions), parsed once, checked loudly.

``Settings.from_env(environ)`` is called by the CLI and the ASGI factory only; ``import vibe`` and
``vibe.connect`` never read the environment.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping
from typing import Literal, overload
from urllib.parse import urlsplit

import msgspec

from vibe.domain.assets import DEFAULT_MAX_ASSET_BYTES, DEFAULT_MAX_PROJECT_BYTES
from vibe.domain.budgets import MAX_BUDGET_TOKENS
from vibe.domain.generations import DEFAULT_LEASE_SECONDS, DEFAULT_MAX_TURNS

__all__ = ["DEFAULT_DATABASE_URL", "DEFAULT_MODEL", "Settings", "SettingsError", "tracing_exporters"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./vibe.db"
DEFAULT_MODEL = "claude-sonnet-5-5"
MIN_JWT_SECRET_BYTES = 32

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "mysql": "mysql+aiomysql",
    "mariadb": "mysql+aiomysql",
    "mysql+aiomysql": "mysql+aiomysql",
    "mariadb+aiomysql": "mysql+aiomysql",
}
_ORIGIN_RE = re.compile(r"^https?://[^/\s?#]+$")
_TRACE_EXPORTERS = ("otlp", "console", "none")


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable and the fix."""


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    queue: Literal["inline", "redis"] = "inline"
    jwt_secret: str | None = msgspec.field(default=None)
    llm: Literal["claude", "openai", "offline"] = "offline"
    anthropic_api_key: str | None = None
    anthropic_base_url: str | None = None
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    model: str = DEFAULT_MODEL
    max_output_tokens: int | None = None  # None: what the model allows for one streamed turn
    effort: Literal["low", "medium", "high"] = "medium"
    thinking: Literal["adaptive", "between_tools"] = "adaptive"
    cors_origins: tuple[str, ...] = ()
    max_concurrent_generations: int = 2
    monthly_token_budget: int | None = None  # None: unlimited
    # vibe's own additions (README, "Configuration")
    trusted_proxies: tuple[str, ...] = ()
    sse_heartbeat_seconds: float = 15.0
    offline_pace_seconds: float = 0.01
    max_body_bytes: int = 1024 * 1024
    max_asset_bytes: int = DEFAULT_MAX_ASSET_BYTES  # one uploaded image or font (VIBE_MAX_ASSET_BYTES)
    max_project_bytes: int = DEFAULT_MAX_PROJECT_BYTES  # all files of one version (VIBE_MAX_PROJECT_BYTES)
    model_images: bool | None = None  # VIBE_MODEL_IMAGES: the model sees images (None: known by name)
    agent_max_turns: int = DEFAULT_MAX_TURNS
    generation_lease_seconds: float = DEFAULT_LEASE_SECONDS
    log_level: str = "INFO"
    # sign-in and sign-up throttles (application/throttles.py)
    login_failures_per_account_and_address: int = 10
    login_failures_per_account: int = 50
    login_accounts_per_address: int = 20
    login_window_seconds: int = 15 * 60
    registrations_per_address: int = 60
    registration_window_seconds: int = 10 * 60
    password_queue_limit: int = 100
    breaker_failures: int = 5
    breaker_window_seconds: float = 60.0
    breaker_cooldown_seconds: float = 30.0
    # OpenTelemetry: on when its standard variables ask for it (``tracing_exporters``), else off
    trace_exporters: tuple[str, ...] = ()
    # published sites (README, "Published sites"): unset, publishing is off
    sites_domain: str | None = None
    public_url: str | None = None

    @property
    def tracing(self) -> bool:
        return bool(self.trace_exporters)

    def __repr__(self) -> str:  # never print secrets
        shown = {f: getattr(self, f) for f in self.__struct_fields__}
        for secret in ("jwt_secret", "anthropic_api_key", "openai_api_key"):
            if shown[secret]:
                shown[secret] = "***"
        shown["database_url"] = _hide_password(self.database_url)
        if self.redis_url:
            shown["redis_url"] = _hide_password(self.redis_url)
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def embedded(self) -> bool:
        """The embedded default: SQLite and no Redis, everything in this one process."""
        return self.is_sqlite and self.redis_url is None

    def trusted_networks(self) -> tuple[Network, ...]:
        return tuple(ipaddress.ip_network(p, strict=False) for p in self.trusted_proxies)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read and check every variable; raise SettingsError naming the first bad one."""
        env = {
            k: v.strip()
            for k, v in environ.items()
            if k.startswith(("VIBE_", "ANTHROPIC_", "OPENAI_")) and v.strip()
        }
        api_key = env.get("ANTHROPIC_API_KEY")
        settings = cls(
            database_url=_database_url(env.get("VIBE_DATABASE_URL", DEFAULT_DATABASE_URL)),
            redis_url=_redis_url(env.get("VIBE_REDIS_URL")),
            queue=_choice(env, "VIBE_QUEUE", ("inline", "redis"), "inline"),  # type: ignore[arg-type]
            jwt_secret=env.get("VIBE_JWT_SECRET"),
            llm=_choice(env, "VIBE_LLM", ("claude", "openai", "offline"), "claude" if api_key else "offline"),  # type: ignore[arg-type]
            anthropic_api_key=api_key,
            anthropic_base_url=env.get("ANTHROPIC_BASE_URL"),
            openai_api_key=env.get("OPENAI_API_KEY"),
            openai_base_url=_http_url(env.get("OPENAI_BASE_URL"), "OPENAI_BASE_URL"),
            model=env.get("VIBE_MODEL", DEFAULT_MODEL),
            max_output_tokens=_int(env, "VIBE_MAX_OUTPUT_TOKENS", None, 1024, 1_000_000),
            effort=_choice(env, "VIBE_EFFORT", ("low", "medium", "high"), "medium"),  # type: ignore[arg-type]
            thinking=_choice(env, "VIBE_THINKING", ("adaptive", "between_tools"), "adaptive"),  # type: ignore[arg-type]
            cors_origins=_origins(env.get("VIBE_CORS_ORIGINS", "")),
            max_concurrent_generations=_int(env, "VIBE_MAX_CONCURRENT_GENERATIONS", 2, 1, 1000),
            monthly_token_budget=_int(env, "VIBE_MONTHLY_TOKEN_BUDGET", None, 0, MAX_BUDGET_TOKENS),
            trusted_proxies=_networks(env.get("VIBE_TRUSTED_PROXIES", "")),
            sse_heartbeat_seconds=_float(env, "VIBE_SSE_HEARTBEAT_SECONDS", 15.0, 0.01, 3600),
            offline_pace_seconds=_float(env, "VIBE_OFFLINE_PACE_SECONDS", 0.01, 0, 10),
            max_body_bytes=_int(env, "VIBE_MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
            # at most what a MySQL MEDIUMBLOB (the blobs' column) holds
            max_asset_bytes=_int(
                env, "VIBE_MAX_ASSET_BYTES", DEFAULT_MAX_ASSET_BYTES, 1024, 16 * 1024 * 1024 - 1
            ),
            max_project_bytes=_int(
                env, "VIBE_MAX_PROJECT_BYTES", DEFAULT_MAX_PROJECT_BYTES, 1024, 16 * 1024 * 1024 * 1024
            ),
            model_images=_flag(env, "VIBE_MODEL_IMAGES"),
            agent_max_turns=_int(env, "VIBE_AGENT_MAX_TURNS", DEFAULT_MAX_TURNS, 1, 50),
            generation_lease_seconds=_float(
                env, "VIBE_GENERATION_LEASE_SECONDS", DEFAULT_LEASE_SECONDS, 1, 3600
            ),
            log_level=_choice(
                env, "VIBE_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO", upper=True
            ),
            **_throttles(env),
            breaker_failures=_int(env, "VIBE_BREAKER_FAILURES", 5, 1, 1000),
            breaker_window_seconds=_float(env, "VIBE_BREAKER_WINDOW_SECONDS", 60.0, 1, 86400),
            breaker_cooldown_seconds=_float(env, "VIBE_BREAKER_COOLDOWN_SECONDS", 30.0, 0.1, 86400),
            trace_exporters=tracing_exporters(environ),
            sites_domain=_sites_domain(env.get("VIBE_SITES_DOMAIN")),
            public_url=_public_url(env.get("VIBE_PUBLIC_URL")),
        )
        if settings.llm == "openai" and "VIBE_MODEL" not in env:
            raise SettingsError(
                "VIBE_LLM=openai needs VIBE_MODEL, the model name the endpoint knows "
                "(for example gpt-5, or llama3.1 on Ollama)."
            )
        return settings.checked()

    def checked(self) -> Settings:
        """Cross-variable rules; also run by ``vibe.connect`` on settings built in code."""
        if self.queue == "redis" and not self.redis_url:
            raise SettingsError(
                "VIBE_QUEUE=redis needs VIBE_REDIS_URL (for example redis://127.0.0.1:6379/0)."
            )
        if self.llm == "claude" and not self.anthropic_api_key:
            raise SettingsError(
                "VIBE_LLM=claude needs ANTHROPIC_API_KEY; unset VIBE_LLM to use the offline model."
            )
        if self.llm == "openai" and not (self.openai_api_key or self.openai_base_url):
            raise SettingsError(
                "VIBE_LLM=openai needs OPENAI_API_KEY (for OpenAI itself) or OPENAI_BASE_URL (for "
                "another endpoint, such as http://127.0.0.1:11434/v1 for Ollama)."
            )
        if self.jwt_secret is not None and len(self.jwt_secret.encode()) < MIN_JWT_SECRET_BYTES:
            raise SettingsError(f"VIBE_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes.")
        if self.jwt_secret is None and not self.is_sqlite:
            raise SettingsError(
                "VIBE_JWT_SECRET is required outside the embedded SQLite default (at least 32 bytes; "
                'for example: python -c "import secrets; print(secrets.token_urlsafe(48))").'
            )
        if not self.model.strip():
            raise SettingsError("VIBE_MODEL must not be empty.")
        _check_sites_apart(self)
        return self


_COUNT = (1, 1_000_000)
_WINDOW = (1, 7 * 24 * 3600)
# setting: (variable, default, bounds)
_THROTTLES: dict[str, tuple[str, int, tuple[int, int]]] = {
    "login_failures_per_account_and_address": ("VIBE_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS", 10, _COUNT),
    "login_failures_per_account": ("VIBE_LOGIN_FAILURES_PER_ACCOUNT", 50, _COUNT),
    "login_accounts_per_address": ("VIBE_LOGIN_ACCOUNTS_PER_ADDRESS", 20, _COUNT),
    "login_window_seconds": ("VIBE_LOGIN_WINDOW_SECONDS", 15 * 60, _WINDOW),
    "registrations_per_address": ("VIBE_REGISTRATIONS_PER_ADDRESS", 60, _COUNT),
    "registration_window_seconds": ("VIBE_REGISTRATION_WINDOW_SECONDS", 10 * 60, _WINDOW),
    "password_queue_limit": ("VIBE_PASSWORD_QUEUE_LIMIT", 100, (1, 100_000)),
}


def _throttles(env: Mapping[str, str]) -> dict[str, int]:
    return {
        field: _int(env, variable, default, *bounds)
        for field, (variable, default, bounds) in _THROTTLES.items()
    }


def tracing_exporters(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The span exporters OpenTelemetry's standard variables ask for; () means no tracing at all.

    ``OTEL_TRACES_EXPORTER`` names them (``otlp``, ``console``, ``none``); without it, an OTLP endpoint
    (``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``..._TRACES_ENDPOINT``) means ``otlp``. ``OTEL_SDK_DISABLED=true``
    turns everything off. Other OTEL_ variables alone (a service name, a sampler) trace nothing."""
    value = {k: v.strip() for k, v in environ.items() if k.startswith("OTEL_") and v.strip()}
    if value.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return ()
    if "OTEL_TRACES_EXPORTER" not in value:
        endpoint = "OTEL_EXPORTER_OTLP_ENDPOINT" in value or "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" in value
        return ("otlp",) if endpoint else ()
    names = tuple(
        dict.fromkeys(n.strip().lower() for n in value["OTEL_TRACES_EXPORTER"].split(",") if n.strip())
    )
    unknown = [n for n in names if n not in _TRACE_EXPORTERS]
    if unknown:
        raise SettingsError(
            f"OTEL_TRACES_EXPORTER holds {', '.join(unknown)!s}; vibe exports spans with "
            "otlp, console or none."
        )
    return tuple(n for n in names if n != "none")


def _hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _database_url(raw: str) -> str:
    scheme, sep, rest = raw.partition("://")
    if not sep or scheme.lower() not in _DRIVERS:
        raise SettingsError(
            f"VIBE_DATABASE_URL must be a SQLite or MySQL/MariaDB URL such as {DEFAULT_DATABASE_URL} or "
            "mysql+aiomysql://user:pass@host:3306/vibe."
        )
    url = f"{_DRIVERS[scheme.lower()]}://{rest}"
    if url.startswith("mysql") and not urlsplit(url).hostname:
        raise SettingsError(
            "VIBE_DATABASE_URL for MySQL/MariaDB needs a host, e.g. mysql+aiomysql://u:p@host/vibe."
        )
    return url


def _http_url(raw: str | None, name: str) -> str | None:
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{name} must be an http:// or https:// URL, such as http://127.0.0.1:11434/v1.")
    return raw


def _redis_url(raw: str | None) -> str | None:
    if raw is None:
        return None
    if urlsplit(raw).scheme not in ("redis", "rediss", "unix"):
        raise SettingsError("VIBE_REDIS_URL must be a redis://, rediss:// or unix:// URL.")
    return raw


def _choice(
    env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str, upper: bool = False
) -> str:
    value = env.get(name, default)
    value = value.upper() if upper else value.lower()
    if value not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}; got {env[name]!r}.")
    return value


@overload
def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int: ...
@overload
def _int(env: Mapping[str, str], name: str, default: None, low: int, high: int) -> int | None: ...
def _int(env: Mapping[str, str], name: str, default: int | None, low: int, high: int) -> int | None:
    if name not in env:
        return default
    try:
        value = int(env[name])
    except ValueError:
        raise SettingsError(f"{name} must be a whole number; got {env[name]!r}.") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}; got {value}.")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool | None:
    if name not in env:
        return None
    value = env[name].lower()
    if value not in ("1", "0", "true", "false", "yes", "no"):
        raise SettingsError(f"{name} must be 1 or 0; got {env[name]!r}.")
    return value in ("1", "true", "yes")


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    if name not in env:
        return default
    try:
        value = float(env[name])
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds; got {env[name]!r}.") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}; got {env[name]!r}.")
    return value


def _origins(raw: str) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin.lower() == "null" or not _ORIGIN_RE.match(origin):
            raise SettingsError(
                f"VIBE_CORS_ORIGINS holds {origin!r}; list origins like https://app.example.com "
                "(never 'null' or '*')."
            )
    return origins


def _networks(raw: str) -> tuple[str, ...]:
    entries = tuple(p.strip() for p in raw.split(",") if p.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                f"VIBE_TRUSTED_PROXIES holds {entry!r}, which is not an IP address or network."
            ) from None
    return entries


_DNS_NAME = re.compile(
    r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)


def _sites_domain(raw: str | None) -> str | None:
    """A DNS name, optionally with the port the sites are reached on (``sites.localhost:8000``)."""
    if raw is None:
        return None
    host, sep, port = (
        raw.lower().rstrip(".").rpartition(":") if ":" in raw else (raw.lower().rstrip("."), "", "")
    )
    if not _DNS_NAME.fullmatch(host) or host.replace(".", "").isdigit() or (sep and not port.isdigit()):
        raise SettingsError(
            f"VIBE_SITES_DOMAIN must be a DNS name such as sites.example.com (a port may follow); "
            f"got {raw!r}."
        )
    return f"{host}:{port}" if sep else host


def _public_url(raw: str | None) -> str | None:
    if raw is None:
        return None
    url = raw.rstrip("/")
    if not _ORIGIN_RE.match(url):
        raise SettingsError(
            f"VIBE_PUBLIC_URL must be the app's origin, such as https://vibe.example.com; got {raw!r}."
        )
    return url


def _check_sites_apart(settings: Settings) -> None:
    """Refuse a sites domain that would put a site on the app's own origin, or the app under it: a
    site there would share the app's cookies (and a CORS origin there would give sites the API)."""
    if settings.sites_domain is None:
        return
    domain = (
        settings.sites_domain.rpartition(":")[0] if ":" in settings.sites_domain else settings.sites_domain
    )
    for name, origin in [
        ("VIBE_PUBLIC_URL", settings.public_url),
        *(("VIBE_CORS_ORIGINS", o) for o in settings.cors_origins),
    ]:
        host = (urlsplit(origin).hostname or "").rstrip(".") if origin else ""
        if host and (host == domain or host.endswith("." + domain)):
            raise SettingsError(
                f"VIBE_SITES_DOMAIN {domain!r} holds the app's own origin ({name} {origin}): published "
                "sites would share its cookies. Serve sites from a domain of their own, such as "
                "sites.example.com for an app at vibe.example.com (better still, another registrable "
                "domain, as github.io is for github.com)."
            )
