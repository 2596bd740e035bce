"""Hostile input: 10,000 generated malformed requests (bad JSON, wrong types, bodies over the limit,
invalid UTF-8, deep nesting, garbage ``Authorization``, odd paths with ``%2e%2e`` and NUL...).

None may get a 5xx; every 4xx is problem+json with ``status`` (the response's), ``title`` and
``detail``; no body shows a traceback or a file path; every response carries ``X-Request-ID``.
Half the requests carry a valid token, so the malformed parts reach the handlers behind the auth.
"""

from __future__ import annotations

import asyncio
import json
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vibe.bootstrap import Vibe
from vibe.config import Settings
from vibe.domain.events import Done
from vibe.entrypoints.http.app import create_app
from vibe.testing import FAKE_JWT_SECRET, connect_fake

REQUESTS = 10_000
MAX_BODY = 16 * 1024  # VIBE_MAX_BODY_BYTES for this app, so bodies over it stay cheap to make
PASSWORD = "correct horse battery"
HEADER_CHARS = string.printable.translate(str.maketrans("", "", "\r\n\x0b\x0c"))
LEAKS = re.compile(r'Traceback|File "|\.py\b|site-packages|/src/vibe|/work/|/home/|/usr/lib', re.IGNORECASE)


@dataclass
class Target:
    runner: asyncio.Runner
    vibe: Vibe
    client: httpx.AsyncClient
    token: str
    project_id: str
    session_id: str
    user_id: str


async def _open(target_settings: Settings) -> tuple[Vibe, httpx.AsyncClient, list[str]]:
    vibe = connect_fake(settings=target_settings)
    await vibe.start()
    user = await vibe.accounts.register("ada@example.com", PASSWORD)
    done = [event async for event in vibe.generate(user, "A landing page for a bakery")][-1]
    assert isinstance(done, Done)
    session = (await vibe.generations.list_sessions(user, 1, 0)).items[0]
    token = (await vibe.accounts.login("ada@example.com", PASSWORD)).access_token
    transport = httpx.ASGITransport(app=cast("Any", create_app(vibe)), client=("198.51.100.9", 50000))
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver.local")
    return vibe, client, [token, done.project_id, session.id, user.id]


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    runner = asyncio.Runner()
    target_settings = Settings(
        database_url="sqlite+aiosqlite://",
        jwt_secret=FAKE_JWT_SECRET,
        offline_pace_seconds=0,
        max_body_bytes=MAX_BODY,
    )
    vibe, client, (token, project_id, session_id, user_id) = runner.run(_open(target_settings))
    try:
        yield Target(runner, vibe, client, token, project_id, session_id, user_id)
    finally:
        runner.run(client.aclose())
        runner.run(vibe.aclose())
        runner.close()


# --- the requests ---------------------------------------------------------------------------------

