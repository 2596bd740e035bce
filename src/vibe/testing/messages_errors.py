"""The stand-in Messages API's errors: the exception its checks raise and the API's error body."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "error_object", "invalid"]

# https://platform.claude.com/docs/en/api/errors lists these types with their HTTP statuses.
STATUS_BY_ERROR_TYPE = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "conflict_error": 409,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


class ApiError(Exception):
    """A request the API refuses: the HTTP status, the error type and the message it answers with."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.status = STATUS_BY_ERROR_TYPE.get(error_type, 500)


def invalid(message: str) -> ApiError:
    """A 400 ``invalid_request_error`` with ``message``."""
    return ApiError("invalid_request_error", message)


def error_object(error_type: str, message: str, request_id: str | None = None) -> dict[str, Any]:
    """The API's error body (https://platform.claude.com/docs/en/api/errors): ``{"type": "error",
    "error": {...}}``, with ``request_id`` when one is given (the API sends it on HTTP errors)."""
    body: dict[str, Any] = {"type": "error", "error": {"type": error_type, "message": message}}
    if request_id is not None:
        body["request_id"] = request_id
    return body
