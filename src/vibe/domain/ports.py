"""Every port of vibe: what the core needs from the outside world, as Protocols.

Adapters and fakes subclass these explicitly, so ``mypy --strict`` checks each implementation where it
is written. Ports are coarse on purpose: one per role, not one per method.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Coroutine, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Literal, Protocol, Self, TypeVar

import msgspec

from vibe.domain.auth import AccessClaims, RefreshToken, TokenFamily
from vibe.domain.circuit import Circuit
from vibe.domain.conversation import ModelChunk, ModelRequest, TokenEstimate, estimate_input_tokens
from vibe.domain.events import Event, StoredEvent
from vibe.domain.generations import Generation, GenerationStatus
from vibe.domain.projects import FileEntry, Project, Version
from vibe.domain.reference_images import ReferenceImage
from vibe.domain.sites import PublishedSite
from vibe.domain.usage import Usage
from vibe.domain.users import Role, User

__all__ = [
    "AccountFeed",
    "Attribute",
    "Attributes",
    "BudgetRepository",
    "Cache",
    "CancelBus",
    "Circuit",
    "CircuitStore",
    "Clock",
    "Denylist",
    "DenylistForgotten",
    "EventStore",
    "GenerationRepository",
    "GenerationTotals",
    "IdFactory",
    "JobHandler",
    "JobQueue",
    "LinkSigner",
    "LiveEvents",
    "ModelClient",
    "Page",
    "PasswordHasher",
    "ProjectRepository",
    "Quota",
    "RateLimiter",
    "ReadinessProbe",
    "SecretStore",
    "SiteRepository",
    "Span",
    "TokenRepository",
    "TokenService",
    "TraceCarrier",
    "Tracer",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserRepository",
    "UserSpend",
    "WindowCount",
]


T = TypeVar("T")


class Page(msgspec.Struct, Generic[T], frozen=True):
    items: list[T]
    total: int


# --- time, ids, secrets ---------------------------------------------------------------------------


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class IdFactory(Protocol):
    def new_id(self) -> str:
        """A new unique id; ids made later sort after ids made earlier."""
        ...


class LinkSigner(Protocol):
    """Short-lived capability links to one version of one project (the preview's ``/s/{token}/``)."""

    def sign(self, project_id: str, version: int, now: datetime) -> tuple[str, datetime]:
        """A compact, URL-safe token for (project, version) and the moment it stops working."""
        ...

    def verify(self, token: str, now: datetime) -> tuple[str, int]:
        """(project id, version) of a genuine, unexpired token; NotFoundError for anything else."""
        ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...
    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_dummy(self, password: str) -> None:
        """Do the work of one ``verify`` against a hash of nothing: unknown emails cost the same."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    def close(self) -> None:
        """Release what hashing holds (a worker thread)."""
        ...


class TokenService(Protocol):
    def issue_access(self, user_id: str, family_id: str, now: datetime) -> tuple[str, AccessClaims]: ...

    def decode_access(self, token: str, now: datetime) -> AccessClaims:
        """Verify signature, algorithm, type and expiry; raise AuthenticationError otherwise."""
        ...

    def new_refresh_token(self) -> str: ...
    def hash_refresh_token(self, token: str) -> str: ...


# --- persistence ----------------------------------------------------------------------------------


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Raise ConflictError when the normalised email is taken."""
        ...

    async def get(self, user_id: str) -> User | None: ...
    async def get_by_email(self, email_normalized: str) -> User | None: ...
    async def page(self, limit: int, offset: int) -> Page[User]: ...

    async def change(
        self,
        user_id: str,
        now: datetime,
        *,
        display_name: str | None = None,
        role: Role | None = None,
        password_hash: str | None = None,
        if_password_hash: str | None = None,
    ) -> User | None:
        """Write the fields given (not None) and ``updated_at``, and only those, in one statement, so
        a concurrent change of another field is never undone; with ``if_password_hash``, only while
        the stored hash is still that one. The user as stored after, or None when nothing matched."""
        ...

    async def delete(self, user_id: str) -> None:
        """Delete the user with everything they own (projects, generations, tokens)."""
        ...

    async def lock(self, user_id: str) -> None:
        """Serialise this transaction with every other one that locks the same user."""
        ...


class TokenRepository(Protocol):
    async def add_family(self, family: TokenFamily) -> None: ...
    async def get_family(self, family_id: str) -> TokenFamily | None: ...
    async def add_token(self, token: RefreshToken) -> None: ...
    async def get_token(self, token_hash: str) -> RefreshToken | None: ...

    async def consume(self, token_hash: str, now: datetime) -> bool:
        """Mark an unused token used in one conditional update; False when it was already used."""
        ...

    async def revoke_family(self, family_id: str, now: datetime) -> None: ...

    async def revoke_user(self, user_id: str, now: datetime) -> list[str]:
        """Revoke every live family of a user; return their ids."""
        ...

    async def revoked_since(self, since: datetime) -> list[tuple[str, datetime]]:
        """(family id, revoked at) of the families revoked after ``since``."""
        ...


class ProjectRepository(Protocol):
    async def add(self, project: Project) -> None: ...
    async def get(self, project_id: str) -> Project | None: ...
    async def update(self, project: Project) -> None: ...
    async def delete(self, project_id: str) -> None: ...
    async def page(self, owner_id: str, limit: int, offset: int) -> Page[Project]: ...

    async def add_version(
        self,
        project_id: str,
        files: Mapping[str, str],
        summary: str,
        generation_id: str | None,
        now: datetime,
        *,
        keep_assets: bool = False,
    ) -> Version | None:
        """Store ``files`` as the next version and make it current, numbered atomically after the
        current one (concurrent commits serialise on the project); None when there is no project.
        Contents are stored once per SHA-256. ``keep_assets``: the binary assets of the version it
        follows are kept too (but where ``files`` names the same path)."""
        ...

    async def change_files(
        self,
        project_id: str,
        put: Sequence[tuple[FileEntry, bytes]],
        remove: Collection[str],
        summary: str,
        now: datetime,
        base: int | None = None,
    ) -> Version | None:
        """The next version: the files of the one it follows, with ``put`` added or replaced and
        ``remove`` left out, decided under the same lock as the number (so concurrent changes each
        build on the one before and none is lost). ConflictError when ``base`` is given and the
        current version is not ``base``; NotFoundError when a path of ``remove`` is not there."""
        ...

    async def copy_version(
        self,
        project_id: str,
        source_project_id: str,
        source_version: int,
        summary: str,
        now: datetime,
        generation_id: str | None = None,
    ) -> Version | None:
        """The next version of ``project_id`` holds exactly the files (text and assets) of
        ``source_version`` of ``source_project_id`` (the same project: a restore; another: a fork),
        bytes copied within the database, never through Python."""
        ...

    async def file_entry(self, project_id: str, version: int, path: str) -> FileEntry | None:
        """A file's metadata without its bytes (what an ETag check needs)."""
        ...

    async def read_blob(self, project_id: str, sha256: str) -> bytes | None: ...

    async def versions(self, project_id: str) -> list[Version]: ...
    async def files(self, project_id: str, version: int) -> list[FileEntry]: ...
    async def read_file(self, project_id: str, version: int, path: str) -> tuple[FileEntry, bytes] | None: ...
    async def read_all(self, project_id: str, version: int) -> dict[str, str]:
        """The text files of a version with their contents (binary assets are left out)."""
        ...


class GenerationTotals(msgspec.Struct, frozen=True):
    by_status: dict[str, int]
    usage_by_model: dict[str, Usage]


class GenerationRepository(Protocol):
    async def add_within_limit(self, generation: Generation, limit: int) -> bool:
        """Insert if the user has fewer than ``limit`` unfinished generations, atomically."""
        ...

    async def get(self, generation_id: str) -> Generation | None: ...

    async def add_images(self, generation_id: str, images: Sequence[ReferenceImage]) -> None:
        """Keep the reference images sent with a generation's prompt, in order."""
        ...

    async def images(self, generation_id: str) -> tuple[ReferenceImage, ...]: ...

    async def page(
        self,
        user_id: str,
        limit: int,
        offset: int,
        project_id: str | None = None,
        status: GenerationStatus | None = None,
    ) -> Page[Generation]: ...

    async def save(self, generation: Generation, expected_attempt: int) -> bool:
        """Write the new state if the stored attempt still equals ``expected_attempt`` and the stored
        session is unfinished; False otherwise (fencing). Usage is not part of the state: see
        ``add_usage``."""
        ...

    async def last_context(self, project_id: str) -> tuple[int, datetime] | None:
        """(context version, start) of the project's latest started session that recorded one."""
        ...

    async def add_usage(self, generation_id: str, usage: Usage) -> None:
        """Add what a call billed to the session's usage, whatever its state or attempt: a cancelled,
        failed or taken-over run was billed all the same."""
        ...

    async def totals(self) -> GenerationTotals:
        """Sessions by status and tokens billed by model, over everyone (for the metrics)."""
        ...

    async def renew(self, generation_id: str, attempt: int, lease_until: datetime) -> bool:
        """Extend the lease of a running session still at ``attempt``; False when it is not."""
        ...

    async def unfinished(self, lease_expired_before: datetime | None = None) -> list[Generation]:
        """Unfinished sessions; with a time, only running ones whose lease ran out before it and
        queued ones created before it."""
        ...


class EventStore(Protocol):
    """The durable, append-only record of every session's events."""

    async def append(
        self, generation_id: str, attempt: int, events: Sequence[Event]
    ) -> list[StoredEvent] | None:
        """Number ``events`` after the session's last one and store them, if the session is unfinished
        and still at ``attempt`` (fencing); None otherwise. Numbering and fencing are one atomic step."""
        ...

    async def after(self, generation_id: str, after: int, limit: int = 1000) -> list[StoredEvent]: ...


class UserSpend(msgspec.Struct, frozen=True, kw_only=True):
    """One user's spend in a month, with the budget set for them (None: the default applies)."""

    user: User
    usage: Usage
    own_budget: int | None


SpendSort = Literal["email", "spent", "budget", "remaining"]


class BudgetRepository(Protocol):
    """Each user's spend per calendar month (one row per user and month) and their own budgets."""

    async def charge(self, user_id: str, period_start: datetime, usage: Usage) -> None:
        """Add ``usage`` to the user's spend of the month that starts at ``period_start``, making the
        row when there is none; atomic with every concurrent charge of the same row."""
        ...

    async def spent(self, user_id: str, period_start: datetime) -> Usage: ...
    async def own_budget(self, user_id: str) -> int | None: ...

    async def set_budget(self, user_id: str, monthly_tokens: int | None) -> None:
        """Set the user's own budget; None removes it (the default applies again)."""
        ...

    async def overview(
        self,
        period_start: datetime,
        *,
        default_budget: int | None,
        sort: SpendSort,
        descending: bool,
        limit: int,
        offset: int,
    ) -> Page[UserSpend]:
        """Every user with their spend of that month and their own budget, sorted by ``sort`` (the
        effective budget and what is left of it count an unlimited budget as the largest), ties by
        user id."""
        ...


class SiteRepository(Protocol):
    """Published sites: at most one per project, each slug held by one project at most."""

    async def get(self, project_id: str) -> PublishedSite | None: ...
    async def by_slug(self, slug: str) -> PublishedSite | None: ...

    async def slugs_of_owner(self, owner_id: str) -> list[str]:
        """The slugs of every site of one user's projects."""
        ...

    async def put(self, site: PublishedSite) -> None:
        """Publish, or move the project's site to ``site``'s slug and version in one statement;
        ConflictError when another project holds the slug."""
        ...

    async def delete(self, project_id: str) -> bool:
        """Take the project's site down; False when there was none."""
        ...

    async def page(self, limit: int, offset: int) -> Page[PublishedSite]:
        """Every site, most recently published first."""
        ...


class UnitOfWork(Protocol):
    users: UserRepository
    tokens: TokenRepository
    projects: ProjectRepository
    generations: GenerationRepository
    events: EventStore
    budgets: BudgetRepository
    sites: SiteRepository

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back unless committed."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, readonly: bool = False) -> UnitOfWork: ...


# --- shared state: cache, limiter, denylist, live events, queue -----------------------------------


class WindowCount(msgspec.Struct, frozen=True):
    count: int
    reset_in: int  # seconds until the window ends


class Quota(msgspec.Struct, frozen=True):
    """At most ``limit`` hits on ``key`` within a fixed window of ``window_seconds`` from the first;
    with ``member``, at most ``limit`` distinct members instead (a member already in counts once).
    With ``count`` False a ``take`` only checks that the quota has room (or holds the member)."""

    key: str
    limit: int
    window_seconds: int
    member: str | None = None
    count: bool = True


class RateLimiter(Protocol):
    """Fixed-window quotas, counted *before* the work they guard: a burst can never get more than the
    limit through, however many arrive at once, nor across processes."""

    async def take(self, quotas: Sequence[Quota]) -> WindowCount | None:
        """In one atomic step, count a hit on every quota (or add its member), unless that would take
        one past its limit: then count nothing and return that quota's window (count so far, seconds
        left). None when admitted. Quotas with ``count`` False are checked the same way, not counted."""
        ...

    async def give_back(self, quotas: Sequence[Quota]) -> None:
        """Undo an admitted ``take`` (the work turned out not to need counting): a hit less on each
        counter, the member out of each set."""
        ...

    async def reset(self, key: str) -> None: ...


class DenylistForgotten(Exception):
    """The denylist lost what it held (a new process, a restarted Redis): restore it before trusting it."""


class Denylist(Protocol):
    async def deny(self, key: str, ttl_seconds: int) -> None: ...

    async def is_denied(self, *keys: str) -> bool:
        """True when any key is denied. Raises DenylistForgotten until ``mark_restored`` was called on
        the state it holds now, and UnavailableError when unsure: it never answers a blind no."""
        ...

    async def mark_restored(self) -> None:
        """Everything denied before was written back: answers can be trusted from now on."""
        ...


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None: ...
    async def delete(self, *keys: str) -> None: ...


class LiveEvents(Protocol):
    """The live side of session events: fan-out to streams, fed after the durable write."""

    async def publish(self, generation_id: str, events: Sequence[StoredEvent]) -> None: ...

    async def read(self, generation_id: str, after: int, timeout: float = 0) -> list[StoredEvent] | None:
        """Events after ``after``, waiting up to ``timeout`` seconds for one when there is none yet.
        None when this log does not hold the session (expired, or never published here)."""
        ...


class CancelBus(Protocol):
    """Cancel requests broadcast to every process, so whichever runs the session stops it."""

    async def publish(self, generation_id: str) -> None: ...
    def listen(self, on_cancel: Callable[[str], None]) -> None: ...
    async def aclose(self) -> None: ...


TraceCarrier = Mapping[str, str]
"""Where a trace stands, as W3C Trace Context fields (``traceparent``, ``tracestate``): what travels with
a job so that its run continues the trace of the request that queued it. Empty when nothing traces."""

JobHandler = Callable[[str, TraceCarrier], Coroutine[Any, Any, object]]


class JobQueue(Protocol):
    async def start(self, handler: JobHandler) -> None:
        """Run ``handler(generation_id, trace)`` for queued sessions, where this process runs them."""
        ...

    async def enqueue(self, generation_id: str, trace: TraceCarrier | None = None) -> None:
        """Queue a session's run; ``trace`` travels with it to whoever runs it."""
        ...

    async def cancel(self, generation_id: str) -> None:
        """Ask whoever runs the session to stop it now."""
        ...

    async def depth(self) -> int:
        """Jobs waiting or running."""
        ...

    async def aclose(self) -> None: ...


class ModelClient(Protocol):
    @property
    def name(self) -> str:
        """Which model answers, as shown on sessions ("offline" or a Claude model name)."""
        ...

    def stream(self, request: ModelRequest) -> AsyncIterator[ModelChunk]: ...

    @property
    def max_output_tokens(self) -> int:
        """The output limit of one call (``max_tokens``)."""
        return DEFAULT_OUTPUT_LIMIT

    async def count_input(self, request: ModelRequest) -> TokenEstimate:
        """The input tokens ``request`` would be billed for, before sending it: the provider's own
        count where it offers one, else the documented estimate (``exact`` says which)."""
        return TokenEstimate(input_tokens=estimate_input_tokens(request), exact=False)


DEFAULT_OUTPUT_LIMIT = 32_000  # the documented floor of VIBE_MAX_OUTPUT_TOKENS (README)

# --- observability and resilience -----------------------------------------------------------------

Attribute = str | int | float | bool | tuple[str, ...]
Attributes = Mapping[str, Attribute]


class Span(Protocol):
    """One timed step of a trace. Attributes carry counts, ids and names: never prompt or file text."""

    def set(self, attributes: Attributes) -> None: ...

    def fail(self, code: str) -> None:
        """Mark the step failed, with a short machine-readable reason (an error code)."""
        ...


class ReadinessProbe(Protocol):
    """Something the app needs answering before it takes traffic (the database, Redis)."""

    name: str

    async def ping(self) -> None:
        """Return once it answers; raise when it does not."""
        ...


class SecretStore(Protocol):
    """Where the key that signs access tokens and preview links comes from."""

    def jwt_secret(self) -> str: ...


class Tracer(Protocol):
    """Spans of vibe's own steps (queueing, claim, model and tool calls, the version commit)."""

    def span(
        self,
        name: str,
        attributes: Attributes | None = None,
        *,
        parent: TraceCarrier | None = None,
    ) -> AbstractContextManager[Span]:
        """A span around the block, current within it; child of ``parent`` when given, else of the
        current span. An exception leaving the block marks it failed."""
        ...

    def carrier(self) -> dict[str, str]:
        """The current span's place in its trace, to send along with a job."""
        ...

    def current_trace_id(self) -> str | None:
        """The current trace's id (32 hex digits), for log lines; None when nothing traces."""
        ...

    def remember_trace_id(self) -> None:
        """Keep the current trace's id for this task's later log lines (a request's access line)."""
        ...


class CircuitStore(Protocol):
    """Where the model's circuit breaker keeps its state: this process, or Redis for every worker."""

    async def read(self) -> Circuit: ...

    async def update(self, change: Callable[[Circuit], Circuit]) -> tuple[Circuit, Circuit]:
        """Apply ``change`` to the state atomically (it may be called again when another process
        changed the state meanwhile); (before, after)."""
        ...


class AccountFeed(Protocol):
    """The live changes of each account, fanned out to every listener of that account, in every
    process. Each account's events are numbered 1, 2, ... in the order they were published; a window
    of the last ones is kept for listeners that reconnect."""

    async def publish(self, user_id: str, name: str, data: bytes) -> None:
        """Append one event (never raises for an outage: the change it tells of is already made)."""
        ...

    async def last(self, user_id: str) -> int:
        """The number of the account's last event (0 before any): where a new listener starts."""
        ...

    async def read(self, user_id: str, after: int, timeout: float) -> list[StoredEvent]:
        """The events after ``after`` that the window still holds (a number past the last event counts
        as the last), waiting up to ``timeout`` seconds for one when there is none yet; empty when
        none came."""
        ...

    async def aclose(self) -> None: ...
