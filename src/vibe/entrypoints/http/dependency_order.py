"""Handler dependencies resolved one after another, never in a task group; and values that are never
validated handed over without a round through msgspec.

Litestar groups a handler's dependencies into batches (those whose own dependencies are resolved)
and resolves a batch of two or more concurrently, in an anyio task group: a task per dependency, on
every request (``KwargsModel.resolve_dependencies``). vibe's dependencies are lookups of a service,
the caller's address and one token check; none waits on anything another could overlap with, so the
task group is pure cost: 65 µs of the project list's 133 µs (``python -m bench.micro_request_path``,
BENCHMARKS.md), the cliff reported upstream as litestar-org/litestar#4563. Litestar resolves a batch
of one in line, so each batch is split into batches of one, in an order that still resolves every
dependency after those it takes (the batches are in that order already).

Before calling a dependency or a handler, Litestar converts the values it takes through the callable's
signature model (``msgspec.convert`` into a struct, then back to a dict), even when every one of them
is exempt from validation: vibe's own dependencies (``deps.Provided``: ``SkipValidation``) and the
connection (``request``). Such a model's values are passed as they are instead, which is what the
conversion amounts to for them; a model with any other parameter (a query or path parameter, a body,
headers) is left to Litestar. This takes the principal and the handler of every signed-in read out
of msgspec: ``GET /api/v1/users/me`` ~6 % fewer instructions (BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar import Litestar
from litestar._kwargs.dependencies import DependencyContainer
from litestar._signature.model import SignatureModel
from litestar._signature.utils import _normalize_annotation
from litestar.routes import HTTPRoute, WebSocketRoute
from litestar.typing import FieldDefinition

__all__ = ["pass_unvalidated_values_through", "resolve_dependencies_in_turn"]


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


def pass_unvalidated_values_through(app: Litestar) -> int:
    """Hand the values of every signature model that validates none of them over as they are (see
    the module's note); how many models that is."""
    models: set[type[SignatureModel]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler, kwargs_model in route.route_handler_map.values():
            models.add(handler.signature_model)
            for batch in kwargs_model.dependency_batches:
                models.update(_signature_models(batch))
    passing = [model for model in models if model._fields and all(map(_unvalidated, model._fields.values()))]
    for model in passing:
        model.parse_values_from_connection_kwargs = classmethod(_as_they_are(tuple(model._fields)))  # type: ignore[method-assign,assignment]
    return len(passing)


def _as_they_are(names: tuple[str, ...]) -> Any:
    def parse(cls: Any, connection: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {name: kwargs[name] for name in names}

    return parse


def _signature_models(dependencies: Iterable[DependencyContainer]) -> set[type[SignatureModel]]:
    found: set[type[SignatureModel]] = set()
    for dependency in dependencies:
        found.add(dependency.provide.signature_model)
        found |= _signature_models(dependency.dependencies)
    return found


def _unvalidated(field: FieldDefinition) -> bool:
    """Whether Litestar converts this parameter as ``Any`` (its own ``_normalize_annotation`` decides),
    with nothing to fill in: it has no default."""
    return _normalize_annotation(field) is Any and not field.has_default
