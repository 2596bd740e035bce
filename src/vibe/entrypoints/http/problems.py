"""Every error leaves as ``application/problem+json`` (RFC 9457): one table maps the error tree to HTTP.

Bodies hold ``type``, ``title``, ``status`` and ``detail``; validation problems add ``errors``. The
request id travels in the ``X-Request-ID`` header, not the body, so equal failures have byte-identical
bodies (a login must not reveal which half of the credentials was wrong). A crash is a generic 500
whose detail says nothing of the code; the traceback goes to the log with the request id.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.exceptions.base_exceptions import SerializationException
from litestar.types import ExceptionHandlersMap

from vibe.domain.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    TooLargeError,
    UnavailableError,
    UnsupportedMediaError,
    UpstreamError,
    VibeError,
)
from vibe.entrypoints.http.error_page import error_page, wants_html

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "BadRequest", "problem_body", "problem_response"]

log = logging.getLogger("vibe.http")
PROBLEM_JSON = "application/problem+json"

STATUS_OF: dict[type[VibeError], int] = {
    InvalidInputError: 422,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    InvalidStateError: 409,
    RateLimitedError: 429,
    UpstreamError: 502,
    UnavailableError: 503,
    TooLargeError: 413,
    UnsupportedMediaError: 415,
}

_DETAIL_OF_STATUS = {
    400: "The request could not be understood.",
    401: "Authentication is required.",
    403: "You are not allowed to do this.",
    404: "There is nothing here.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    415: "This media type is not supported.",
    429: "Too many requests; try again later.",
    500: "An unexpected error occurred. It has been logged; quote the request id when reporting it.",
    503: "The service is unavailable; try again shortly.",
}


class BadRequest(HTTPException):
    """A malformed request that a handler recognised itself: 400 with the handler's own ``detail``."""

    status_code = 400


class Problem(msgspec.Struct, omit_defaults=True):
    title: str
    status: int
    detail: str
    type: str = "about:blank"
    errors: list[dict[str, str]] | None = None


def _request_id(request: Request[Any, Any, Any]) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def problem_body(status: int, detail: str | None = None, errors: list[dict[str, str]] | None = None) -> bytes:
    """The problem+json body of ``status`` (the standard detail when none is given)."""
    body = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail or _DETAIL_OF_STATUS.get(status, HTTPStatus(status).description),
        errors=errors,
    )
    return msgspec.json.encode(body)


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    detail: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, str]] | None = None,
) -> Response[bytes]:
    if wants_html(request):  # a browser navigating: a page, not JSON (API clients never ask for it)
        shown = detail or _DETAIL_OF_STATUS.get(status, HTTPStatus(status).description)
        return error_page(request, status, shown, headers)
    body = problem_body(status, detail, errors)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or {})


def _vibe_error(request: Request[Any, Any, Any], error: VibeError) -> Response[bytes]:
    status = next(code for cls, code in STATUS_OF.items() if isinstance(error, cls))
    headers: dict[str, str] = {}
    errors = None
    if isinstance(error, RateLimitedError):
        headers["Retry-After"] = str(error.retry_after)
    elif isinstance(error, AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer realm="vibe"'
    elif isinstance(error, UnavailableError):
        headers["Retry-After"] = "5"
    elif isinstance(error, InvalidInputError) and error.field:
        errors = [{"field": error.field, "message": error.detail}]
    return problem_response(request, status, error.detail, headers=headers, errors=errors)


def _http_exception(request: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    headers = dict(error.headers or {})
    if isinstance(error, ValidationException):
        if _missing_body(error):
            return problem_response(request, 400, "A JSON request body is required.")
        errors = [
            {
                "field": str(item.get("key", "")),
                "source": str(item.get("source", "")),
                "message": str(item["message"]),
            }
            for item in (error.extra if isinstance(error.extra, list) else [])
            if isinstance(item, dict) and "message" in item
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        return problem_response(request, 422, detail or "The request is not valid.", errors=errors or None)
    if isinstance(error, BadRequest):
        return problem_response(request, 400, error.detail)
    if isinstance(error.__cause__, SerializationException):
        return problem_response(request, 400, "The request body is not valid JSON (UTF-8).")
    status = error.status_code
    if status >= 500:
        return _unexpected(request, error)
    detail = _DETAIL_OF_STATUS.get(status) or str(error.detail)
    return problem_response(request, status, detail, headers=headers)


def _missing_body(error: ValidationException) -> bool:
    """Litestar reports an empty body as the ``data`` argument itself missing."""
    items = error.extra if isinstance(error.extra, list) else []
    return any(
        isinstance(item, dict) and item.get("key") == "data" and item.get("message") == "'data'"
        for item in items
    )


def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    if isinstance(error, VibeError):  # raised from a dependency or hook
        return _vibe_error(request, error)
    log.error(
        "unhandled error on %s %s (request id %s)",
        request.method,
        request.url.path,
        _request_id(request),
        exc_info=error,
    )
    return problem_response(request, 500)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    VibeError: _vibe_error,
    HTTPException: _http_exception,
    Exception: _unexpected,
}
