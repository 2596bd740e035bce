"""The access log: capability tokens never written, one line per request that no request can forge,
and a log reader that stops reading never blocks the request path (lines are dropped, then counted)."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vibe.entrypoints.http.access_log import (
    FLUSH_SECONDS,
    AccessLog,
    Line,
    StreamSink,
    asctime,
    message,
    milliseconds,
    redact,
)

RID = "0123456789abcdef0123456789abcdef"


def on() -> AccessLog:
    """An access log whose logger is enabled for INFO (as ``vibe serve`` sets it)."""
    logger = logging.getLogger("tests.access.on")
    logger.setLevel(logging.INFO)
    return AccessLog(logger)


def line(path: str, query: bytes = b"", status: int = 200) -> Line:
    return (time.time(), "127.0.0.1", "GET", path, query, status, 0.0012, RID, "")


@pytest.mark.parametrize(
    ("path", "query", "logged"),
    [
        ("/s/AbCdEf123/", "", "/s/[redacted]/"),
        ("/s/AbCdEf123/css/site.css", "", "/s/[redacted]/css/site.css"),
        ("/s/AbCdEf123", "", "/s/[redacted]"),
        ("//s/AbCdEf123/index.html", "", "/s/[redacted]/index.html"),
        ("/preview/p1/index.html", "version=2", "/preview/p1/index.html?version=2"),
        ("/api/x", "token=abc&limit=2", "/api/x?token=[redacted]&limit=2"),
        ("/api/x", "limit=2&access_token=abc", "/api/x?limit=2&access_token=[redacted]"),
        ("/api/v1/projects", "", "/api/v1/projects"),
    ],
)
def test_secrets_in_the_target_are_redacted(path: str, query: str, logged: str) -> None:
    assert redact(path, query) == logged


def test_a_request_cannot_write_a_line_of_its_own() -> None:
    text = message(line("/x\n2026-01-01 00:00:00,000 INFO vibe.access [-] forged", b"a=\r\n"))
    assert "\n" not in text
    assert "\r" not in text
    assert "\\n2026-01-01" in text


def test_a_line_says_who_what_how_and_how_long() -> None:
    assert message(line("/api/v1/users/me", status=401)) == (
        f'127.0.0.1 "GET /api/v1/users/me" 401 1.2ms rid={RID}'
    )


def test_the_stream_sink_writes_lines_as_the_root_handler_formats_them() -> None:
    out = io.StringIO()
    sink = StreamSink(out)
    sink([line("/s/secret/"), line("/ping")])
    deadline = time.monotonic() + 5
    while out.getvalue().count("\n") < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    first, second = out.getvalue().splitlines()
    assert " INFO vibe.access [" + RID + '] 127.0.0.1 "GET /s/[redacted]/" 200 1.2ms' in first
    assert first[:4].isdigit()
    assert first[19] == ","
    assert "secret" not in out.getvalue()
    assert second.endswith(f'"GET /ping" 200 1.2ms rid={RID}')


# Times at a millisecond's edge (the sink reuses a millisecond's text between two times of its own).
edges = st.builds(
    lambda second, millisecond, offset: max(0.0, second + millisecond / 1000 + offset),
    st.integers(0, 2**32),
    st.integers(0, 999),
    st.floats(min_value=-3e-5, max_value=3e-5),
)


@given(st.lists(st.floats(min_value=0, max_value=4e9) | edges, min_size=1, max_size=20))
def test_the_sinks_timestamps_are_loggings_for_any_times_in_any_order(times: list[float]) -> None:
    sink = StreamSink(io.StringIO())
    for created in sorted(times) + times:  # in order (as batches are), then any order
        stamped = (created, "-", "GET", "/", b"", 200, 0.0, RID, "")
        assert sink.text([stamped]).startswith(f"{asctime(created)} INFO ")


@given(st.one_of(st.floats(min_value=0, max_value=0.2), st.floats(min_value=0, max_value=1e6)))
def test_a_duration_is_written_in_milliseconds_to_the_nearest_tenth(seconds: float) -> None:
    whole, tenth = milliseconds(seconds).split(".")
    assert whole.isdigit()
    assert len(tenth) == 1
    assert tenth.isdigit()
    assert abs(float(f"{whole}.{tenth}") - seconds * 1000) <= 0.05 + seconds * 1e-9


@pytest.mark.parametrize(
    ("seconds", "written"),
    [
        (0.0, "0.0"),
        (0.0012, "1.2"),
        (0.09994, "99.9"),
        (0.09996, "100.0"),
        (0.10004, "100.0"),
        (12.3456, "12345.6"),
    ],
)
def test_durations_on_both_sides_of_the_table(seconds: float, written: str) -> None:
    assert milliseconds(seconds) == written


class _Stuck(io.StringIO):
    """A stream whose writes block until released, like a pipe nobody reads."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def write(self, text: str) -> int:
        self.release.wait(10)
        return super().write(text)


