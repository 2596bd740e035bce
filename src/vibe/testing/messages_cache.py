"""Prompt caching in the stand-in: breakpoints, positions, entries with a TTL, and what a request bills."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import msgspec

from vibe.testing.messages_errors import invalid
from vibe.testing.messages_tokens import Meter, blocks_of, canonical, compact, digest

__all__ = ["CacheBill", "Position", "PromptCache", "check_breakpoints", "positions"]

# Every rule here is from https://platform.claude.com/docs/en/build-with-claude/prompt-caching (PC).
MAX_BREAKPOINTS = 4
LOOKBACK = 20
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
_RUNS = ("tool_use", "tool_result")
Block = dict[str, Any]


class Position(msgspec.Struct, frozen=True, kw_only=True):
    """One cache position: a tool, a system block, or a message block (a run of tool_use or of
    tool_result blocks is one position, PC "lookback window"); ``ttl`` is set on a breakpoint."""

    tokens: int
    canon: str
    ttl: str | None = None
    in_messages: bool = False


class CacheBill(msgspec.Struct, frozen=True, kw_only=True):
    """The input side of a request's usage."""

    input_tokens: int
    cache_read_input_tokens: int = 0
    ephemeral_5m_input_tokens: int = 0
    ephemeral_1h_input_tokens: int = 0

    @property
    def cache_creation_input_tokens(self) -> int:
        return self.ephemeral_5m_input_tokens + self.ephemeral_1h_input_tokens

    @property
    def total(self) -> int:
        return self.input_tokens + self.cache_read_input_tokens + self.cache_creation_input_tokens


def check_breakpoints(body: dict[str, Any]) -> None:
    """At most 4 breakpoints, valid markers, longer TTLs first, none on a thinking block."""
    ttls: list[str] = []
    for path, marker in _markers(body):
        if not isinstance(marker, dict) or marker.get("type") != "ephemeral":
            raise invalid(f"{path}.type: Input should be 'ephemeral'")
        ttl = marker.get("ttl", "5m")
        if ttl not in TTL_SECONDS:
            raise invalid(f"{path}.ttl: Input should be '5m' or '1h'")
        ttls.append(ttl)
    if len(ttls) > MAX_BREAKPOINTS:
        raise invalid(
            f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {len(ttls)}."
        )
    if "5m" in ttls and "1h" in ttls[ttls.index("5m") :]:
        # PC: "a 1-hour cache entry must appear before any 5-minute cache entries". No message is
        # documented for breaking the order; this one is ours.
        raise invalid(
            "cache_control: a breakpoint with ttl '1h' cannot come after one with ttl '5m'; longer TTLs "
            "must come first."
        )


