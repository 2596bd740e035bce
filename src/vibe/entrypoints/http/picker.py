"""The workspace preview (``/w/{token}/...``): a preview link's files, with vibe's element picker in
its HTML pages (docs/api.md, "Pointing at the page").

Only the workspace's own frame loads this path; share links (``/s/...``), ``/preview/...`` and the raw
file route serve the files exactly as stored. The picker (``picker_frame/frame.js``, not one of the
app's static modules: it never runs in the app) is inlined as
the first script of each HTML page; the response keeps the sandbox headers of every generated file,
so the page, picker included, runs with an opaque origin. The app trusts nothing it says (see
``static/js/picker-host.js``).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from litestar import Response, Router, get
from litestar.params import FromPath

from vibe.entrypoints.http.deps import Links
from vibe.entrypoints.http.openapi import FILE, problems
from vibe.entrypoints.http.untrusted import file_path, refuse_service_workers, untrusted_file

__all__ = ["router", "with_picker"]

_OPENING = re.compile(rb"<head\b[^>]*>|<html\b[^>]*>|<!doctype[^>]*>", re.IGNORECASE)


@cache
def _script() -> bytes:
    code = files("vibe.entrypoints.http").joinpath("picker_frame/frame.js").read_text("utf-8")
    assert "</script" not in code.lower()
    return b'<script data-vibe="picker">' + code.encode() + b"</script>"


def with_picker(page: bytes) -> bytes:
    """``page`` with the picker as its first script: after ``<head>`` (else ``<html>``, else the
    doctype, else at the very start)."""
    openings = {m.group(0)[:5].lower(): m for m in _OPENING.finditer(page[:65536])}
    found = openings.get(b"<head") or openings.get(b"<html") or openings.get(b"<!doc")
    at = found.end() if found else 0
    return page[:at] + _script() + page[at:]


@get(
    ["/w/{token:str}", "/w/{token:str}/{path:path}"],
    summary="A file of the version a preview link names, with the element picker in HTML pages",
    responses={200: FILE, **problems(403, 404)},
    include_in_schema=False,
)
async def workspace_file(token: FromPath[str], links: Links, path: FromPath[str] = "/") -> Response[bytes]:
    entry, data = await links.read_file(token, file_path(path))
    if entry.content_type.startswith("text/html"):
        data = with_picker(data)
    return untrusted_file(entry, data)


router = Router(
    path="/",
    route_handlers=[workspace_file],
    guards=[refuse_service_workers],
    tags=["preview"],
)
