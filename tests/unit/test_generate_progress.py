"""``vibe generate``'s progress line: tokens move with every usage event (cache included), and a run
that starts over drops what the dead attempt had written."""

from __future__ import annotations

import io

from rich.console import Console

from vibe.domain.events import FileDelta, FileStart, Restart, UsageEvent
from vibe.entrypoints.generate_command import _Progress


def test_the_token_count_moves_with_each_usage_event_and_counts_the_cache() -> None:
    progress = _Progress(Console(file=io.StringIO()))
    progress.apply(UsageEvent(input_tokens=20, output_tokens=1, cache_read_input_tokens=900))
    assert "921 tokens" in progress.line()
    progress.apply(FileStart(path="index.html"))
    progress.apply(FileDelta(path="index.html", delta="<p>é</p>"))
    progress.apply(UsageEvent(input_tokens=0, output_tokens=80, cache_creation_input_tokens=9))
    assert "1,010 tokens" in progress.line()


def test_a_restart_drops_what_the_dead_attempt_wrote() -> None:
    out = io.StringIO()
    progress = _Progress(Console(file=out))
    progress.apply(FileStart(path="index.html"))
    progress.apply(FileDelta(path="index.html", delta="x" * 500))
    progress.apply(UsageEvent(input_tokens=100, output_tokens=10))
    progress.apply(Restart(attempt=2))
    assert "0 bytes" in progress.line()
    assert "110 tokens" in progress.line()  # billed all the same
    assert "attempt 2" in out.getvalue()
