"""Any chunking of a tool call's JSON gives the same decoded strings as json.loads."""

from __future__ import annotations

import itertools
import json

from hypothesis import given
from hypothesis import strategies as st

from vibe.application.tool_stream import ToolInputStream


def decode(chunks: list[str]) -> tuple[dict[str, str], dict[str, bool]]:
    stream = ToolInputStream()
    values: dict[str, str] = {}
    done: dict[str, bool] = {}
    for chunk in chunks:
        for piece in stream.feed(chunk):
            values[piece.key] = values.get(piece.key, "") + piece.text
            done[piece.key] = done.get(piece.key, False) or piece.done
    return values, done


@st.composite
def chunked(draw: st.DrawFn, text: str) -> list[str]:
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=40))))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


members = st.dictionaries(
    st.text(max_size=8),
    st.one_of(
        st.text(),
        st.integers(),
        st.booleans(),
        st.none(),
        st.lists(st.text(max_size=5), max_size=3),
        st.dictionaries(st.text(max_size=3), st.text(max_size=5), max_size=2),
    ),
    max_size=4,
)


@given(members, st.booleans(), st.data())
def test_any_chunking_decodes_every_string_member_exactly(
    value: dict[str, object], ascii_only: bool, data: st.DataObject
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=data.draw(st.sampled_from([None, 1])))
    decoded, done = decode(data.draw(chunked(text)))
    strings = {k: v for k, v in value.items() if isinstance(v, str)}
    assert decoded == {k: v for k, v in strings.items() if v or k in decoded}
    assert all(done[k] for k in decoded)


@given(st.text(), st.text(), st.data())
def test_write_file_content_streams_in_order(path: str, content: str, data: st.DataObject) -> None:
    text = json.dumps({"path": path, "content": content})
    stream = ToolInputStream()
    seen = ""
    for chunk in data.draw(chunked(text)):
        for piece in stream.feed(chunk):
            if piece.key == "content":
                seen += piece.text
                assert content.startswith(seen)
    assert seen == content


def test_one_character_at_a_time_through_escapes_and_surrogates() -> None:
    value = {"path": 'a\\b"c.html', "content": 'é\n\t"\\/😀\u2028 </script>'}
    text = json.dumps(value)  # ASCII escapes, including a surrogate pair for the emoji
    assert "\\ud83d\\ude00" in text
    assert decode(list(text))[0] == value


def test_keys_with_escapes_and_members_in_any_order() -> None:
    text = '{"content": "body", "n": [1, {"x": "}"}], "pa\\"th": "index.html"}'
    assert decode(list(text))[0] == {"content": "body", 'pa"th': "index.html"}