def test_a_stuck_reader_never_blocks_the_request_path_and_the_loss_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(StreamSink, "MAX_PENDING", 100)
    stuck = _Stuck()
    log = on()
    log.sink = StreamSink(stuck)
    started = time.monotonic()
    for _ in range(50):  # no running loop here: each add is written through at once
        for _ in range(10):
            log.add(line("/ping"))
    assert time.monotonic() - started < 1.0  # 500 lines, none of them waited for the reader
    stuck.release.set()
    deadline = time.monotonic() + 5
    while "dropped" not in stuck.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    written = stuck.getvalue().splitlines()
    dropped = next(text for text in written if "dropped" in text)
    lost = int(dropped.split("[-] ")[1].split()[0])
    assert " WARNING vibe.access " in dropped
    assert lost > 0
    assert len([text for text in written if '"GET /ping"' in text]) + lost == 500


def test_lines_outlive_a_loop_that_ended_before_their_flush() -> None:
    written: list[Line] = []
    log = on()
    log.sink = written.extend

    async def request(path: str, wait: float) -> None:
        log.add(line(path))
        await asyncio.sleep(wait)

    asyncio.run(request("/a", 0))  # this loop ends before the flush it scheduled
    assert written == []
    asyncio.run(request("/b", FLUSH_SECONDS * 4))  # the next loop's flush writes both
    assert [seen[3] for seen in written] == ["/a", "/b"]


paths = st.one_of(
    st.sampled_from(["/ping", "/s/tok/x.css", "//s/tok", "/s", "/api/v1/users/me", "/é"]),
    st.text(max_size=30),
)


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=4e9, allow_nan=False),
            st.sampled_from(["127.0.0.1", "-"]),
            st.sampled_from(["GET", "-"]),
            paths,
            st.one_of(st.just(b""), st.binary(max_size=20), st.sampled_from([b"token=x", b"a=1"])),
            st.integers(100, 599),
            st.one_of(st.floats(min_value=0, max_value=0.2), st.floats(min_value=0, max_value=100)),
            st.just(RID),
            st.sampled_from(["", "4bf92f3577b34da6a3ce929d0e0e4736"]),
        ),
        max_size=10,
    )
)
def test_the_sinks_text_is_the_root_handlers_format_of_each_message(lines: list[Line]) -> None:
    expected = "".join(f"{asctime(line[0])} INFO vibe.access [{line[7]}] {message(line)}\n" for line in lines)
    assert StreamSink(io.StringIO()).text(lines) == expected


def test_lines_are_dropped_unwritten_while_the_logger_is_off_for_info() -> None:
    written: list[Line] = []
    log = on()
    log.sink = written.extend
    log.logger.setLevel(logging.WARNING)
    log.add(line("/off"))  # no running loop: flushed at once
    log.logger.setLevel(logging.INFO)
    log.add(line("/on"))
    assert [seen[3] for seen in written] == ["/on"]
