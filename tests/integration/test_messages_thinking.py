"""Thinking on the current model: adaptive by default, updates between tool calls, and signed blocks the
stand-in checks when they come back, as the real API does."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any, cast

import anthropic
import pytest

from tests.messages_api import CURRENT, HEADERS, USER, WRITE_FILE, body, error_of, post, sdk
from vibe.testing.messages_script import Block
from vibe.testing.messages_server import MessagesServer, Reply
from vibe.testing.messages_tokens import tokens_for

REASONING = "I plan the page first."
UPDATE = "Writing the page now, then the styles."
MODIFIED = (
    "`thinking` or `redacted_thinking` blocks in the latest assistant message cannot be modified. These "
    "blocks must remain as they were in the original response."
)


@pytest.fixture
async def server() -> AsyncIterator[MessagesServer]:
    async with MessagesServer() as running:
        yield running


def tool_reply(n: int = 1) -> Reply:
    return Reply.tool_calls([("write_file", {"path": f"p{n}.html"})], text=UPDATE, reasoning=REASONING)


def assistant(message: anthropic.types.Message) -> dict[str, Any]:
    """The turn exactly as the API returned it, as a client sends it back."""
    return {
        "role": "assistant",
        "content": [block.model_dump(exclude_none=True) for block in message.content],
    }


def results(message: anthropic.types.Message) -> dict[str, Any]:
    ids = [block.id for block in message.content if block.type == "tool_use"]
    return {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": i, "content": "ok"} for i in ids],
    }


async def create(
    claude: anthropic.AsyncAnthropic, messages: list[Any], **extra: Any
) -> anthropic.types.Message:
    message: anthropic.types.Message = await claude.messages.create(
        model=CURRENT,
        max_tokens=4096,
        messages=messages,
        tools=[cast("anthropic.types.ToolParam", WRITE_FILE)],
        **extra,
    )
    return message


async def test_adaptive_thinking_is_on_by_default_and_omitted(server: MessagesServer) -> None:
    server.add(Reply.text("Done.", reasoning=REASONING))
    async with sdk(server) as claude:
        stream = await claude.messages.create(model=CURRENT, max_tokens=1024, messages=USER, stream=True)
        events = [event async for event in stream]

    deltas = [e.delta for e in events if e.type == "content_block_delta" and e.index == 0]
    assert [e.content_block.type for e in events if e.type == "content_block_start"] == ["thinking", "text"]
    # https://platform.claude.com/docs/en/build-with-claude/streaming: omitted thinking streams no
    # thinking_delta, only its signature_delta.
    assert [d.type for d in deltas] == ["signature_delta"]
    assert isinstance(deltas[0], anthropic.types.SignatureDelta)
    assert deltas[0].signature
    final = next(e for e in events if e.type == "message_delta")
    assert final.usage.output_tokens == tokens_for(len(REASONING) + len("Done."))  # full length, unseen


async def test_summarized_thinking_streams_its_text(server: MessagesServer) -> None:
    server.add(Reply.text("Done.", reasoning=REASONING, chunk_size=5))
    async with (
        sdk(server) as claude,
        claude.messages.stream(
            model=CURRENT,
            max_tokens=1024,
            messages=USER,
            thinking={"type": "adaptive", "display": "summarized"},
        ) as stream,
    ):
        pieces = [event.thinking async for event in stream if event.type == "thinking"]
        message = await stream.get_final_message()

    assert pieces == ["I pla", "n the", " page", " firs", "t."]
    assert message.content[0].thinking == REASONING  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("thinking", "types", "update"),
    [
        (None, ["thinking", "thinking", "tool_use"], ""),
        ({"type": "adaptive", "display": "summarized"}, ["thinking", "thinking", "tool_use"], UPDATE),
        ({"type": "between_tools"}, ["thinking", "tool_use"], UPDATE),
    ],
)
async def test_text_between_tool_calls_comes_back_as_thinking(
    server: MessagesServer, thinking: dict[str, Any] | None, types: list[str], update: str
) -> None:
    server.add(tool_reply())
    async with sdk(server) as claude:
        message = await create(claude, USER, **({} if thinking is None else {"thinking": thinking}))

    assert [block.type for block in message.content] == types
    assert message.content[-2].thinking == update  # type: ignore[union-attr]


async def test_text_that_ends_a_turn_stays_text(server: MessagesServer) -> None:
    server.add(Reply.text("All done.", reasoning=""))
    async with sdk(server) as claude:
        message = await create(claude, USER, thinking={"type": "between_tools"})

    assert [(block.type, getattr(block, "text", None)) for block in message.content] == [
        ("text", "All done.")
    ]


async def test_scripted_thinking_blocks_go_where_the_script_puts_them(server: MessagesServer) -> None:
    blocks: list[Block] = [
        Reply.text_block("a"),
        Reply.thinking_block("b"),
        Reply.redacted_thinking_block(),
        Reply.text_block("c"),
    ]
    server.add(Reply.message(blocks, reasoning=REASONING))
    async with sdk(server) as claude:
        message = await create(claude, USER, thinking={"type": "adaptive", "display": "summarized"})

    kinds = [block.type for block in message.content]
    assert kinds == ["thinking", "text", "thinking", "redacted_thinking", "text"]
    assert message.content[2].thinking == "b"  # type: ignore[union-attr]
    assert message.content[3].data  # type: ignore[union-attr]


async def tool_loop(server: MessagesServer, turns: int) -> list[Any]:
    """``turns`` tool-use turns, each sent back as returned; the conversation that answers the last."""
    messages: list[Any] = copy.deepcopy(USER)
    async with sdk(server) as claude:
        for n in range(turns):
            server.add(tool_reply(n))
            message = await create(claude, messages)
            messages += [assistant(message), results(message)]
    return messages


async def test_a_conversation_sent_back_as_returned_is_accepted(server: MessagesServer) -> None:
    messages = await tool_loop(server, 3)
    server.add(Reply.text("Done."))

    response = await post(server, body(messages=messages, tools=[WRITE_FILE]))

    assert response.status_code == 200, response.text


def edited(messages: list[Any], i: int, j: int, **fields: Any) -> list[Any]:
    changed = copy.deepcopy(messages)
    changed[i]["content"][j].update(fields)
    return changed


async def test_an_altered_signature_is_refused(server: MessagesServer) -> None:
    messages = await tool_loop(server, 1)
    signature = messages[1]["content"][0]["signature"]

    response = await post(
        server, body(messages=edited(messages, 1, 0, signature=signature[:-4] + "AAAA"), tools=[WRITE_FILE])
    )

    assert error_of(response) == (
        400,
        "invalid_request_error",
        "messages.1.content.0: Invalid `signature` in `thinking` block.",
    )


async def test_changed_summarized_text_is_refused(server: MessagesServer) -> None:
    server.add(tool_reply())
    async with sdk(server) as claude:
        message = await create(claude, USER, thinking={"type": "adaptive", "display": "summarized"})
    messages = [*USER, assistant(message), results(message)]

    response = await post(
        server, body(messages=edited(messages, 1, 1, thinking="Something else."), tools=[WRITE_FILE])
    )

    assert error_of(response) == (400, "invalid_request_error", f"messages.1.content.1: {MODIFIED}")


async def test_text_put_in_an_omitted_block_is_ignored(server: MessagesServer) -> None:
    # https://platform.claude.com/docs/en/build-with-claude/thinking: "Any text you place in the
    # thinking field of a round-tripped omitted block is ignored."
    messages = await tool_loop(server, 1)
    server.add(Reply.text("Done."))

    response = await post(
        server, body(messages=edited(messages, 1, 0, thinking="made up"), tools=[WRITE_FILE])
    )

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda m: m[0].update(content="Make me a blog"), id="first user message"),
        pytest.param(lambda m: m[2]["content"][0].update(content="failed"), id="an earlier tool result"),
    ],
)
async def test_a_changed_prefix_is_refused(server: MessagesServer, edit: Any) -> None:
    messages = await tool_loop(server, 2)
    edit(messages)

    response = await post(server, body(messages=messages, tools=[WRITE_FILE]))

    status, kind, message = error_of(response)
    assert (status, kind) == (400, "invalid_request_error")
    at = "messages.1.content.0" if messages[0]["content"] == "Make me a blog" else "messages.3.content.0"
    assert message.startswith(
        f"{at}: Invalid `signature` in `thinking` block. The block is bound to a different conversation."
    )


async def test_a_changed_system_prompt_is_refused(server: MessagesServer) -> None:
    messages = await tool_loop(server, 1)

    response = await post(server, body(messages=messages, tools=[WRITE_FILE], system="Be brief."))

    assert "bound to a different conversation" in error_of(response)[2]


async def test_cache_control_and_effort_are_not_part_of_the_prefix(server: MessagesServer) -> None:
    messages = await tool_loop(server, 1)
    messages[2]["content"][0]["cache_control"] = {"type": "ephemeral"}
    server.add(Reply.text("Done."))

    response = await post(
        server,
        body(
            messages=messages,
            tools=[{**WRITE_FILE, "cache_control": {"type": "ephemeral"}}],
            output_config={"effort": "low"},
        ),
    )

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("change", "at"),
    [
        pytest.param(lambda c: c.pop(1), "messages.3.content.1", id="a block left out"),
        pytest.param(lambda c: c.insert(0, c.pop(1)), "messages.3.content.0", id="blocks reordered"),
        pytest.param(lambda c: [c.pop(0), c.pop(0)], "messages.3.content.0", id="all blocks left out"),
    ],
)
async def test_the_tool_use_turn_being_answered_must_keep_its_blocks(
    server: MessagesServer, change: Any, at: str
) -> None:
    messages = await tool_loop(server, 2)
    change(messages[3]["content"])

    response = await post(server, body(messages=messages, tools=[WRITE_FILE]))

    assert error_of(response) == (400, "invalid_request_error", f"{at}: {MODIFIED}")


def without_thinking(message: dict[str, Any]) -> None:
    message["content"] = [b for b in message["content"] if b["type"] != "thinking"]


async def test_a_gap_in_the_middle_is_refused(server: MessagesServer) -> None:
    messages = await tool_loop(server, 3)
    without_thinking(messages[3])

    response = await post(server, body(messages=messages, tools=[WRITE_FILE]))

    status, kind, message = error_of(response)
    assert (status, kind) == (400, "invalid_request_error")
    assert message.startswith(
        "messages.3: `thinking` blocks were dropped from the middle of the conversation."
    )


async def test_dropping_from_the_start_is_accepted(server: MessagesServer) -> None:
    messages = await tool_loop(server, 3)
    without_thinking(messages[1])
    without_thinking(messages[3])
    server.add(Reply.text("Done."))

    response = await post(server, body(messages=messages, tools=[WRITE_FILE]))

    assert response.status_code == 200, response.text


async def test_a_finished_turn_may_drop_its_blocks(server: MessagesServer) -> None:
    messages = await tool_loop(server, 1)
    server.add(Reply.text("Done.", reasoning=REASONING))
    async with sdk(server) as claude:
        done = await create(claude, messages)
    follow_up = [*messages, assistant(done), {"role": "user", "content": "Now a blog."}]
    without_thinking(follow_up[3])
    server.add(Reply.text("Sure."))

    response = await post(server, body(messages=follow_up, tools=[WRITE_FILE]))

    assert response.status_code == 200, response.text


async def count(server: MessagesServer, messages: list[Any]) -> int:
    payload = {"model": CURRENT, "messages": messages, "tools": [WRITE_FILE]}
    response = await post(server, payload, path="/v1/messages/count_tokens")
    assert response.status_code == 200, response.text
    return int(response.json()["input_tokens"])


async def test_blocks_of_another_model_are_dropped_and_not_billed(server: MessagesServer) -> None:
    server.add(Reply.text("Hi.", model="claude-opus-5", reasoning=REASONING))
    async with sdk(server) as claude:
        other = await create(claude, USER)
    with_block = [*USER, assistant(other), {"role": "user", "content": "Go on."}]
    without_block = copy.deepcopy(with_block)
    without_thinking(without_block[1])
    # Dropped before any other check: neither a changed prefix nor changed text matters then.
    elsewhere = [{"role": "user", "content": "Make me a shop"}, *copy.deepcopy(with_block[1:])]
    elsewhere_without = [{"role": "user", "content": "Make me a shop"}, *copy.deepcopy(without_block[1:])]

    counts = [await count(server, m) for m in (with_block, without_block, elsewhere, elsewhere_without)]

    assert counts[0] == counts[1]
    assert counts[2] == counts[3]


async def test_an_assistant_message_never_issued_is_not_checked(server: MessagesServer) -> None:
    messages = [
        *USER,
        {"role": "assistant", "content": "I made it up."},
        {"role": "user", "content": "Fine."},
    ]
    server.add(Reply.text("Done."))

    response = await post(server, body(messages=messages))

    assert response.status_code == 200, response.text


async def test_earlier_thinking_counts_as_input_at_full_length(server: MessagesServer) -> None:
    server.add(Reply.text("Done.", reasoning=REASONING))
    async with sdk(server) as claude:
        done = await create(claude, USER)
    messages = [*USER, assistant(done), {"role": "user", "content": "Now a blog."}]
    stripped = copy.deepcopy(messages)
    without_thinking(stripped[1])

    full, less = await count(server, messages), await count(server, stripped)

    assert full - less == tokens_for(len(REASONING))


async def test_a_redacted_block_round_trips(server: MessagesServer) -> None:
    blocks: list[Block] = [Reply.redacted_thinking_block(), Reply.tool_use_block("write_file", {"path": "a"})]
    server.add(Reply.message(blocks, stop_reason="tool_use", reasoning=""))
    async with sdk(server) as claude:
        message = await create(claude, USER)
    messages = [*USER, assistant(message), results(message)]
    server.add(Reply.text("Done."))

    ok = await post(server, body(messages=messages, tools=[WRITE_FILE]))
    forged = await post(server, body(messages=edited(messages, 1, 0, data="Zm9yZ2Vk"), tools=[WRITE_FILE]))

    assert ok.status_code == 200, ok.text
    assert error_of(forged)[2] == "messages.1.content.0: Invalid `signature` in `thinking` block."
    assert json.loads(json.dumps(message.content[0].model_dump()))["type"] == "redacted_thinking"


async def test_display_updates_shows_updates_but_not_reasoning(server: MessagesServer) -> None:
    server.add(tool_reply())
    headers = {**HEADERS, "anthropic-beta": "thinking-display-updates-2026-08-18"}

    response = await post(
        server, body(tools=[WRITE_FILE], thinking={"type": "adaptive", "display": "updates"}), headers
    )

    reasoning, update, _call = response.json()["content"]
    assert (reasoning["thinking"], update["thinking"]) == ("", UPDATE)


async def test_an_unknown_model_behaves_as_the_current_one(server: MessagesServer) -> None:
    server.add(Reply.text("Hi.", reasoning=REASONING))

    response = await post(server, body(model="claude-future-9"))
    prefill = await post(
        server, body(model="claude-future-9", messages=[*USER, {"role": "assistant", "content": "So"}])
    )

    assert [block["type"] for block in response.json()["content"]] == ["thinking", "text"]
    assert error_of(prefill)[2].startswith("This model does not support assistant message prefill.")
