"""How long and how big each benchmark runs: the full plan (about 8 minutes, both setups) or ``--quick``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Plan"]


@dataclass(frozen=True)
class Plan:
    warmup_seconds: float = 2.0
    seconds: float = 8.0  # the login benchmark's wrk probe
    rounds: int = 5  # benchmarks 1-2: every target measured once per round, the rounds interleaved
    round_seconds: float = 4.0  # each wrk measurement of a round
    connections: int = 64
    login_rate: float = 20.0
    login_seconds: float = 12.0
    streams: int = 1000
    stream_sessions: int = 20  # the streams are spread evenly over this many generation sessions
    stream_events: int = 200  # text deltas per session, at 20/s: 10 s of streaming
    stream_rate: float = 20.0
    generations: int = 100
    tracing_turns: int = 4  # benchmark 7: measurements of each mode, taken in turns

    @classmethod
    def quick(cls) -> Plan:
        return cls(
            warmup_seconds=1.0,
            seconds=3.0,
            rounds=2,
            round_seconds=3.0,
            login_seconds=5.0,
            streams=200,
            stream_sessions=10,
            stream_events=80,
            generations=30,
            tracing_turns=2,
        )
