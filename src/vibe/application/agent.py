"""The agent loop: stream the model's answer, apply its tool calls to the workspace, loop until done.

``run_agent`` is a plain async generator of the contract's stream events. It knows nothing of HTTP,
storage or which model answers. File contents go out as ``file_start``/``file_delta``/``file_end``
while the model writes them; the deltas of one write, joined, equal the file.

The conversation is append-only: every assistant turn goes back exactly as the model returned it
(with the provider's own blocks, such as Claude's signed thinking, untouched), followed by one user
turn of tool results. How a turn ended decides what comes next (``_next_step``): tool results, a
truthful note that the output limit cut the answer (a file cut mid-write is kept as a draft that
``append_file`` finishes), or the end. A site still holding a draft at the end is never a result.

What every call billed goes out as ``usage`` events as soon as the model reports it, so the events
of a session add up to everything it was billed for, retried calls included. Each call is a span
(``chat {model}``) carrying those counts, and each tool call one inside it (see ``Turn``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from vibe.application.fences import fenced_files
from vibe.application.prompting import SYSTEM_PROMPT, TOOLS
from vibe.application.tracing import NO_TRACER
from vibe.application.turn import Turn
from vibe.application.workspace import ToolRefused, Workspace
from vibe.domain.closing import closing
from vibe.domain.conversation import Message, ModelRequest, TextBlock
from vibe.domain.errors import UpstreamError
from vibe.domain.events import Event, FileDelta, FileEnd, FileStart
from vibe.domain.ports import Attribute, ModelClient, Tracer

__all__ = ["AgentReport", "request_for", "run_agent"]

_STOPS_THAT_END = frozenset({"end_turn", "stop_sequence"})


@dataclass
class AgentReport:
    """What the runner needs to know once the loop is over."""

    summary: str = ""  # the prose of the model's last turn (its closing summary)
    stop_reasons: list[str] = field(default_factory=list)


async def run_agent(
    model: ModelClient,
    workspace: Workspace,
    first_message: Message,
    *,
    max_turns: int,
    report: AgentReport | None = None,
    before_call: Callable[[], Awaitable[None]] | None = None,
    tracer: Tracer = NO_TRACER,
) -> AsyncIterator[Event]:
    """Run the conversation that starts with ``first_message`` against ``workspace``.

    ``before_call`` runs before each model call and may stop the run by raising (the budget check).
    Raises UpstreamError when the model refuses (``refusal``), the conversation outgrows the model's
    context (``context_window_exceeded``), or a file is still cut off when the turns run out
    (``output_truncated``)."""
    report = report if report is not None else AgentReport()
    messages = [first_message]
    called_tools = False
    for number in range(1, max_turns + 1):
        if before_call is not None:
            await before_call()
        turn = Turn(workspace, tracer)
        with tracer.span(f"chat {model.name}", _call_attributes(model, number)) as span:
            async with closing(model.stream(request_for(messages))) as chunks:
                async for event in turn.run(chunks):
                    yield event
            span.set(_usage_attributes(turn))
        report.stop_reasons.append(turn.stop_reason)
        report.summary = turn.text.strip() or report.summary
        messages.append(turn.assistant_message())
        reply = _next_step(turn, workspace)
        if reply is None:
            break
        called_tools = called_tools or bool(turn.calls)
        messages.append(reply)
    if workspace.drafts:
        cut = ", ".join(sorted(workspace.drafts))
        raise UpstreamError(
            f"The model's output limit cut off {cut} and the model did not finish it; nothing was saved. "
            "Ask for a smaller change, or raise VIBE_MAX_OUTPUT_TOKENS.",
            code="output_truncated",
        )
    if not called_tools:
        for path, content in fenced_files(report.summary):
            for event in _write_whole(workspace, path, content):
                yield event


def request_for(messages: Sequence[Message]) -> ModelRequest:
    """The request of a model call on ``messages`` (the estimate counts the first one)."""
    return ModelRequest(
        system=(TextBlock(text=SYSTEM_PROMPT, cache=True),), messages=tuple(messages), tools=TOOLS
    )


def _call_attributes(model: ModelClient, number: int) -> dict[str, Attribute]:
    return {"gen_ai.operation.name": "chat", "gen_ai.request.model": model.name, "vibe.turn": number}


def _usage_attributes(turn: Turn) -> dict[str, Attribute]:
    """What the call billed and how it ended (counts only: never prompt or answer text)."""
    billed = turn.billed
    return {
        "gen_ai.usage.input_tokens": billed.total_input,
        "gen_ai.usage.output_tokens": billed.output_tokens,
        "gen_ai.usage.cache_read.input_tokens": billed.cache_read_input_tokens,
        "gen_ai.usage.cache_creation.input_tokens": billed.cache_creation_input_tokens,
        "gen_ai.response.finish_reasons": (turn.stop_reason,),
        "vibe.tool_calls": len(turn.calls),
        "vibe.retries": turn.retries,
    }


def _next_step(turn: Turn, workspace: Workspace) -> Message | None:
    """The user turn that answers ``turn``, or None when the conversation is over."""
    stop = turn.stop_reason
    if stop == "refusal":
        raise UpstreamError(
            "The model declined to write this site; try describing it differently.", code="refusal"
        )
    if stop == "model_context_window_exceeded":
        raise UpstreamError(
            "The conversation outgrew the model's context window; try a smaller change.",
            code="context_window_exceeded",
        )
    if stop == "max_tokens":
        return Message(role="user", content=turn.cut_off_results(workspace))
    if turn.calls:
        return Message(role="user", content=turn.results())
    if stop in _STOPS_THAT_END:
        return None
    # pause_turn, or a stop reason this version does not know: let the model go on.
    return Message(role="user", content=(TextBlock(text="Continue."),))


def _write_whole(workspace: Workspace, path: str, content: str) -> list[Event]:
    try:
        path, size = workspace.write(path, content)
    except ToolRefused:
        return []
    return [FileStart(path=path), FileDelta(path=path, delta=content), FileEnd(path=path, size=size)]
