"""A turn's plan: the prose said before the tool calls, the calls themselves, and what to report once
they have run. A new site is planned here; follow-ups are planned in ``edits``. The report of a later
turn is made by planning again (it is deterministic) and reading the tool results honestly.
"""

from __future__ import annotations

from typing import Any

import msgspec

from vibe.adapters.offline.briefs import Brief
from vibe.adapters.offline.conversation import Outcome
from vibe.adapters.offline.palettes import describe_palette
from vibe.adapters.offline.templates import render_site, site_for

__all__ = ["Plan", "ToolCall", "join_phrases", "new_site_plan", "report"]

_MAX_REASON_CHARS = 160


class ToolCall(msgspec.Struct, frozen=True):
    name: str
    input: dict[str, Any]


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    intro: str  # before the calls: what will be done
    calls: tuple[ToolCall, ...]
    done: str  # after the calls, when all of them succeeded


def join_phrases(phrases: list[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def new_site_plan(brief: Brief) -> Plan:
    site = site_for(brief.kind)
    files = render_site(brief)
    palette = describe_palette(brief.scheme, brief.accent)
    intro = (
        f"I'll build a {site.label} for {brief.title}: {site.offers}, in a {palette}. "
        f"I'm writing {join_phrases(list(files))} now."
    )
    done = (
        f"Your {site.label} for {brief.title} is ready: {join_phrases(list(files))}, with {site.offers}, "
        "a light/dark toggle, and no external requests."
    )
    calls = tuple(
        ToolCall("write_file", {"path": path, "content": content}) for path, content in files.items()
    )
    return Plan(intro=intro, calls=calls, done=done)


def _reason(error: str) -> str:
    text = " ".join(error.split())
    return text if len(text) <= _MAX_REASON_CHARS else text[: _MAX_REASON_CHARS - 1] + "…"


def report(plan: Plan, outcomes: tuple[Outcome, ...]) -> str:
    """One sentence on what happened, saying plainly which calls were refused and why."""
    failed = [outcome for outcome in outcomes if outcome.error is not None]
    if not failed:
        return plan.done
    refusals = join_phrases(
        [f"{o.name} on {o.path or 'a file'} was refused ({_reason(o.error or '')})" for o in failed]
    )
    if len(failed) == len(outcomes):
        return f"None of the changes went through: {refusals}."
    applied = len(outcomes) - len(failed)
    return f"Only part of it went through: {applied} of {len(outcomes)} changes applied, but {refusals}."
