"""Tracing with the OpenTelemetry SDK's in-memory exporter: one generation is one trace from the
request (continuing its ``traceparent``) to the version, the model's HTTP calls sit inside their
model-call span and carry the trace on, and log lines name the trace."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.accounts_http import signed_up
from tests.conftest import JWT_SECRET, http_client
from tests.sse import read_stream
from tests.traces import assert_no_text, assert_request_to_version, from_sdk, one_generation, trace_id
from vibe.adapters.otel import install
from vibe.application.agent import run_agent
from vibe.application.tracing import RUN
from vibe.application.workspace import Workspace
from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.container import _claude_model
from vibe.domain.conversation import Message, TextBlock
from vibe.entrypoints.http.access_log import ACCESS_LOG, StreamSink
from vibe.entrypoints.http.app import create_app
from vibe.entrypoints.logs import configure_logging
from vibe.testing import FastHasher
from vibe.testing.messages_server import MessagesServer, Reply

PROMPT = "A landing page for Marguerite's lavender distillery in Provence"
REMOTE_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
REMOTE_PARENT = "00f067aa0ba902b7"


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    """The process's tracer provider (set once, as an embedder would), exporting to memory; the
    libraries it instruments are restored after this module."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    for instrumentor in (SQLAlchemyInstrumentor(), RedisInstrumentor(), HTTPXClientInstrumentor()):
        instrumentor.uninstrument()
    exporter.shutdown()


@pytest.fixture
def traced(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        jwt_secret=JWT_SECRET,
        offline_pace_seconds=0,
        trace_exporters=("console",),  # tracing on; the provider above is used as it is
    )


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """What vibe's processes log (``configure_logging`` with tracing on), written here."""
    root = logging.getLogger()
    kept = root.handlers[:], root.level, ACCESS_LOG.sink
    configure_logging("INFO", tracing=True)
    lines = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(lines)
    ACCESS_LOG.sink = StreamSink(lines)  # the access log's own writer, into the same place
    yield lines
    ACCESS_LOG.flush()
    root.handlers[:] = kept[0]
    root.setLevel(kept[1])
    ACCESS_LOG.sink = kept[2]


async def test_one_generation_is_one_trace_from_request_to_version(
    exporter: InMemorySpanExporter, traced: Settings, logged: io.StringIO
) -> None:
    async with (
        connect(traced, migrate=True, hasher=FastHasher()) as vibe,
        http_client(create_app(vibe)) as client,
    ):
        ada = await signed_up(client, "ada@example.com")
        exporter.clear()
        headers = ada["headers"] | {"traceparent": f"00-{REMOTE_TRACE}-{REMOTE_PARENT}-01"}
        started = await client.post("/api/generate", json={"prompt": PROMPT}, headers=headers)
        assert started.status_code == 202, started.text
        _, frames, _ = await read_stream(client, started.json()["stream_url"], ada["headers"])
        assert frames[-1].event == "done"
        spans = await _until_run_ended(exporter, started.json()["session_id"])
    generation = one_generation(spans, started.json()["session_id"])
    assert trace_id(generation[0]) == f"0x{REMOTE_TRACE}"  # the incoming traceparent is continued
    assert generation[0]["parent_id"] == f"0x{REMOTE_PARENT}"
    assert_request_to_version(generation, PROMPT)
    assert any(s["attributes"].get("db.system") == "sqlite" for s in generation)  # SQLAlchemy's spans
    assert_no_text(spans, PROMPT)
    ACCESS_LOG.flush()
    assert isinstance(ACCESS_LOG.sink, StreamSink)
    ACCESS_LOG.sink.drain(5)
    access = [line for line in logged.getvalue().splitlines() if '"POST /api/generate' in line]
    assert len(access) == 1
    assert f"trace={REMOTE_TRACE}" in access[0]  # the access log names the trace beside the request id


async def _until_run_ended(exporter: InMemorySpanExporter, session_id: str) -> list[dict[str, Any]]:
    """The run's span ends just after the stream's last event: wait for it."""
    for _ in range(200):
        spans = from_sdk(exporter.get_finished_spans())
        if any(s["name"] == RUN and s["attributes"].get("vibe.session.id") == session_id for s in spans):
            return spans
        await asyncio.sleep(0.02)
    raise AssertionError("the run's span never ended")


async def test_model_calls_carry_the_trace_to_the_api_inside_their_span(
    exporter: InMemorySpanExporter, traced: Settings
) -> None:
    tracer = install(traced.trace_exporters)
    page = "<!doctype html><title>Lavender</title><h1>Lavender</h1>"
    replies = [
        Reply.tool_calls([("write_file", {"path": "index.html", "content": page})]),
        Reply.text("Done."),
    ]
    exporter.clear()
    async with MessagesServer(replies) as server:
        model = _claude_model(
            msgspec.structs.replace(traced, anthropic_api_key="test-key", anthropic_base_url=server.url)
        )
        first = Message(role="user", content=(TextBlock(text=PROMPT),))
        with tracer.span("test"):
            events = [e async for e in run_agent(model, Workspace({}), first, max_turns=4, tracer=tracer)]
    assert events
    spans = from_sdk(exporter.get_finished_spans())
    calls = {s["context"]["span_id"]: s for s in spans if s["name"] == "chat claude-sonnet-5-5"}
    api = [
        s for s in spans if s["parent_id"] in calls and s["kind"] == "SpanKind.CLIENT"
    ]  # the SDK's or httpx's
    assert len(calls) == len(api) == 2
    sent = [r.headers.get("traceparent", "") for r in server.requests]
    assert [s["context"]["span_id"][2:] for s in api] == [t.split("-")[2] for t in sent]
    assert_no_text(spans, PROMPT)


def test_client_calls_outside_any_trace_are_not_traced() -> None:
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Decision

    from vibe.adapters.otel import NoOrphanQueries

    sampler = NoOrphanQueries(ALWAYS_ON)
    client, server = SpanKind.CLIENT, SpanKind.SERVER
    assert sampler.should_sample(None, 1, "XREADGROUP", kind=client).decision is Decision.DROP
    assert sampler.should_sample(None, 1, "GET", kind=server).decision is Decision.RECORD_AND_SAMPLE
    assert sampler.should_sample(None, 1, "vibe.generation.run").decision is Decision.RECORD_AND_SAMPLE
    tracer = TracerProvider(sampler=sampler).get_tracer("test")
    with tracer.start_as_current_span("vibe.generation.run"):
        inside = sampler.should_sample(None, 1, "XADD", kind=client)  # the current span is its parent
    assert inside.decision is Decision.RECORD_AND_SAMPLE