def _markers(body: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for i, tool in enumerate(body.get("tools", [])):
        if isinstance(tool, dict) and tool.get("cache_control") is not None:
            yield f"tools.{i}.cache_control", tool["cache_control"]
    system = body.get("system")
    for j, block in enumerate(system if isinstance(system, list) else []):
        if isinstance(block, dict) and block.get("cache_control") is not None:
            yield f"system.{j}.cache_control", block["cache_control"]
    for i, message in enumerate(body["messages"]):
        for j, block in enumerate(blocks_of(message.get("content"))):
            yield from _block_markers(f"messages.{i}.content.{j}", block)
    if body.get("cache_control") is not None:
        yield "cache_control", body["cache_control"]


def _block_markers(path: str, block: Block) -> Iterator[tuple[str, Any]]:
    if block.get("cache_control") is not None:
        if block.get("type") in ("thinking", "redacted_thinking"):
            # PC: thinking blocks cannot carry cache_control; the API's message as reported in
            # https://github.com/Wei-Shaw/sub2api/issues/225.
            raise invalid(f"{path}.{block['type']}.cache_control: Extra inputs are not permitted")
        yield f"{path}.cache_control", block["cache_control"]
    if block.get("type") == "tool_result":
        for k, inner in enumerate(blocks_of(block.get("content", []))):
            yield from _block_markers(f"{path}.tool_result.content.{k}", inner)


def positions(body: dict[str, Any], meter: Meter, dropped: set[tuple[int, int]]) -> list[Position]:
    """The request's positions in cache order: tools, then system blocks, then message blocks (PC:
    "tools -> system -> messages"); ``dropped`` thinking blocks are not there at all."""
    found = [
        Position(tokens=meter.tool(t), canon=compact(canonical(t)), ttl=_ttl(t))
        for t in body.get("tools", [])
    ]
    found += [
        Position(tokens=meter.block(b), canon=compact(canonical(b)), ttl=_ttl(b))
        for b in blocks_of(body.get("system", []))
    ]
    for i, message in enumerate(body["messages"]):
        run: list[Block] = []
        for j, block in enumerate(blocks_of(message.get("content"))):
            if (i, j) in dropped:
                continue
            if run and (block.get("type") != run[-1].get("type") or block.get("type") not in _RUNS):
                found.append(_message_position(message["role"], run, meter))
                run = []
            run.append(block)
        if run:
            found.append(_message_position(message["role"], run, meter))
    if body.get("cache_control") is not None and found:
        # PC, automatic caching: the top-level marker is a breakpoint on the last cacheable block.
        found[-1] = msgspec.structs.replace(
            found[-1], ttl=found[-1].ttl or body["cache_control"].get("ttl", "5m")
        )
    return found


def _message_position(role: str, run: list[Block], meter: Meter) -> Position:
    ttls = [ttl for ttl in (_ttl(block) for block in run) if ttl]
    canon = compact([role, [canonical(block) for block in run]])
    return Position(
        tokens=sum(meter.block(b) for b in run), canon=canon, ttl=ttls[-1] if ttls else None, in_messages=True
    )


def _ttl(block: Any) -> str | None:
    markers = [block.get("cache_control")] if isinstance(block, dict) else []
    if isinstance(block, dict) and block.get("type") == "tool_result":
        markers += [inner.get("cache_control") for inner in blocks_of(block.get("content", []))]
    ttls = [marker.get("ttl", "5m") for marker in markers if isinstance(marker, dict)]
    return ttls[-1] if ttls else None


class _Entry(msgspec.Struct, kw_only=True):
    expires: float
    ttl: float


class PromptCache:
    """The cache entries of one server, keyed by the canonical prefix (without cache_control markers)."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._entries: dict[str, _Entry] = {}

    def bill(self, model: str, context: str, found: list[Position], min_cacheable: int) -> CacheBill:
        """Read the longest live entry at a breakpoint or up to 20 positions before it, write an entry at
        each breakpoint past it whose prefix reaches ``min_cacheable`` tokens, and bill accordingly.
        ``context`` (thinking, effort, tool choice) keys the message positions only: PC, "What
        invalidates the cache"."""
        now = self._now()
        keys, totals = self._chain(model, context, found)
        read = 0
        for p, position in enumerate(found):
            if position.ttl is None:
                continue
            for q in range(p, max(-1, p - LOOKBACK), -1):
                entry = self._entries.get(keys[q])
                if entry is not None and entry.expires > now:
                    entry.expires = now + entry.ttl  # PC: refreshed at no cost on each hit
                    read = max(read, totals[q])
                    break
        written = {"5m": 0, "1h": 0}
        covered = read
        for p, position in enumerate(found):
            if position.ttl is None or totals[p] <= covered or totals[p] < min_cacheable:
                continue
            written[position.ttl] += totals[p] - covered
            covered = totals[p]
            self._entries[keys[p]] = _Entry(
                expires=now + TTL_SECONDS[position.ttl], ttl=TTL_SECONDS[position.ttl]
            )
        total = totals[-1] if totals else 0
        return CacheBill(
            input_tokens=total - covered,
            cache_read_input_tokens=read,
            ephemeral_5m_input_tokens=written["5m"],
            ephemeral_1h_input_tokens=written["1h"],
        )

    @staticmethod
    def _chain(model: str, context: str, found: list[Position]) -> tuple[list[str], list[int]]:
        keys: list[str] = []
        totals: list[int] = []
        key, total, in_messages = digest("cache", model), 0, False
        for position in found:
            if position.in_messages and not in_messages:
                key, in_messages = digest(key, context), True
            key = digest(key, position.canon)
            total += position.tokens
            keys.append(key)
            totals.append(total)
        return keys, totals
