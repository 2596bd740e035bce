"""Generation sessions: one prompt run against a project, and the only legal moves of its status.

    queued ──start──> running ──succeed──> succeeded
       │                 ├─────fail──────> failed
       └──cancel/fail────┴────cancel─────> cancelled

``attempt`` counts claims: a worker holds a session by its attempt number, and every write it makes is
conditional on that number, so a worker whose lease was taken over can no longer change anything.
"""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from vibe.domain.errors import InvalidInputError, InvalidStateError
from vibe.domain.selection import Selected
from vibe.domain.usage import Usage

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "DEFAULT_MAX_TURNS",
    "MAX_ATTEMPTS",
    "MAX_PROMPT_CHARS",
    "Generation",
    "GenerationStatus",
    "Prompt",
]

MAX_PROMPT_CHARS = 20_000
DEFAULT_MAX_TURNS = 8  # model calls per generation (VIBE_AGENT_MAX_TURNS)
DEFAULT_LEASE_SECONDS = 30.0  # how long a claim lasts unless renewed (VIBE_GENERATION_LEASE_SECONDS)
MAX_ATTEMPTS = 3  # claims of one session before it is failed instead of run again


class GenerationStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in _FINISHED


_FINISHED = frozenset({GenerationStatus.SUCCEEDED, GenerationStatus.FAILED, GenerationStatus.CANCELLED})
UNFINISHED = (GenerationStatus.QUEUED, GenerationStatus.RUNNING)


class Prompt:
    @staticmethod
    def parse(raw: str) -> str:
        value = raw.strip()
        if not value:
            raise InvalidInputError("The prompt must not be empty.", field="prompt")
        if len(value) > MAX_PROMPT_CHARS:
            raise InvalidInputError(f"The prompt is at most {MAX_PROMPT_CHARS} characters.", field="prompt")
        if "\x00" in value:
            raise InvalidInputError("The prompt must not hold NUL characters.", field="prompt")
        return value


class Generation(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    user_id: str
    project_id: str
    prompt: str
    status: GenerationStatus
    model: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    version: int | None = None
    error: str | None = None
    error_code: str | None = None
    usage: Usage = Usage()
    checks: tuple[str, ...] = ()
    attempt: int = 0
    lease_until: datetime | None = None
    context_version: int | None = None  # the version its first prompt listed (the prompt-cache base)
    selection: tuple[Selected, ...] = ()  # elements picked in the preview: a scoped edit (docs/api.md)

    @property
    def finished(self) -> bool:
        return self.status.finished

    def _require(self, *allowed: GenerationStatus) -> None:
        if self.status not in allowed:
            raise InvalidStateError(f"The session is {self.status.value}.")

    def claimable(self, now: datetime) -> bool:
        """Queued, or running under a lease that ran out (its worker is presumed dead)."""
        if self.status is GenerationStatus.QUEUED:
            return True
        return self.status is GenerationStatus.RUNNING and (
            self.lease_until is None or self.lease_until <= now
        )

    def start(
        self, now: datetime, lease_until: datetime | None = None, context_version: int | None = None
    ) -> Generation:
        """Claim the session for a new attempt (see ``claimable``); a takeover keeps the context
        version the first attempt chose, so every attempt shows the model the same prompt."""
        if not self.claimable(now):
            raise InvalidStateError(f"The session is {self.status.value} and not claimable.")
        return msgspec.structs.replace(
            self,
            status=GenerationStatus.RUNNING,
            started_at=self.started_at or now,
            attempt=self.attempt + 1,
            lease_until=lease_until,
            context_version=self.context_version if self.context_version is not None else context_version,
        )

    def succeed(self, version: int, now: datetime, checks: tuple[str, ...] = ()) -> Generation:
        self._require(GenerationStatus.RUNNING)
        return msgspec.structs.replace(
            self, status=GenerationStatus.SUCCEEDED, version=version, finished_at=now, checks=checks
        )

    def fail(self, code: str, message: str, now: datetime) -> Generation:
        self._require(*UNFINISHED)
        return msgspec.structs.replace(
            self, status=GenerationStatus.FAILED, error=message, error_code=code, finished_at=now
        )

    def cancel(self, now: datetime) -> Generation:
        self._require(*UNFINISHED)
        return msgspec.structs.replace(
            self,
            status=GenerationStatus.CANCELLED,
            error="The generation was cancelled.",
            error_code="cancelled",
            finished_at=now,
        )

    def add_usage(self, usage: Usage) -> Generation:
        return msgspec.structs.replace(self, usage=self.usage + usage)
