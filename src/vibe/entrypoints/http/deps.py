"""Dependencies of the HTTP handlers: who is calling, and from which address, and the aliases every
handler module declares its parameters with (``App``, ``Me``, ``Reader``, ``Viewer``, ``Limit``, ...).

A caller authenticates with ``Authorization: Bearer <access token>`` or, in the web UI, with the
HttpOnly session cookie. A state-changing request that arrives by cookie must come from the app's own
origin (checked on ``Origin``, falling back to ``Sec-Fetch-Site``), so another site cannot ride on it.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from vibe.application.preview_links import PreviewLinks
from vibe.bootstrap import Vibe
from vibe.domain.auth import Principal
from vibe.domain.errors import AuthenticationError, PermissionDeniedError
from vibe.domain.users import User

__all__ = [
    "ACCESS_COOKIE",
    "REFRESH_COOKIE",
    "App",
    "Limit",
    "Links",
    "Me",
    "Offset",
    "Reader",
    "Viewer",
    "client_address",
    "current_reader",
    "current_viewer",
    "preview_links",
    "principal",
    "same_origin",
]

App = NamedDependency[Vibe]
Me = NamedDependency[Principal]
Reader = NamedDependency[User | None]  # the caller or nobody; bad credentials are a 401
Viewer = NamedDependency[User | None]  # the caller or nobody; bad credentials count as nobody
Links = NamedDependency[PreviewLinks]
Limit = Annotated[int, QueryParameter(ge=1, le=100, description="Page size, 1 to 100.")]
Offset = Annotated[int, QueryParameter(ge=0, description="Items to skip.")]

ACCESS_COOKIE = "vibe_access"
REFRESH_COOKIE = "vibe_refresh"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
AnyRequest = Request[Any, Any, Any]


def _authorization(request: AnyRequest) -> str | None:
    """The Authorization header, read from the raw ASGI list: building ``request.headers`` for it
    cost more than the rest of the token check."""
    for name, value in request.scope["headers"]:
        if name == b"authorization":
            return value.decode("latin-1")
    return None


def _credentials(request: AnyRequest) -> tuple[str, bool] | None:
    """(token, came by cookie) or None when the request carries no credentials."""
    header = _authorization(request)
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("Use 'Authorization: Bearer <access token>'.")
        return token.strip(), False
    cookie = request.cookies.get(ACCESS_COOKIE)
    return (cookie, True) if cookie else None


def same_origin(request: AnyRequest) -> bool:
    origin = request.headers.get("origin")
    if origin is not None:  # compare hosts only: behind a TLS proxy our own scheme reads as http
        return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)
    return request.headers.get("sec-fetch-site") in ("same-origin", "none")


async def optional_principal(request: AnyRequest, vibe: App) -> Principal | None:
    """The caller, or None for an anonymous request; bad credentials are still an error."""
    found = _credentials(request)
    if found is None:
        return None
    token, by_cookie = found
    if by_cookie and request.method not in _SAFE_METHODS and not same_origin(request):
        raise PermissionDeniedError("Cross-site request refused.")
    return await vibe.accounts.authenticate(token)


async def principal(request: AnyRequest, vibe: App) -> Principal:
    caller = await optional_principal(request, vibe)
    if caller is None:
        raise AuthenticationError("Sign in first: send 'Authorization: Bearer <access token>'.")
    return caller


async def current_reader(request: AnyRequest, vibe: App) -> User | None:
    """The caller, or None when anonymous (bad credentials are still a 401)."""
    caller = await optional_principal(request, vibe)
    return caller.user if caller else None


async def current_viewer(request: AnyRequest, vibe: App) -> User | None:
    """The signed-in owner or nobody. Stale or bad credentials count as nobody: a page load cannot
    answer a 401 by refreshing, and a public page must not vanish behind an expired cookie."""
    try:
        caller = await optional_principal(request, vibe)
    except AuthenticationError:
        return None
    return caller.user if caller else None


def preview_links(vibe: App) -> PreviewLinks:
    return vibe.preview_links


def client_address(request: AnyRequest, vibe: Vibe) -> str:
    """The socket peer; behind a trusted proxy, the last untrusted hop of X-Forwarded-For."""
    peer = request.client.host if request.client else "unknown"
    trusted = vibe.settings.trusted_networks()
    if not trusted or not _is_in(peer, trusted):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_in(hop, trusted):
            return hop
    return hops[0] if hops else peer


def _is_in(address: str, networks: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
