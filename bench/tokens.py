"""Benchmark 6: token economy of a follow-up edit, on the stand-in Claude Messages API.

vibe runs in-process (``vibe.connect`` on SQLite) with the real Claude adapter (the ``anthropic`` SDK)
pointed at ``vibe.testing.MessagesServer``, whose scripted replies first build a 3-file, 25 KB site,
then change one heading: once with ``edit_file`` (what vibe's prompt asks for) and once rewriting all
three files (the comparison). The recorded request bodies say what vibe sent. Sizes are the UTF-8
bytes of the content the model reads (tool definitions as JSON, system text, message blocks: text,
tool inputs as JSON, tool results); tokens are estimated at 4 bytes a token. The cacheable part of a
request is everything up to and including its last ``cache_control`` block, in the order the API
builds its cache prefix: tools, system, messages.
"""

from __future__ import annotations

import asyncio
import gc
import json
import tempfile
from pathlib import Path
from typing import Any

from bench.results_model import BenchResult
from bench.servers import BENCH_JWT_SECRET
from vibe.bootstrap import connect
from vibe.config import Settings
from vibe.testing import FastHasher
from vibe.testing.messages_server import MessagesServer, RecordedRequest, Reply

__all__ = ["SITE_BYTES", "site", "token_economy"]

SITE_BYTES = 25_000
TITLE = '<h1 id="title">Harbour Bakery</h1>'
NEW_TITLE = '<h1 id="title">Harbour Bakery &amp; Caf\u00e9</h1>'


def _fill(head: str, unit: str, tail: str, size: int) -> str:
    body: list[str] = []
    length = len(head) + len(tail)
    while length < size:
        body.append(unit.format(i=len(body)))
        length += len(body[-1])
    return head + "".join(body) + tail


def site() -> dict[str, str]:
    """A deterministic 3-file site of about 25 KB (index.html 11 KB, style.css 8 KB, app.js 6 KB)."""
    html = _fill(
        f"<!doctype html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n<title>Harbour Bakery</title>\n"
        f"<link rel='stylesheet' href='style.css'>\n</head>\n<body>\n<header>{TITLE}</header>\n<main>\n",
        "<section class='item' id='item-{i}'><h2>Loaf {i}</h2><p>Sourdough, rye and spelt, "
        "baked at dawn.</p></section>\n",
        "</main>\n<script src='app.js'></script>\n</body>\n</html>\n",
        11_000,
    )
    css = _fill(
        ":root { --ink: #222; --paper: #fdfaf4; }\nbody { margin: 0; font: 16px/1.5 system-ui; }\n",
        "#item-{i} {{ padding: 1rem; border-bottom: 1px solid #eee; color: var(--ink); }}\n",
        "@media (max-width: 600px) { main { padding: 0 1rem; } }\n",
        8_000,
    )
    js = _fill(
        "'use strict';\nconst items = document.querySelectorAll('.item');\n",
        "items[{i}] && items[{i}].addEventListener('click', () => items[{i}].classList.toggle('open'));\n",
        "console.log('ready');\n",
        SITE_BYTES - 19_000,
    )
    return {"index.html": html, "style.css": css, "app.js": js}


def _segments(body: dict[str, Any]) -> list[tuple[int, bool]]:
    """(bytes, carries cache_control) for each piece of a request, in cache-prefix order."""
    pieces: list[tuple[int, bool]] = []
    for tool in body.get("tools", []):
        spec = {k: v for k, v in tool.items() if k != "cache_control"}
        pieces.append((len(json.dumps(spec, ensure_ascii=False).encode()), "cache_control" in tool))
    for block in body.get("system", []):
        pieces.append((len(block["text"].encode()), "cache_control" in block))
    for message in body["messages"]:
        for block in message["content"]:
            if block["type"] == "text":
                text = block["text"]
            elif block["type"] == "tool_use":
                text = block["name"] + json.dumps(block["input"], ensure_ascii=False)
            else:
                content = block["content"]
                text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
            pieces.append((len(text.encode()), "cache_control" in block))
    return pieces


def measure(request: RecordedRequest) -> dict[str, int]:
    pieces = _segments(request.body)
    marked = [index for index, (_, cached) in enumerate(pieces) if cached]
    cacheable = sum(size for size, _ in pieces[: marked[-1] + 1]) if marked else 0
    return {"input_bytes": sum(size for size, _ in pieces), "cacheable_bytes": cacheable}


