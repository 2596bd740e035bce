"""The stand-in refuses what the real Messages API refuses, with its status, error type and message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anthropic
import pytest

from tests.messages_api import CURRENT, HEADERS, OLDER, USER, WRITE_FILE, body, error_of, post, sdk
from vibe.testing.messages_server import MessagesServer, Reply

TOOL_TURN: list[Any] = [
    {"role": "user", "content": "go"},
    {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "toolu_a", "name": "write_file", "input": {}}],
    },
]
DISABLED = (
    '"thinking.type.disabled" is not supported for this model. Use "thinking.type.between_tools" for the '
    'lowest thinking setting, or "thinking.type.adaptive" and "output_config.effort" to control thinking '
    "behavior."
)
BUDGET = (
    '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and '
    '"output_config.effort" to control thinking behavior.'
)
PREFILL = (
    "This model does not support assistant message prefill. The conversation must end with a user message."
)


def marked(text: str = "x", ttl: str | None = None) -> dict[str, Any]:
    marker = {"type": "ephemeral"} if ttl is None else {"type": "ephemeral", "ttl": ttl}
    return {"type": "text", "text": text, "cache_control": marker}


REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("unknown top-level field", body(foo=1), "foo: Extra inputs are not permitted"),
    (
        "unknown tool field",
        body(tools=[{**WRITE_FILE, "colour": "red"}]),
        "tools.0.colour: Extra inputs are not permitted",
    ),
    (
        "a tool name with a space",
        body(tools=[{**WRITE_FILE, "name": "write file"}]),
        "tools.0.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
    ),
    (
        "a tool name of 65 characters",
        body(tools=[{**WRITE_FILE, "name": "w" * 65}]),
        "tools.0.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
    ),
    (
        "a tool input schema that is not an object",
        body(tools=[{**WRITE_FILE, "input_schema": {"type": "string"}}]),
        "tools.0.input_schema.type: Input should be 'object'",
    ),
    ("missing max_tokens", {"model": CURRENT, "messages": USER}, "max_tokens: Field required"),
    (
        "max_tokens above the current model's 128K",
        body(max_tokens=128_001),
        "max_tokens: 128001 > 128000, which is the maximum allowed number of output tokens for "
        "claude-sonnet-5-5",
    ),
    (
        "max_tokens above an older model's 64K",
        body(model=OLDER, max_tokens=64_001),
        "max_tokens: 64001 > 64000, which is the maximum allowed number of output tokens for "
        "claude-sonnet-4-5",
    ),
    ("thinking disabled", body(thinking={"type": "disabled"}), DISABLED),
    ("a thinking budget", body(thinking={"type": "enabled", "budget_tokens": 2048}), BUDGET),
    (
        "between_tools with another field",
        body(thinking={"type": "between_tools", "display": "summarized"}),
        "thinking.between_tools.display: Extra inputs are not permitted",
    ),
    (
        "an unknown display",
        body(thinking={"type": "adaptive", "display": "full"}),
        "thinking.adaptive.display: Input should be 'summarized' or 'omitted'",
    ),
    (
        "display updates without its beta header",
        body(thinking={"type": "adaptive", "display": "updates"}),
        "thinking.adaptive.display: Input should be 'summarized' or 'omitted'",
    ),
    (
        "an unknown effort",
        body(output_config={"effort": "adaptive"}),
        "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'",
    ),
    (
        "between_tools at effort xhigh",
        body(thinking={"type": "between_tools"}, output_config={"effort": "xhigh"}),
        "output_config.effort 'xhigh' is not supported when thinking is disabled on this model. Use effort "
        "'high' or below, or enable thinking.",
    ),
    (
        "forced tool choice any",
        body(tools=[WRITE_FILE], tool_choice={"type": "any"}),
        'tool_choice: type "tool" and "any" are not supported for this model.',
    ),
    (
        "forced tool choice tool",
        body(tools=[WRITE_FILE], tool_choice={"type": "tool", "name": "write_file"}),
        'tool_choice: type "tool" and "any" are not supported for this model.',
    ),
    ("assistant prefill", body(messages=[*USER, {"role": "assistant", "content": "Sure"}]), PREFILL),
    ("temperature, even the default", body(temperature=1.0), "temperature: Extra inputs are not permitted"),
    ("top_k", body(top_k=5), "top_k: Extra inputs are not permitted"),
    (
        "between_tools on an older model",
        body(model=OLDER, thinking={"type": "between_tools"}),
        '"thinking.type.between_tools" is not supported for this model.',
    ),
    (
        "five breakpoints",
        body(system=[marked("a"), marked("b"), marked("c"), marked("d"), marked("e")]),
        "A maximum of 4 blocks with cache_control may be provided. Found 5.",
    ),
    (
        "a 1-hour breakpoint after a 5-minute one",
        body(system=[marked("a"), marked("b", ttl="1h")]),
        "cache_control: a breakpoint with ttl '1h' cannot come after one with ttl '5m'; longer TTLs must "
        "come first.",
    ),
    (
        "cache_control on a thinking block",
        body(
            messages=[
                *USER,
                {
                    "role": "assistant",
                    "content": [
                        {
                            "type": "thinking",
                            "thinking": "",
                            "signature": "s",
                            "cache_control": {"type": "ephemeral"},
                        },
                        {"type": "text", "text": "ok"},
                    ],
                },
                {"role": "user", "content": "more"},
            ]
        ),
        "messages.1.content.0.thinking.cache_control: Extra inputs are not permitted",
    ),
    (
        "a first message from the assistant",
        body(messages=[{"role": "assistant", "content": "Hi"}, *USER]),
        'messages: first message must use the "user" role',
    ),
    (
        "a tool_use without its tool_result",
        body(messages=[*TOOL_TURN, {"role": "user", "content": "and?"}]),
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_a. Each "
        "`tool_use` block must have a corresponding `tool_result` block in the next message.",
    ),
    (
        "a tool_result for an unknown id",
        body(
            messages=[
                *TOOL_TURN,
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": "toolu_a"},
                        {"type": "tool_result", "tool_use_id": "toolu_b"},
                    ],
                },
            ]
        ),
        "messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_b. Each "
        "`tool_result` block must have a corresponding `tool_use` block in the previous message.",
    ),
    (
        "a tool_result after text",
        body(
            messages=[
                *TOOL_TURN,
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "here"},
                        {"type": "tool_result", "tool_use_id": "toolu_a"},
                    ],
                },
            ]
        ),
        "messages.2: Did not find 1 `tool_result` block(s) at the beginning of this message. Messages "
        "following `tool_use` blocks must begin with a matching number of `tool_result` blocks.",
    ),
    (
        "an empty text block",
        body(messages=[{"role": "user", "content": [{"type": "text", "text": ""}]}]),
        "messages: text content blocks must be non-empty",
    ),
]


@pytest.fixture
async def server() -> AsyncIterator[MessagesServer]:
    async with MessagesServer() as running:
        yield running


@pytest.mark.parametrize(("case", "payload", "message"), REFUSED, ids=[case for case, _, _ in REFUSED])
async def test_refused_with_the_apis_error(
    server: MessagesServer, case: str, payload: dict[str, Any], message: str
) -> None:
    server.add(Reply.text("never sent"))

    response = await post(server, payload)

    assert error_of(response) == (400, "invalid_request_error", message), case
    assert len(server.remaining) == 1  # the model never ran: the script is untouched


ACCEPTED: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("max_tokens at the current model's maximum", body(max_tokens=128_000), HEADERS),
    (
        "between_tools at effort high",
        body(thinking={"type": "between_tools"}, output_config={"effort": "high"}),
        HEADERS,
    ),
    ("automatic or no tool choice", body(tools=[WRITE_FILE], tool_choice={"type": "auto"}), HEADERS),
    (
        "display updates with its beta header",
        body(thinking={"type": "adaptive", "display": "updates"}),
        {**HEADERS, "anthropic-beta": "thinking-display-updates-2026-08-18"},
    ),
    (
        "default sampling under 2023-06-01",
        body(temperature=1.0),
        {**HEADERS, "anthropic-version": "2023-06-01"},
    ),
    (
        "older model: prefill",
        body(model=OLDER, messages=[*USER, {"role": "assistant", "content": "Sure"}]),
        HEADERS,
    ),
    (
        "older model: forced tool choice",
        body(model=OLDER, tools=[WRITE_FILE], tool_choice={"type": "any"}),
        HEADERS,
    ),
    (
        "older model: sampling under 2023-06-01",
        body(model="claude-3-7-sonnet-20250219", temperature=0.2),
        {**HEADERS, "anthropic-version": "2023-06-01"},
    ),
    ("a 1-hour breakpoint before a 5-minute one", body(system=[marked("a", ttl="1h"), marked("b")]), HEADERS),
    ("a dated id of the current model", body(model="claude-sonnet-5-5-20260928"), HEADERS),
]


@pytest.mark.parametrize(("case", "payload", "headers"), ACCEPTED, ids=[case for case, _, _ in ACCEPTED])
async def test_accepted_as_the_api_accepts(
    server: MessagesServer, case: str, payload: dict[str, Any], headers: dict[str, str]
) -> None:
    server.add(Reply.text("fine"))

    response = await post(server, payload, headers)

    assert response.status_code == 200, (case, response.text)
    assert server.remaining == []


@pytest.mark.parametrize(
    ("case", "payload", "message"),
    [
        ("non-default temperature", body(temperature=0.2), "'temperature' is deprecated for this model."),
        (
            "a default with a non-default",
            body(temperature=1.0, top_p=0.9),
            "'top_p' is deprecated for this model.",
        ),
    ],
)
async def test_current_model_refuses_sampling_under_the_old_version(
    server: MessagesServer, case: str, payload: dict[str, Any], message: str
) -> None:
    response = await post(server, payload, {**HEADERS, "anthropic-version": "2023-06-01"})

    assert error_of(response) == (400, "invalid_request_error", message), case


async def test_missing_version_header(server: MessagesServer) -> None:
    response = await post(server, body(), {"x-api-key": "k"})

    assert error_of(response) == (400, "invalid_request_error", "anthropic-version: header is required")


async def test_missing_credentials(server: MessagesServer) -> None:
    response = await post(server, body(), {"anthropic-version": "2026-10-21"})

    assert error_of(response) == (401, "authentication_error", "x-api-key header is required")


async def test_the_sdk_sees_a_refusal_as_bad_request(server: MessagesServer) -> None:
    async with sdk(server) as claude:
        with pytest.raises(anthropic.BadRequestError) as caught:
            await claude.messages.create(
                model=CURRENT, max_tokens=64, messages=USER, thinking={"type": "disabled"}
            )

    assert caught.value.type == "invalid_request_error"
    assert caught.value.api_message == DISABLED
    assert caught.value.request_id == "req_01000001"


async def test_an_older_model_thinks_only_when_asked_with_a_budget(server: MessagesServer) -> None:
    server.add(Reply.text("plain"))
    server.add(Reply.text("considered", reasoning="Let me see."))
    async with sdk(server) as claude:
        plain = await claude.messages.create(model=OLDER, max_tokens=4096, messages=USER)
        thought = await claude.messages.create(
            model=OLDER, max_tokens=4096, messages=USER, thinking={"type": "enabled", "budget_tokens": 2048}
        )

    assert [block.type for block in plain.content] == ["text"]
    assert [block.type for block in thought.content] == ["thinking", "text"]
    assert thought.content[0].thinking == "Let me see."  # type: ignore[union-attr]
    assert thought.content[0].signature  # type: ignore[union-attr]
