"""``import vibe`` reads no environment, opens no connection and starts no thread (docs/api.md "The library").

Run in a fresh interpreter, with the environment, sockets and threads watched from before the import.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import json, os, socket, sys, threading

    reads = []

    class Watched(dict):
        def __getitem__(self, key):
            reads.append(key)
            return super().__getitem__(key)
        def get(self, key, default=None):
            reads.append(key)
            return super().get(key, default)
        def __contains__(self, key):
            reads.append(key)
            return super().__contains__(key)

    os.environ = Watched(os.environ)
    sockets = []
    real_socket = socket.socket.__init__
    def watched_socket(self, *args, **kwargs):
        sockets.append(args)
        real_socket(self, *args, **kwargs)
    socket.socket.__init__ = watched_socket

    HEAVY = ("sqlalchemy", "litestar", "anthropic", "redis")
    import vibe
    {extra}
    print(json.dumps({{
        "vibe_reads": [k for k in reads if k.startswith(("VIBE_", "ANTHROPIC_"))],
        "sockets": len(sockets),
        "threads": threading.active_count(),
        "modules": sorted(m for m in sys.modules if m.split(".")[0] in HEAVY),
    }}))
    """
)


def _probe(extra: str = "") -> dict[str, object]:
    env = {
        "VIBE_DATABASE_URL": "mysql+aiomysql://nobody@192.0.2.1/x",
        "ANTHROPIC_API_KEY": "sk-x",
        "PATH": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(extra=extra)], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_import_vibe_has_no_side_effects_and_stays_light() -> None:
    seen = _probe()
    assert seen == {"vibe_reads": [], "sockets": 0, "threads": 1, "modules": []}


def test_the_public_api_resolves_without_side_effects() -> None:
    seen = _probe("from vibe import connect, Settings, Vibe, VibeError")
    assert seen["vibe_reads"] == []
    assert seen["sockets"] == 0
    assert seen["threads"] == 1
