"""Prompt caching in the stand-in, by the documented rules
(https://platform.claude.com/docs/en/build-with-claude/prompt-caching), and token counting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.messages_api import CURRENT, OLDER, USER, WRITE_FILE, body, error_of, post, sse
from vibe.testing import FakeClock
from vibe.testing.messages_server import MessagesServer, Reply, Usage

FIVE_MINUTES = {"type": "ephemeral"}
ONE_HOUR = {"type": "ephemeral", "ttl": "1h"}
USER_TOKENS = 4  # "Make me a page": 14 characters


def system(tokens: int, marker: dict[str, Any] | None = FIVE_MINUTES) -> list[dict[str, Any]]:
    block: dict[str, Any] = {"type": "text", "text": "s" * (4 * tokens)}
    return [block if marker is None else {**block, "cache_control": marker}]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def server(clock: FakeClock) -> AsyncIterator[MessagesServer]:
    async with MessagesServer(clock=clock) as running:
        yield running


async def usage(server: MessagesServer, **fields: Any) -> tuple[int, int, int, int]:
    """(input, cache read, 5-minute write, 1-hour write) of one streamed call, checked for consistency."""
    server.add(Reply.text("ok", reasoning=""))
    response = await post(server, body(stream=True, **fields))
    assert response.status_code == 200, response.text
    events = sse(response)
    start, delta = (
        events[0]["message"]["usage"],
        next(e for e in events if e["type"] == "message_delta")["usage"],
    )
    split = start["cache_creation"]
    assert (
        start["cache_creation_input_tokens"]
        == split["ephemeral_5m_input_tokens"] + split["ephemeral_1h_input_tokens"]
    )
    for key in ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"):
        assert delta[key] == start[key]  # cumulative in message_delta
    return (
        start["input_tokens"],
        start["cache_read_input_tokens"],
        split["ephemeral_5m_input_tokens"],
        split["ephemeral_1h_input_tokens"],
    )


async def test_a_breakpoint_writes_then_reads(server: MessagesServer) -> None:
    assert await usage(server, system=system(1000)) == (USER_TOKENS, 0, 1000, 0)
    assert await usage(server, system=system(1000)) == (USER_TOKENS, 1000, 0, 0)


async def test_a_prefix_below_the_minimum_is_not_cached(server: MessagesServer) -> None:
    assert await usage(server, system=system(511)) == (511 + USER_TOKENS, 0, 0, 0)
    assert await usage(server, system=system(511)) == (511 + USER_TOKENS, 0, 0, 0)
    assert await usage(server, system=system(512)) == (USER_TOKENS, 0, 512, 0)


async def test_older_models_need_1024_tokens(server: MessagesServer) -> None:
    assert await usage(server, model=OLDER, system=system(1000)) == (1000 + USER_TOKENS, 0, 0, 0)
    assert await usage(server, model=OLDER, system=system(1024)) == (USER_TOKENS, 0, 1024, 0)


async def test_five_minutes_refreshed_on_each_hit(server: MessagesServer, clock: FakeClock) -> None:
    await usage(server, system=system(600))
    clock.advance(299)
    assert (await usage(server, system=system(600)))[1] == 600
    clock.advance(299)  # 598 s after the write, 299 after the refreshing hit
    assert (await usage(server, system=system(600)))[1] == 600
    clock.advance(301)
    assert await usage(server, system=system(600)) == (USER_TOKENS, 0, 600, 0)


async def test_one_hour(server: MessagesServer, clock: FakeClock) -> None:
    assert await usage(server, system=system(600, ONE_HOUR)) == (USER_TOKENS, 0, 0, 600)
    clock.advance(3599)
    assert (await usage(server, system=system(600, ONE_HOUR)))[1] == 600
    clock.advance(3601)
    assert (await usage(server, system=system(600, ONE_HOUR)))[1] == 0


async def test_a_1h_and_a_5m_breakpoint_split_the_write(server: MessagesServer) -> None:
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "m" * 400, "cache_control": FIVE_MINUTES}]}
    ]

    assert await usage(server, system=system(600, ONE_HOUR), messages=messages) == (0, 0, 100, 600)


def turns(count: int, marked_at: int | None) -> list[dict[str, Any]]:
    """A user message of ``count`` 100-token text blocks, the block ``marked_at`` being a breakpoint."""
    blocks: list[dict[str, Any]] = [{"type": "text", "text": f"{n:04d}" + "t" * 396} for n in range(count)]
    if marked_at is not None:
        blocks[marked_at] = {**blocks[marked_at], "cache_control": FIVE_MINUTES}
    return [{"role": "user", "content": blocks}]


async def test_a_read_looks_back_20_positions_from_a_breakpoint(server: MessagesServer) -> None:
    assert await usage(server, messages=turns(30, 5)) == (2400, 0, 600, 0)
    # The entry at position 5 is 19 positions before the new breakpoint at 24: found.
    assert await usage(server, messages=turns(30, 24)) == (500, 600, 1900, 0)


async def test_no_read_beyond_the_lookback(server: MessagesServer) -> None:
    await usage(server, messages=turns(30, 5))
    # 20 positions before 25 is one too many: the earlier entry is not found.
    assert await usage(server, messages=turns(30, 25)) == (400, 0, 2600, 0)


async def test_writes_happen_only_at_breakpoints(server: MessagesServer) -> None:
    await usage(server, messages=turns(30, 20))
    # Nothing was written at position 9 itself, and position 20 lies after the new breakpoint.
    assert await usage(server, messages=turns(30, 9)) == (2000, 0, 1000, 0)


async def test_entries_are_keyed_without_the_markers(server: MessagesServer) -> None:
    await usage(server, system=system(600), tools=[{**WRITE_FILE, "cache_control": FIVE_MINUTES}])
    same = system(600, {"type": "ephemeral", "ttl": "5m"})

    assert (await usage(server, system=same, tools=[WRITE_FILE]))[1] > 600


async def test_changing_the_tools_invalidates_everything(server: MessagesServer) -> None:
    await usage(server, system=system(600), tools=[WRITE_FILE])

    assert (await usage(server, system=system(600), tools=[{**WRITE_FILE, "description": "Write"}]))[1] == 0


async def test_changing_the_effort_invalidates_only_the_messages(server: MessagesServer) -> None:
    fields: dict[str, Any] = {"system": system(600), "messages": turns(8, 7)}
    assert await usage(server, **fields) == (0, 0, 1400, 0)

    assert await usage(server, output_config={"effort": "low"}, **fields) == (0, 600, 800, 0)


async def test_thinking_blocks_are_cached_with_the_content_around_them(server: MessagesServer) -> None:
    first = body(system=system(600), tools=[WRITE_FILE])
    server.add(Reply.text("Done.", reasoning="r" * 400))
    answer = await post(server, first)
    conversation = [*USER, {"role": "assistant", "content": answer.json()["content"]}]
    marked = [
        *conversation,
        {"role": "user", "content": [{"type": "text", "text": "Next", "cache_control": FIVE_MINUTES}]},
    ]

    # The first call wrote system and tools; this one writes on to the new breakpoint, thinking included.
    written = await usage(server, system=system(600), tools=[WRITE_FILE], messages=marked)
    read = await usage(server, system=system(600), tools=[WRITE_FILE], messages=marked)

    assert written[0] == 0
    assert written[2] == USER_TOKENS + 100 + 2 + 1  # the thinking at its full length, though never shown
    assert read == (0, written[1] + written[2], 0, 0)


async def test_a_scripted_usage_still_wins(server: MessagesServer) -> None:
    server.add(
        Reply.text(
            "ok", usage=Usage(input_tokens=7, cache_read_input_tokens=8, cache_creation_input_tokens=9)
        )
    )

    got = (await post(server, body(system=system(600)))).json()["usage"]

    assert (got["input_tokens"], got["cache_read_input_tokens"], got["cache_creation_input_tokens"]) == (
        7,
        8,
        9,
    )
    assert got["cache_creation"] == {"ephemeral_5m_input_tokens": 9, "ephemeral_1h_input_tokens": 0}


async def count(server: MessagesServer, **fields: Any) -> Any:
    return await post(
        server, {"model": CURRENT, "messages": USER, **fields}, path="/v1/messages/count_tokens"
    )


async def test_count_tokens_is_what_the_first_call_bills(server: MessagesServer) -> None:
    fields = {"system": system(600), "tools": [WRITE_FILE], "messages": turns(3, 1)}

    counted = await count(server, **fields)
    billed = await usage(server, **fields)

    assert counted.status_code == 200
    assert counted.json() == {"input_tokens": sum(billed)}
    assert billed[1] == 0  # counting wrote nothing to the cache
    assert (await count(server, **fields)).json() == {"input_tokens": sum(billed)}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"max_tokens": 10}, "max_tokens: Extra inputs are not permitted"),
        (
            {"tools": [WRITE_FILE], "tool_choice": {"type": "any"}},
            'tool_choice: type "tool" and "any" are not supported for this model.',
        ),
        (
            {"messages": [{"role": "assistant", "content": "Hi"}, *USER]},
            'messages: first message must use the "user" role',
        ),
    ],
)
async def test_count_tokens_checks_like_messages(
    server: MessagesServer, fields: dict[str, Any], message: str
) -> None:
    assert error_of(await count(server, **fields)) == (400, "invalid_request_error", message)
