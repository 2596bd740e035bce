"""Handler dependencies resolved one after another, never in a task group.

Litestar groups a handler's dependencies into batches (those whose own dependencies are resolved)
and resolves a batch of two or more concurrently, in an anyio task group: a task per dependency, on
every request (``KwargsModel.resolve_dependencies``). vibe's dependencies are lookups of a service,
the caller's address and one token check; none waits on anything another could overlap with, so the
task group is pure cost: 65 µs of the project list's 133 µs (``python -m bench.micro_request_path``,
BENCHMARKS.md), the cliff reported upstream as litestar-org/litestar#4563. Litestar resolves a batch
of one in line, so each batch is split into batches of one, in an order that still resolves every
dependency after those it takes (the batches are in that order already).
"""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute, WebSocketRoute

__all__ = ["resolve_dependencies_in_turn"]


def resolve_dependencies_in_turn(app: Litestar) -> None:
    """Split every handler's dependency batches into batches of one (see the module's note)."""
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            models = [model for _, model in route.route_handler_map.values()]
        elif isinstance(route, WebSocketRoute):
            models = [route.handler_parameter_model] if route.handler_parameter_model else []
        else:
            continue
        for model in models:
            model.dependency_batches = [
                {dependency}
                for batch in model.dependency_batches
                for dependency in sorted(batch, key=lambda each: each.key)
            ]