def _fixed_bytes(request: RecordedRequest) -> int:
    body = request.body
    return sum(size for size, _ in _segments({**body, "messages": []}))


def _writes(files: dict[str, str], text: str) -> Reply:
    calls = [("write_file", {"path": path, "content": content}) for path, content in files.items()]
    return Reply.tool_calls(calls, text=text, chunk_size=4096)


async def _conversation(folder: Path) -> dict[str, list[RecordedRequest]]:
    files = site()
    rewritten = files | {"index.html": files["index.html"].replace(TITLE, NEW_TITLE)}
    edit = {"path": "index.html", "old_string": TITLE, "new_string": NEW_TITLE}
    replies = [
        _writes(files, "Building the bakery site."),
        Reply.text("Built a three-file bakery site."),
        Reply.tool_calls([("edit_file", edit)], text="Renaming the heading."),
        Reply.text("Renamed the heading."),
        _writes(rewritten, "Rewriting the site."),
        Reply.text("Rewrote the site."),
    ]
    async with MessagesServer(replies) as server:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{folder / 'tokens.db'}",
            jwt_secret=BENCH_JWT_SECRET,
            llm="claude",
            anthropic_api_key="bench-key",
            anthropic_base_url=server.url,
        )
        async with connect(settings, hasher=FastHasher()) as vibe:
            user = await vibe.accounts.register("tokens@example.com", "bench password 1234")
            phases: dict[str, list[RecordedRequest]] = {}
            project_id = None
            for phase, prompt in (
                ("first", "A bakery site"),
                ("edit", "Call it Harbour Bakery & Café"),
                ("rewrite", "Call it Harbour Bakery & Café"),
            ):
                seen = len(server.requests)
                events = [event async for event in vibe.generate(user, prompt, project_id)]
                if events[-1].name != "done":
                    raise RuntimeError(f"{phase}: {events[-1]}")
                project_id = getattr(events[-1], "project_id", project_id)
                phases[phase] = server.requests[seen:]
        del vibe  # vibe does not close the SDK's HTTP client: let it go while this loop still runs
        gc.collect()
        await asyncio.sleep(0.1)
    return phases


def token_economy() -> BenchResult:
    result = BenchResult("6 token economy")
    with tempfile.TemporaryDirectory() as folder:
        phases = asyncio.run(_conversation(Path(folder)))
    site_bytes = sum(len(c.encode()) for c in site().values())
    fixed = _fixed_bytes(phases["edit"][0])
    edit = [measure(r) for r in phases["edit"]]
    rewrite = [measure(r) for r in phases["rewrite"]]
    largest = max(m["input_bytes"] for m in edit)
    limit = 1.2 * site_bytes + fixed
    shares = [m["cacheable_bytes"] / m["input_bytes"] for m in edit[1:] or edit]
    edit_total = sum(m["input_bytes"] for m in edit)
    rewrite_total = sum(m["input_bytes"] for m in rewrite)
    result.add("site", site_bytes / 1000, "KB")
    result.add("fixed prompt (tools + system)", fixed / 1000, "KB")
    result.add("follow-up request input, largest", largest / 1000, "KB")
    result.add("largest / (1.2 x site + fixed)", largest / limit, "ratio", "<=", 1.0)
    result.add("cacheable share from turn 2 (min)", 100 * min(shares), "%", ">=", 70)
    result.add("edit follow-up input, all turns", edit_total / 4, "tokens")
    result.add("rewrite follow-up input, all turns", rewrite_total / 4, "tokens")
    result.add("edit / rewrite input", edit_total / rewrite_total, "ratio")
    edit_output = len(json.dumps({"path": "index.html", "old_string": TITLE, "new_string": NEW_TITLE}))
    result.add("model output: edit / rewrite", edit_output / site_bytes, "ratio")
    result.details = {
        "bytes_per_token": 4,
        "site_bytes": site_bytes,
        "fixed_prompt_bytes": fixed,
        "edit_requests": edit,
        "rewrite_requests": rewrite,
        "first_generation_requests": [measure(r) for r in phases["first"]],
        "edit_output_bytes": edit_output,
        "rewrite_output_bytes": site_bytes,
    }
    return result