ROUTES = [
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/session"),
    ("GET", "/api/v1/users/me"),
    ("GET", "/api/v1/users"),
    ("GET", "/api/v1/users/{user}"),
    ("PATCH", "/api/v1/users/{user}"),
    ("POST", "/api/v1/projects"),
    ("GET", "/api/v1/projects"),
    ("GET", "/api/v1/projects/{project}"),
    ("PATCH", "/api/v1/projects/{project}"),
    ("GET", "/api/v1/projects/{project}/files/{path}"),
    ("GET", "/api/v1/projects/{project}/versions"),
    ("POST", "/api/v1/projects/{project}/versions/{number}/restore"),
    ("GET", "/api/v1/projects/{project}/archive"),
    ("POST", "/api/v1/projects/{project}/preview-link"),
    ("GET", "/preview/{project}/{path}"),
    ("GET", "/s/{segment}/{path}"),
    ("POST", "/api/generate"),
    ("GET", "/api/stream/{session}"),
    ("GET", "/api/sessions"),
    ("GET", "/api/sessions/{session}"),
    ("POST", "/api/sessions/{session}/cancel"),
    ("GET", "/{segment}"),
    ("GET", "/api/schema/openapi.json"),
]
ODD_SEGMENTS = [
    "..", "%2e%2e", "%2E%2E", ".%2e", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%2f..%2f", "%00", "a%00b",
    "%ff%fe", "%c0%ae%c0%ae", "%5c..%5c", "....//", "%252e%252e", "index.html%00.txt", "%e2%80%ae",
    "%u002e", "~", "%20", "a" * 600, "%F0%9F%98%80", "%0d%0aX-Injected:%201", "%3Cscript%3E",
]  # fmt: skip
BAD_AUTHORIZATION = [
    "", "Bearer", "Bearer ", "Bearer  ", "bearer x", "Basic YWRhOnB3", "Bearer a.b.c", "Token abc",
    "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "Bearer " + "A" * 5000, "Bearer \t x",
    "Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA", "Bearer ../../etc/passwd",
]  # fmt: skip
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
)
# Numbers no input may hold, in the shapes a client could send them: past every bound, past Python's
# 4,300-digit limit for int(), signed, padded, in exponent form, in other scripts' digits.
BIG_NUMBERS = [
    "9" * 20, "9" * 4301, "9" * 5000, "-" + "9" * 5000, "+" + "9" * 5000, "0" * 5000 + "1",
    "9" * 20_000, "1e99999", "1" + "0" * 400 + ".5", "٣" * 5000, "0x" + "f" * 5000,
]  # fmt: skip
# Every query parameter the routes read, and every header the app or a proxy in front of it parses.
QUERY_PARAMETERS = ["limit", "offset", "version", "after", "last_event_id", "status", "project_id", "name"]
HEADERS = [
    "Last-Event-ID", "X-Request-ID", "X-Forwarded-For", "X-Forwarded-Proto", "Origin", "Host",
    "Accept-Encoding", "Authorization", "Cookie", "Range", "If-None-Match", "If-Modified-Since",
    "Retry-After", "Max-Forwards", "traceparent", "Sec-Fetch-Site", "Service-Worker", "Content-Type",
]  # fmt: skip
FIELDS = ["email", "password", "display_name", "refresh_token", "name", "description", "visibility", "role"]
FIELDS += ["prompt", "project_id", "version"]


def _segment(target: Target) -> st.SearchStrategy[str]:
    real = [target.project_id, target.session_id, target.user_id, "index.html", "1"]
    garbage = st.text(string.printable + "é€\x00", min_size=1, max_size=20).map(lambda s: quote(s, safe=""))
    big = st.sampled_from(BIG_NUMBERS).map(lambda s: quote(s, safe=""))
    return st.one_of(st.sampled_from(ODD_SEGMENTS), st.sampled_from(real), garbage, big)


