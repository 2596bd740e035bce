"""The one error tree of vibe; every layer raises these and only entrypoints translate them.

    VibeError                     base; ``detail`` is safe to show to the caller
    ├── InvalidInputError         a value from outside breaks a rule (bad email, path, prompt...)
    ├── AuthenticationError       no valid credentials, or they were revoked
    ├── PermissionDeniedError     authenticated, but this actor may not do this
    ├── NotFoundError             no such thing, or someone else's private thing
    ├── ConflictError             a uniqueness rule would break (duplicate email...)
    ├── RateLimitedError          too many attempts or running jobs; carries ``retry_after`` seconds
    ├── InvalidStateError         the thing is not in a state that allows this transition
    ├── UpstreamError             the model provider failed after retries
    ├── UnavailableError          a backing service (database, Redis) does not answer
    ├── TooLargeError             an upload or a project would pass a size limit
    └── UnsupportedMediaError     bytes that are not the format their name or media type says

No HTTP lives here: the HTTP layer owns the mapping to status codes.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "InvalidInputError",
    "InvalidStateError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "TooLargeError",
    "UnavailableError",
    "UnsupportedMediaError",
    "UpstreamError",
    "VibeError",
]


class VibeError(Exception):
    """Base of every error vibe raises on purpose. ``detail`` is written for the end user."""

    default_detail = "Something went wrong."

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.default_detail
        super().__init__(self.detail)


class InvalidInputError(VibeError):
    """A value from outside breaks a rule. ``field`` names it when there is one."""

    default_detail = "The input is not valid."

    def __init__(self, detail: str | None = None, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(detail)


class AuthenticationError(VibeError):
    default_detail = "Authentication is required."


class PermissionDeniedError(VibeError):
    default_detail = "You are not allowed to do this."


class NotFoundError(VibeError):
    default_detail = "Not found."


class ConflictError(VibeError):
    default_detail = "This conflicts with existing data."


class RateLimitedError(VibeError):
    """Too many attempts; ``retry_after`` is whole seconds, at least 1."""

    default_detail = "Too many requests; try again later."

    def __init__(self, detail: str | None = None, *, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(detail)


class InvalidStateError(VibeError):
    default_detail = "This is not possible in the current state."


class UpstreamError(VibeError):
    """The model provider failed; ``code`` is a short machine-readable reason. ``outage``: the
    provider is down or failing (what a circuit breaker counts), not refusing this request."""

    default_detail = "The model service failed."

    def __init__(
        self, detail: str | None = None, *, code: str = "upstream_error", outage: bool = False
    ) -> None:
        self.code = code
        self.outage = outage
        super().__init__(detail)


class UnavailableError(VibeError):
    default_detail = "A backing service is unavailable; try again shortly."


class TooLargeError(VibeError):
    default_detail = "This is larger than allowed."


class UnsupportedMediaError(VibeError):
    default_detail = "This media type is not supported."
