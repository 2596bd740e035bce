"""Thinking blocks in the stand-in: signatures bound to model and conversation, and checks on their return."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

import msgspec

from vibe.testing.messages_errors import invalid
from vibe.testing.messages_tokens import blocks_of, canonical, compact, digest, tokens_for

__all__ = ["THINKING_TYPES", "ThinkingRegistry", "bind", "prefixes"]

THINKING_TYPES = ("thinking", "redacted_thinking")
Block = dict[str, Any]

# The errors, from https://platform.claude.com/docs/en/api/errors and
# https://platform.claude.com/docs/en/build-with-claude/preserved-thinking (PT).
_MODIFIED = (
    "{at}: `thinking` or `redacted_thinking` blocks in the latest assistant message cannot be modified. "
    "These blocks must remain as they were in the original response."
)
_REBOUND = (
    "{at}: Invalid `signature` in `thinking` block. The block is bound to a different conversation. "
    'Remove the block, or set `thinking.block_binding.prefix_mismatch_behavior` to "drop_block". That '
    "setting requires the `thinking-binding-controls-2026-08-01` value in the `anthropic-beta` header."
)
_FORGED = "{at}: Invalid `signature` in `thinking` block."
# PT: dropping blocks "from the start, from the end, or all of them" is fine, "a gap in the middle is
# not". No message is documented for it; this one is ours.
_GAP = (
    "{at}: `thinking` blocks were dropped from the middle of the conversation. Drop them only from its "
    "start or its end, or drop all of them."
)


class Issued(msgspec.Struct, frozen=True, kw_only=True):
    """One thinking block as the stand-in issued it."""

    model: str
    binding: str  # the digest of the conversation before the block
    shown: str  # the text the response carried ("" when omitted)
    chars: int  # the full length of the thinking, billed whether shown or not
    message_id: str
    index: int  # its position in the message's content


def prefixes(body: dict[str, Any]) -> list[str]:
    """Running digests of the conversation: element ``i`` covers system, tools and messages before ``i``.

    PT, "What counts as an edit": the prefix is the top-level system, the set of tools and every message
    before the block; cache_control markers, effort, max_tokens and display are not part of it. Thinking
    blocks are left out too, so that dropping them from the start or the end is no edit.
    """
    system = [canonical(block) for block in blocks_of(body.get("system", []))]
    tools = sorted(compact(canonical(tool)) for tool in body.get("tools", []) if isinstance(tool, dict))
    chain = [digest("conversation", system, tools)]
    for message in body["messages"]:
        chain.append(bind(chain[-1], blocks_of(message.get("content")), message.get("role")))
    return chain


def bind(prefix: str, blocks: list[Block], role: Any = None) -> str:
    """The digest of ``prefix`` followed by the non-thinking ``blocks`` (of a message with ``role``)."""
    return digest(prefix, role, [canonical(b) for b in blocks if b.get("type") not in THINKING_TYPES])


class ThinkingRegistry:
    """Every thinking block the server issued, by signature, and the thinking blocks of every turn."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)
        self._issued: dict[str, Issued] = {}
        self._turns: dict[str, tuple[str, ...]] = {}  # turn digest -> its signatures, in order
        self._by_message: dict[str, tuple[str, ...]] = {}

    def sign(self, block: Issued, text: str) -> str:
        """A new signature for ``block``: an HMAC of the model, the conversation before it and its text."""
        mac = hmac.new(
            self._secret,
            compact([block.model, block.binding, block.message_id, block.index, text]).encode(),
            hashlib.sha256,
        )
        signature = base64.b64encode(b"\x12\x40" + mac.digest()).decode()
        self._issued[signature] = block
        return signature

    def add_turn(self, turn: str, message_id: str, signatures: tuple[str, ...]) -> None:
        """Remember the thinking blocks of an issued assistant turn, found later by ``turn`` (its digest)."""
        if signatures:
            self._turns[turn] = signatures
            self._by_message[message_id] = signatures

    def tokens(self, block: Block, model: str) -> int:
        """The input tokens of a returned thinking block: its full length, 0 if it is dropped."""
        issued = self._issued.get(_key(block))
        return 0 if issued is None or issued.model != model else tokens_for(issued.chars)

    def review(self, body: dict[str, Any], model: str, *, bound: bool) -> set[tuple[int, int]]:
        """Check the thinking blocks a request sends back; return the (message, block) positions of the
        blocks it drops because another model issued them. ``bound`` adds the conversation checks of the
        current models (prefix binding, no gap)."""
        chain = prefixes(body)
        dropped: set[tuple[int, int]] = set()
        seen: list[tuple[int, bool]] = []  # every issued block of the recognised turns: message, present
        messages = body["messages"]
        latest = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
        for i, message in enumerate(messages):
            if message.get("role") != "assistant":
                continue
            blocks = blocks_of(message.get("content"))
            present = self._check_blocks(i, blocks, chain[i], model, dropped, bound=bound)
            issued = self._turn_of(chain[i + 1], present)
            answered = (
                i == latest
                and latest + 1 < len(messages)
                and any(b.get("type") == "tool_use" for b in blocks)
            )
            self._check_turn(i, issued, present, complete=answered)
            seen += [(i, signature in present) for signature in issued]
        if bound:
            _check_no_gap(seen)
        return dropped

    def _check_blocks(
        self,
        i: int,
        blocks: list[Block],
        prefix: str,
        model: str,
        dropped: set[tuple[int, int]],
        *,
        bound: bool,
    ) -> dict[str, int]:
        present: dict[str, int] = {}
        for j, block in enumerate(blocks):
            if block.get("type") not in THINKING_TYPES:
                continue
            at = f"messages.{i}.content.{j}"
            issued = self._issued.get(_key(block))
            if issued is None:
                raise invalid(_FORGED.format(at=at))
            if issued.model != model:
                # PT, "Switching models": blocks another model wrote are dropped silently, not billed.
                dropped.add((i, j))
                continue
            if issued.shown and block.get("thinking") != issued.shown:
                raise invalid(_MODIFIED.format(at=at))
            if bound and bind(prefix, blocks[:j]) != issued.binding:
                raise invalid(_REBOUND.format(at=at))
            present[_key(block)] = j
        return present

    def _turn_of(self, turn: str, present: dict[str, int]) -> tuple[str, ...]:
        if turn in self._turns:
            return self._turns[turn]
        for signature in present:
            return self._by_message.get(self._issued[signature].message_id, ())
        return ()

    def _check_turn(
        self, i: int, issued: tuple[str, ...], present: dict[str, int], *, complete: bool
    ) -> None:
        """PT: "Within the latest assistant message, the sequence of consecutive thinking blocks must
        match ... you can't rearrange, edit, or partially drop them"; nor reorder them anywhere."""
        order = [issued.index(s) for s in present if s in issued]
        if order != sorted(order):
            raise invalid(_MODIFIED.format(at=f"messages.{i}.content.{sorted(present.values())[0]}"))
        if complete:
            for signature in issued:
                if signature not in present:
                    raise invalid(
                        _MODIFIED.format(at=f"messages.{i}.content.{self._issued[signature].index}")
                    )


def _check_no_gap(seen: list[tuple[int, bool]]) -> None:
    kept = [n for n, (_i, present) in enumerate(seen) if present]
    if not kept:
        return
    for n in range(kept[0], kept[-1] + 1):
        if not seen[n][1]:
            raise invalid(_GAP.format(at=f"messages.{seen[n][0]}"))


def _key(block: Block) -> str:
    value = block.get("signature") if block.get("type") == "thinking" else block.get("data")
    return value if isinstance(value, str) else ""
