"""``create_app(vibe) -> Litestar``: the whole HTTP surface of one ``Vibe``."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin

from vibe import __version__
from vibe.bootstrap import Vibe
from vibe.entrypoints.http import (
    account_events,
    accounts,
    budgets,
    cookie_auth,
    elements,
    generations,
    health,
    history,
    metrics,
    picker,
    preview,
    projects,
    sites,
    web,
)
from vibe.entrypoints.http.access_log import ACCESS_LOG
from vibe.entrypoints.http.dependency_order import (
    pass_unvalidated_values_through,
    resolve_dependencies_in_turn,
)
from vibe.entrypoints.http.deps import services
from vibe.entrypoints.http.middleware import NO_GZIP, VibeLitestar
from vibe.entrypoints.http.openapi import COMPONENTS, SCHEMA_PATH, schema_router
from vibe.entrypoints.http.problems import EXCEPTION_HANDLERS
from vibe.entrypoints.http.request import VibeRequest
from vibe.entrypoints.http.request_metrics import REQUEST_METRICS
from vibe.entrypoints.http.site_server import SiteServer
from vibe.entrypoints.http.tracing import http_tracing, litestar_untraced, served_trace_id

__all__ = ["NO_GZIP", "UNTRUSTED_PATHS", "create_app"]

# Paths that serve generated (untrusted) bytes: never a CORS grant there.
UNTRUSTED_PATHS = re.compile(r"^/(?:preview/|s/|w/|api/v1/projects/[^/]+/files/)")


def create_app(vibe: Vibe) -> Litestar:
    tracing_plugins, before_send = http_tracing(vibe)
    with litestar_untraced(vibe):
        app = VibeLitestar(
            route_handlers=[
                health.ping,
                health.healthz,
                health.readyz,
                accounts.router,
                budgets.router,
                cookie_auth.router,
                projects.router,
                preview.router,
                picker.router,
                elements.router,
                generations.router,
                sites.router,
                metrics.metrics,
                web.router,
                history.router,
                account_events.router,
            ],
            dependencies=services(vibe),
            exception_handlers=EXCEPTION_HANDLERS,
            request_max_body_size=vibe.settings.max_body_bytes,
            on_startup=[vibe.start],
            on_shutdown=[vibe.aclose, REQUEST_METRICS.flush, ACCESS_LOG.close],
            openapi_config=OpenAPIConfig(
                title="vibe",
                version=__version__,
                path=SCHEMA_PATH,
                components=COMPONENTS,
                # The raw document only: Litestar's viewers (Swagger UI, ReDoc...) load their scripts
                # from a CDN, and nothing on the app's origin may run code from elsewhere.
                render_plugins=[JsonRenderPlugin()],
                openapi_router=schema_router(),
            ),
            logging_config=None,
            request_class=VibeRequest,
            plugins=tracing_plugins,
            before_send=before_send,
        )
    resolve_dependencies_in_turn(app)
    pass_unvalidated_values_through(app)
    site_server = None
    if vibe.settings.sites_domain is not None:  # published sites answer before the app sees a thing
        domain = vibe.settings.sites_domain
        site_server = SiteServer(vibe.sites, domain, access_log=ACCESS_LOG, metrics=REQUEST_METRICS)
    app.serve_requests(
        cors_origins=vibe.settings.cors_origins,
        untrusted_paths=UNTRUSTED_PATHS,
        metrics=REQUEST_METRICS,
        access_log=ACCESS_LOG,
        trace_id=served_trace_id(vibe),
        sites=site_server,
    )
    return app
