"""The tracer vibe uses when nothing traces: every span is the same do-nothing object, at no cost.

The names of vibe's own spans live here too, so the application, the adapters and the tests agree on
them. Model and tool calls follow OpenTelemetry's GenAI conventions (``chat {model}``,
``execute_tool {tool}`` and their ``gen_ai.*`` attributes).
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from vibe.domain.ports import Attributes, Span, TraceCarrier, Tracer

__all__ = ["CLAIM", "COMMIT", "NO_TRACER", "QUEUE", "RUN"]

QUEUE = "vibe.generation.queue"  # storing the session and handing it to the job queue
RUN = "vibe.generation.run"  # a worker's run of a session, child of the queueing (across processes)
CLAIM = "vibe.generation.claim"  # taking the session under a lease
COMMIT = "vibe.version.commit"  # the new version, the last events and the session's end, together


class _NoSpan(Span, AbstractContextManager[Span]):
    """One object is every span and its own context manager: tracing off allocates nothing."""

    def __enter__(self) -> Span:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def set(self, attributes: Attributes) -> None:
        return None

    def fail(self, code: str) -> None:
        return None


_NO_SPAN = _NoSpan()


class NoTracer(Tracer):
    def span(
        self,
        name: str,
        attributes: Attributes | None = None,
        *,
        parent: TraceCarrier | None = None,
    ) -> AbstractContextManager[Span]:
        return _NO_SPAN

    def carrier(self) -> dict[str, str]:
        return {}

    def current_trace_id(self) -> str | None:
        return None

    def remember_trace_id(self) -> None:
        return None


NO_TRACER = NoTracer()
