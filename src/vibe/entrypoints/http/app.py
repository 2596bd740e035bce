"""``create_app(vibe) -> Litestar``: the whole HTTP surface of one ``Vibe``."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from vibe import __version__
from vibe.bootstrap import Vibe
from vibe.entrypoints.http import accounts, generations, health, metrics, preview, projects, sessions, web
from vibe.entrypoints.http.middleware import NO_GZIP, RequestContextMiddleware
from vibe.entrypoints.http.openapi import COMPONENTS
from vibe.entrypoints.http.problems import EXCEPTION_HANDLERS
from vibe.entrypoints.http.request import VibeRequest
from vibe.entrypoints.http.tracing import http_tracing, litestar_untraced

__all__ = ["NO_GZIP", "UNTRUSTED_PATHS", "create_app"]

# Paths that serve generated (untrusted) bytes: never a CORS grant there.
UNTRUSTED_PATHS = re.compile(r"^/(?:preview/|s/|api/v1/projects/[^/]+/files/)")


def create_app(vibe: Vibe) -> Litestar:
    tracing_plugins, before_send = http_tracing(vibe)
    with litestar_untraced(vibe):
        app = Litestar(
            route_handlers=[
                health.ping,
                health.healthz,
                health.readyz,
                accounts.router,
                sessions.router,
                projects.router,
                preview.router,
                generations.router,
                metrics.metrics,
                web.router,
            ],
            dependencies={"vibe": Provide(lambda: vibe, sync_to_thread=False)},
            exception_handlers=EXCEPTION_HANDLERS,
            compression_config=CompressionConfig(backend="gzip", minimum_size=1024, exclude_opt_key=NO_GZIP),
            request_max_body_size=vibe.settings.max_body_bytes,
            on_startup=[vibe.start],
            on_shutdown=[vibe.aclose],
            openapi_config=OpenAPIConfig(
                title="vibe", version=__version__, path="/api/schema", components=COMPONENTS
            ),
            logging_config=None,
            request_class=VibeRequest,
            plugins=tracing_plugins,
            before_send=before_send,
        )
    app.asgi_handler = RequestContextMiddleware(
        app.asgi_handler,
        cors_origins=vibe.settings.cors_origins,
        untrusted_paths=UNTRUSTED_PATHS,
        on_end=metrics.observe_request,
    )
    return app