def numeric_header(name: str, number: str) -> str:
    """A header value of ``name`` that carries ``number`` where that header would hold a number."""
    shapes = {
        "Origin": f"http://testserver.local:{number}",
        "Host": f"testserver.local:{number}",
        "Accept-Encoding": f"gzip;q={number}",
        "Authorization": f"Bearer {number}",
        "Cookie": f"vibe_access={number}; vibe_refresh={number}",
        "Range": f"bytes={number}-{number}",
        "traceparent": f"00-{number}-{number}-01",
        "Content-Type": f"application/json; charset=utf-8; q={number}",
    }
    return shapes.get(name, number)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 8))
    if kind == 0:  # random bytes: invalid JSON, invalid UTF-8
        return draw(st.binary(max_size=200))
    if kind == 1:  # deep nesting, arrays or objects, sometimes unbalanced
        depth = draw(st.sampled_from([200, 1_000, 5_000]))
        opening, closing = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
        return (
            opening * depth
            + b"1" * (opening == b'{"a":')
            + closing * draw(st.sampled_from([depth, depth // 2]))
        )
    if kind == 2:  # over the size limit
        return b'{"prompt": "' + b"x" * (MAX_BODY + draw(st.integers(1, 1024))) + b'"}'
    if kind == 3:  # invalid UTF-8 inside a JSON string
        return (
            b'{"email": "a'
            + draw(st.sampled_from([b"\xff", b"\xc0\xae", b"\xed\xa0\x80", b"\x80"]))
            + b'@b.co"}'
        )
    if kind == 4:  # lone surrogates and odd escapes
        return draw(
            st.sampled_from([b'{"name": "\\ud800"}', b'{"prompt": "\\u0000"}', b'{"email": "\\x41"}'])
        )
    if kind == 5:  # truncated JSON
        text = json.dumps(draw(st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, min_size=1)))
        return text[: draw(st.integers(0, max(0, len(text) - 1)))].encode()
    if kind == 6:  # numbers JSON cannot hold, NaN, duplicate keys
        return draw(
            st.sampled_from([b'{"version": 1e999}', b'{"version": NaN}', b'{"name": "a", "name": 1}', b"-"])
        )
    # well-formed JSON of the wrong shape or types
    return json.dumps(
        draw(st.one_of(JSON_VALUES, st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES)))
    ).encode()


@st.composite
def hostile_requests(draw: st.DrawFn, target: Target) -> tuple[str, str, dict[str, str], bytes | None]:
    method, template = draw(st.sampled_from(ROUTES))
    # One time in ten or so, a method the route does not take.
    method = draw(
        st.sampled_from([method] * 60 + ["PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "GET", "POST"])
    )
    segment = _segment(target)
    url = template
    for name in ("{user}", "{project}", "{session}", "{segment}", "{number}", "{path}"):
        while name in url:
            url = url.replace(name, draw(segment), 1)
    if draw(st.booleans()):
        url += "?" + draw(st.sampled_from([
            "limit=abc", "limit=-1", "limit=99999999999999999999", "offset=1e3", "version=-1",
            "version=%00", "status=nope", "project_id=" + "x" * 300, "last_event_id=%ff", "limit=1&limit=2",
            "%zz=%zz", "version=" + "9" * 40,
        ]) | st.builds(lambda name, n: f"{name}={quote(n, safe='')}", st.sampled_from(QUERY_PARAMETERS),
                       st.sampled_from(BIG_NUMBERS)))  # fmt: skip
    headers: dict[str, str] = {}
    auth = draw(st.integers(0, 3))
    # The token must outlive the run: no valid token for what could end the login or the account.
    ends_login = method == "DELETE" or "/logout" in url or (method == "PATCH" and "/users/" in url)
    if auth < 2 and not ends_login:
        headers["Authorization"] = f"Bearer {target.token}"
    elif auth == 2:
        headers["Authorization"] = draw(
            st.sampled_from(BAD_AUTHORIZATION) | st.text(HEADER_CHARS, max_size=40)
        )
    content_type = draw(
        st.sampled_from(["application/json", "text/plain", "application/json; charset=latin-1", ""])
    )
    if content_type:
        headers["Content-Type"] = content_type
    extra = draw(st.sampled_from([
        {}, {"Last-Event-ID": "%%%"}, {"Last-Event-ID": "9" * 30}, {"X-Request-ID": "../../etc"},
        {"X-Request-ID": "x" * 500}, {"Origin": "null"}, {"Cookie": "vibe_access=garbage; vibe_refresh=%00"},
        {"Accept-Encoding": "gzip, br, *"}, {"Service-Worker": "script"},
    ]))  # fmt: skip
    headers.update(extra)
    if draw(st.integers(0, 9)) == 0:
        name = draw(st.sampled_from(HEADERS))
        headers[name] = numeric_header(name, draw(st.sampled_from(BIG_NUMBERS)))
    body = draw(bodies()) if method in ("POST", "PATCH", "PUT") or draw(st.booleans()) else None
    return method, url, headers, body


def check(response: httpx.Response) -> None:
    status = response.status_code
    assert status < 500, f"{status}: {response.text[:300]}"
    assert response.headers.get("x-request-id"), "no X-Request-ID"
    text = response.content.decode("utf-8", "replace")
    if response.headers.get("content-type", "").startswith(("application/json", "application/problem+json")):
        assert not LEAKS.search(text), f"internals leaked: {text[:300]}"
    if 400 <= status < 500:
        assert response.headers["content-type"] == "application/problem+json", response.headers
        problem = response.json()
        assert problem["status"] == status
        assert isinstance(problem["title"], str)
        assert problem["title"]
        assert isinstance(problem["detail"], str)
        assert problem["detail"]


Request = tuple[str, str, dict[str, str], bytes | None]
BATCH = 10  # requests per Hypothesis example, sent together: generation costs more than sending


def test_hostile_requests_get_clean_problems_and_never_a_server_error(target: Target) -> None:
    seen: dict[int, int] = {}

    async def send(request: Request) -> httpx.Response:
        method, url, headers, body = request
        return await target.client.request(method, url, headers=_utf8(headers), content=body)

    @given(batch=st.lists(hostile_requests(target), min_size=BATCH, max_size=BATCH))
    @settings(
        max_examples=hostile_requests_count() // BATCH,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def send_batch(batch: list[Request]) -> None:
        responses = target.runner.run(_gather(send(request) for request in batch))
        for request, response in zip(batch, responses, strict=True):
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            try:
                check(response)
            except AssertionError as error:
                raise AssertionError(f"{request[0]} {request[1]}: {error}") from None

    send_batch()
    print(f"statuses of {sum(seen.values())} hostile requests: {dict(sorted(seen.items()))}")
    assert sum(seen.values()) >= hostile_requests_count()
    assert {400, 401, 404, 405, 413, 422} <= set(seen), seen  # the malformed parts were reached


def oversized_number_requests(target: Target, access_token: str) -> Iterator[Request]:
    """Every route with an oversized number in each of its path parameters, each query parameter the
    app reads, and each header, in turn (with a valid token, so the number reaches the handler)."""
    token = {"Authorization": f"Bearer {access_token}"}
    real = {"{user}": target.user_id, "{project}": target.project_id, "{session}": target.session_id}
    real |= {"{segment}": "x", "{number}": "1", "{path}": "index.html"}
    for method, template in ROUTES:
        body = b"{}" if method in ("POST", "PATCH") else None
        auth = {} if template.endswith("/logout") else token  # the token must outlive the test
        plain = template
        for name, value in real.items():
            plain = plain.replace(name, value)
        for number in BIG_NUMBERS:
            for name in (n for n in real if n in template):
                url = template.replace(name, quote(number, safe=""))
                for other, value in real.items():
                    url = url.replace(other, value)
                yield method, url, dict(auth), body
            for parameter in QUERY_PARAMETERS:
                yield method, f"{plain}?{parameter}={quote(number, safe='')}", dict(auth), body
            for header in HEADERS:
                headers = auth | {header: numeric_header(header, number)}
                if header == "Authorization":
                    headers = {header: numeric_header(header, number)}
                yield method, plain, headers, body


def test_oversized_numbers_in_every_header_query_and_path_parameter_get_no_server_error(
    target: Target,
) -> None:
    pair = target.runner.run(target.vibe.accounts.login("ada@example.com", PASSWORD))
    requests = list(oversized_number_requests(target, pair.access_token))
    statuses: dict[int, int] = {}
    for start in range(0, len(requests), 50):
        batch = requests[start : start + 50]
        responses = target.runner.run(
            _gather(
                target.client.request(method, url, headers=_utf8(headers), content=body)
                for method, url, headers, body in batch
            )
        )
        for (method, url, headers, _), response in zip(batch, responses, strict=True):
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            try:
                check(response)
            except AssertionError as error:
                shown = {k: v[:40] for k, v in headers.items()}
                raise AssertionError(f"{method} {url[:120]} {shown}: {error}") from None
    print(f"statuses of {len(requests)} requests with oversized numbers: {dict(sorted(statuses.items()))}")
    assert 400 in statuses  # the 5,000-digit Last-Event-ID, refused
    assert statuses.get(401, 0) < len(requests) / 10, "the numbers did not reach the handlers"


def _utf8(headers: dict[str, str]) -> dict[bytes, bytes]:
    return {name.encode("ascii"): value.encode() for name, value in headers.items()}


async def _gather(calls: Iterator[Any]) -> list[httpx.Response]:
    return list(await asyncio.gather(*calls))


def hostile_requests_count() -> int:
    """10,000 in the ci profile (in-process they take seconds), three times that in full."""
    return REQUESTS if settings().max_examples <= 100 else REQUESTS * 3
