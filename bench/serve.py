"""``python -m bench.serve TARGET --port P --workers N [--factory]``: uvicorn exactly as ``vibe serve``
runs it (same options, same metrics folder), for the bare app and the bench factories."""

from __future__ import annotations

import argparse
import os
import tempfile

__all__ = ["main"]

# The keyword arguments `vibe serve` passes to uvicorn.run (src/vibe/entrypoints/cli.py), besides the
# app, host, port and worker count.
VIBE_SERVE_OPTIONS = {
    "access_log": False,
    "proxy_headers": False,
    "timeout_graceful_shutdown": 10,
    "http": "vibe.entrypoints.http.protocol:VibeHttpToolsProtocol",  # as vibe serve: same parser
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--factory", action="store_true")
    args = parser.parse_args()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="vibe-metrics-")
    import uvicorn

    uvicorn.run(
        args.target,
        factory=args.factory,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level=os.environ.get("VIBE_LOG_LEVEL", "INFO").lower(),
        **VIBE_SERVE_OPTIONS,  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main()
