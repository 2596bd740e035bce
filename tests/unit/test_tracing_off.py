"""With no OpenTelemetry variable set, nothing of OpenTelemetry is imported: not by the ASGI app a
``serve`` worker builds, nor by a whole generation. One variable that asks for tracing turns it on.

Each case runs in a fresh interpreter, with the environment the process would have."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from vibe.config import Settings, SettingsError, tracing_exporters

PROBE = textwrap.dedent(
    """
    import asyncio, json, os, sys
    from vibe.config import Settings
    from vibe.entrypoints.http.asgi import app

    application = app()  # what uvicorn builds in each `vibe serve` worker, from the environment

    async def generate():
        from vibe.testing import connect_fake
        async with connect_fake(settings=Settings.from_env(os.environ)) as vibe:
            ada = await vibe.accounts.register("ada@example.com", "correct horse battery")
            return [event.name async for event in vibe.generate(ada, "A page for a bakery")][-1]

    last = asyncio.run(generate())
    loaded = sorted(m for m in sys.modules if m.split(".")[0] == "opentelemetry" or m == "vibe.adapters.otel")
    print(json.dumps({"last": last, "loaded": loaded}))
    """
)


def _probe(tmp_path: Path, **otel: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIBE_", "ANTHROPIC_", "OTEL_"))}
    env |= {
        "VIBE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'vibe.db'}",
        "VIBE_OFFLINE_PACE_SECONDS": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env=env | otel,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # (the console exporter writes spans on standard output too, one JSON object per line)
    return next(json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"last"'))


def test_without_otel_variables_nothing_of_opentelemetry_is_imported(tmp_path: Path) -> None:
    assert _probe(tmp_path) == {"last": "done", "loaded": []}


def test_a_variable_that_asks_for_tracing_brings_it_in(tmp_path: Path) -> None:
    seen = _probe(tmp_path, OTEL_TRACES_EXPORTER="console", OTEL_SERVICE_NAME="vibe-test")
    assert seen["last"] == "done"
    assert {"vibe.adapters.otel", "opentelemetry.sdk.trace"} <= set(seen["loaded"])


@pytest.mark.parametrize(
    ("environ", "exporters"),
    [
        ({}, ()),
        ({"OTEL_SERVICE_NAME": "vibe", "OTEL_TRACES_SAMPLER": "always_on"}, ()),  # these alone trace nothing
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://jaeger:4318"}, ("otlp",)),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://jaeger:4318/v1/traces"}, ("otlp",)),
        ({"OTEL_TRACES_EXPORTER": "otlp,console"}, ("otlp", "console")),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://jaeger:4318"}, ()),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}, ()),
    ],
)
def test_the_standard_variables_decide(environ: dict[str, str], exporters: tuple[str, ...]) -> None:
    assert tracing_exporters(environ) == exporters
    assert Settings.from_env(environ).tracing == bool(exporters)


def test_an_exporter_vibe_cannot_use_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="OTEL_TRACES_EXPORTER holds zipkin"):
        Settings.from_env({"OTEL_TRACES_EXPORTER": "zipkin"})


def test_tracing_asked_for_without_the_extra_is_a_clear_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vibe.bootstrap import connect

    monkeypatch.setitem(sys.modules, "vibe.adapters.otel", None)  # as if vibe[otel] were not installed
    vibe = connect(Settings(database_url="sqlite+aiosqlite://", trace_exporters=("otlp",)))
    with pytest.raises(SettingsError, match=r"pip install 'vibe\[otel\]'"):
        _ = vibe.tracer
