"""Dependencies of the HTTP handlers: the services they use, who is calling, and from which address,
and the aliases every handler module declares its parameters with (``AccountsDep``, ``Me``,
``Reader``, ``Viewer``, ``Limit``, ...).

A handler takes the service it uses by name: a parameter ``projects: ProjectsDep`` receives
``vibe.projects`` (``services`` lists them all; the app provides them everywhere). Only the operator
endpoints (health, metrics) take the whole facade, as ``vibe: App``.

A caller authenticates with ``Authorization: Bearer <access token>`` or, in the web UI, with the
HttpOnly session cookie. A state-changing request that arrives by cookie must come from the app's own
origin (checked on ``Origin``, falling back to ``Sec-Fetch-Site``), so another site cannot ride on it.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, TypeAlias, TypeVar
from urllib.parse import urlsplit

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter, SkipValidation

from vibe.application.account_news import AccountNews
from vibe.application.accounts import Accounts
from vibe.application.budgets import Budgets
from vibe.application.generations import Generations
from vibe.application.history import History
from vibe.application.preview_links import PreviewLinks
from vibe.application.project_files import ProjectFiles
from vibe.application.projects import Projects
from vibe.application.sites import Sites
from vibe.bootstrap import Vibe
from vibe.config import Settings
from vibe.domain.auth import Principal
from vibe.domain.errors import AuthenticationError, PermissionDeniedError
from vibe.domain.selection import ElementLocator
from vibe.domain.users import User

__all__ = [
    "ACCESS_COOKIE",
    "REFRESH_COOKIE",
    "AccountsDep",
    "App",
    "BudgetsDep",
    "Client",
    "ElementsDep",
    "FilesDep",
    "GenerationsDep",
    "HistoryDep",
    "Limit",
    "Links",
    "Me",
    "NewsDep",
    "Offset",
    "ProjectsDep",
    "Reader",
    "SettingsDep",
    "SitesDep",
    "Viewer",
    "client_address",
    "current_reader",
    "current_viewer",
    "principal",
    "same_origin",
    "services",
]

T = TypeVar("T")

# A dependency of our own making, taken by name and never validated: Litestar would otherwise check
# every value against its type on every request (a cost, and a failure for a Protocol type).
Provided: TypeAlias = SkipValidation[NamedDependency[T]]

App = Provided[Vibe]  # the whole facade: operator endpoints only
AccountsDep = Provided[Accounts]
ProjectsDep = Provided[Projects]
FilesDep = Provided[ProjectFiles]
HistoryDep = Provided[History]
GenerationsDep = Provided[Generations]
BudgetsDep = Provided[Budgets]
SitesDep = Provided[Sites]
NewsDep = Provided[AccountNews]
ElementsDep = Provided[ElementLocator]
SettingsDep = Provided[Settings]
Client = Provided[str]  # the caller's address (``client_address``)
Me = Provided[Principal]
Reader = Provided[User | None]  # the caller or nobody; bad credentials are a 401
Viewer = Provided[User | None]  # the caller or nobody; bad credentials count as nobody
Links = Provided[PreviewLinks]

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


async def optional_principal(request: AnyRequest, accounts: AccountsDep) -> Principal | None:
    """The caller, or None for an anonymous request; bad credentials are still an error."""
    found = _credentials(request)
    if found is None:
        return None
    token, by_cookie = found
    if by_cookie and request.method not in _SAFE_METHODS and not same_origin(request):
        raise PermissionDeniedError("Cross-site request refused.")
    return await accounts.authenticate(token)


async def principal(request: AnyRequest, accounts: AccountsDep) -> Principal:
    caller = await optional_principal(request, accounts)
    if caller is None:
        raise AuthenticationError("Sign in first: send 'Authorization: Bearer <access token>'.")
    return caller


async def current_reader(request: AnyRequest, accounts: AccountsDep) -> User | None:
    """The caller, or None when anonymous (bad credentials are still a 401)."""
    caller = await optional_principal(request, accounts)
    return caller.user if caller else None


async def current_viewer(request: AnyRequest, accounts: AccountsDep) -> User | None:
    """The signed-in owner or nobody. Stale or bad credentials count as nobody: a page load cannot
    answer a 401 by refreshing, and a public page must not vanish behind an expired cookie."""
    try:
        caller = await optional_principal(request, accounts)
    except AuthenticationError:
        return None
    return caller.user if caller else None


def client_address(request: AnyRequest, settings: SettingsDep) -> str:
    """The socket peer; behind a trusted proxy, the last untrusted hop of X-Forwarded-For."""
    peer = request.client.host if request.client else "unknown"
    trusted = settings.trusted_networks()
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


def services(vibe: Vibe) -> dict[str, Provide]:
    """The app-wide dependencies: each of vibe's services under the name handlers take it by, the
    settings, and the caller's address. Each is looked up per request (a singleton of the container:
    one call), so a provider overridden on the container is what the handlers get."""

    def constant(get: Any) -> Provide:
        return Provide(get, sync_to_thread=False)

    return {
        "vibe": constant(lambda: vibe),
        "settings": constant(lambda: vibe.settings),
        "accounts": constant(lambda: vibe.accounts),
        "projects": constant(lambda: vibe.projects),
        "project_files": constant(lambda: vibe.project_files),
        "history": constant(lambda: vibe.history),
        "generations": constant(lambda: vibe.generations),
        "budgets": constant(lambda: vibe.budgets),
        "sites": constant(lambda: vibe.sites),
        "news": constant(lambda: vibe.news),
        "elements": constant(lambda: vibe.elements),
        "links": constant(lambda: vibe.preview_links),
        "client": constant(client_address),
    }
