"""The headers the request layer adds to every response: ``nosniff`` exactly once, ``Vary: Origin`` once
when a CORS grant was made, the app's own headers kept in their order; and request ids that never repeat,
in a forked child either. And what the app leaves out of every response: pydantic's type encoders."""

from __future__ import annotations

import os

from hypothesis import given
from hypothesis import strategies as st
from litestar import Litestar, get

from vibe.entrypoints.http.middleware import VibeLitestar, _with_headers, new_request_id

names = st.sampled_from([b"content-type", b"content-length", b"x-content-type-options", b"vary", b"etag"])
values = st.sampled_from([b"nosniff", b"Cookie", b"origin", b"Accept-Encoding, Origin", b"x"])
ADDED = [(b"x-request-id", b"0123456789abcdef0123456789abcdef")]


@given(st.lists(st.tuples(names, values), max_size=6), st.booleans())
def test_nosniff_once_vary_origin_once_and_the_apps_headers_kept(
    headers: list[tuple[bytes, bytes]], vary_origin: bool
) -> None:
    out = _with_headers(headers, ADDED, vary_origin)
    assert [name for name, _ in out].count(b"x-content-type-options") == max(
        1, [name for name, _ in headers].count(b"x-content-type-options")
    )
    assert ADDED[0] in out
    varies = [value for name, value in out if name == b"vary"]
    if vary_origin:
        assert any(b"origin" in value.lower() for value in varies)
        assert len(varies) == max(1, [name for name, _ in headers].count(b"vary"))
    else:
        assert varies == [value for name, value in headers if name == b"vary"]
    kept = [pair for pair in out if pair[0] != b"vary"]
    assert kept[: len([pair for pair in headers if pair[0] != b"vary"])] == [
        pair for pair in headers if pair[0] != b"vary"
    ]


def test_request_ids_are_128_bit_hex_and_never_repeat() -> None:
    ids = [new_request_id() for _ in range(5000)]  # many refills of the spare ids
    assert len(set(ids)) == len(ids)
    assert all(len(one) == 32 and int(one, 16) >= 0 for one in ids)


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    new_request_id()  # the parent holds spare ids now
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        os.close(read)
        os.write(write, "".join(new_request_id() for _ in range(100)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        text = pipe.read().decode()
    os.waitpid(child, 0)
    theirs = {text[start : start + 32] for start in range(0, len(text), 32)}
    ours = {new_request_id() for _ in range(100)}
    assert len(theirs) == 100
    assert not theirs & ours


@get("/x", sync_to_thread=False)
def answer() -> dict[str, int]:
    return {"x": 1}


def test_the_app_has_no_pydantic_plugin_and_so_no_type_encoder_to_copy_into_each_response() -> None:
    plain = Litestar(route_handlers=[answer])
    ours = VibeLitestar(route_handlers=[answer])
    assert any("pydantic" in type(plugin).__module__ for plugin in plain.plugins)  # installed: anthropic's
    assert plain.type_encoders  # so every Response.__init__ copied these
    assert not any("pydantic" in type(plugin).__module__ for plugin in ours.plugins)
    assert not ours.type_encoders
    assert {type(plugin) for plugin in plain.plugins} - {type(plugin) for plugin in ours.plugins} == {
        type(plugin) for plugin in plain.plugins if "pydantic" in type(plugin).__module__
    }
