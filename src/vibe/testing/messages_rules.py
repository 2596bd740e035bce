"""The stand-in's checks on a request's headers and top-level fields, per model, with the API's messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from vibe.testing.messages_errors import ApiError, invalid
from vibe.testing.messages_models import ModelSpec, model_spec

__all__ = ["RequestSettings", "check_request"]

NEW_VERSION = "2026-10-21"
SAMPLING = ("temperature", "top_p", "top_k")
# The brief's list, plus what the SDK 2.17.0 types and
# https://platform.claude.com/docs/en/build-with-claude/prompt-caching document (top-level cache_control
# is automatic caching; `speed` is named there too).
TOP_LEVEL = frozenset(
    {"model", "messages", "max_tokens", "system", "tools", "tool_choice", "thinking", "output_config"}
    | {"stream", "metadata", "stop_sequences", *SAMPLING, "service_tier", "cache_control", "inference_geo"}
    | {"speed"}
)
# https://platform.claude.com/docs/en/build-with-claude/token-counting: the same body, no max_tokens.
COUNT_TOP_LEVEL = TOP_LEVEL - {"max_tokens", "stream", "metadata", "stop_sequences", "service_tier"}
# The brief's list plus the SDK 2.17.0 ToolParam fields allowed_callers, defer_loading, input_examples.
TOOL_FIELDS = frozenset(
    {"name", "description", "input_schema", "cache_control", "eager_input_streaming", "strict", "type"}
    | {"allowed_callers", "defer_loading", "input_examples"}
)
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
EFFORTS = ("low", "medium", "high", "xhigh", "max")
UPDATES_BETA = "thinking-display-updates-2026-08-18"
LEGACY_EAGER_BETA = "fine-grained-tool-streaming-2025-05-14"


class RequestSettings(msgspec.Struct, frozen=True, kw_only=True):
    """What a valid request asked for, as the generation needs it."""

    spec: ModelSpec
    thinking: str  # "adaptive", "between_tools", "enabled" (older models) or "none"
    display: str  # "omitted", "summarized" or "updates"
    effort: str
    max_tokens: int
    eager_tools: frozenset[str]
    tool_choice: dict[str, Any]


def check_request(headers: Mapping[str, str], body: dict[str, Any], *, count_only: bool) -> RequestSettings:
    """Raise the API's error for the first thing the real API would refuse, else the settings."""
    version = _check_headers(headers)
    _check_fields(body, version, count_only=count_only)
    spec = model_spec(body["model"])
    max_tokens = 0 if count_only else _max_tokens(body["max_tokens"], spec, body["model"])
    eager = _check_tools(body.get("tools", []), _betas(headers))
    thinking, display = _thinking(body.get("thinking"), spec, headers)
    effort = _effort(body.get("output_config"), thinking)
    if thinking == "enabled" and not count_only:
        _check_budget(body["thinking"], max_tokens)
    tool_choice = _tool_choice(body.get("tool_choice"), spec, thinking)
    if spec.current:
        _check_current_only(body)
    return RequestSettings(
        spec=spec,
        thinking=thinking,
        display=display,
        effort=effort,
        max_tokens=max_tokens,
        eager_tools=eager,
        tool_choice=tool_choice,
    )


def _check_headers(headers: Mapping[str, str]) -> str:
    # https://platform.claude.com/docs/en/api/versioning: "you must send an anthropic-version request
    # header"; the key goes as x-api-key, or (SDK 2.x) as Authorization: Bearer.
    bearer = headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not headers.get("x-api-key") and not bearer:
        raise ApiError("authentication_error", "x-api-key header is required")
    version = headers.get("anthropic-version", "")
    if not version:
        raise invalid("anthropic-version: header is required")
    return version


def _check_fields(body: dict[str, Any], version: str, *, count_only: bool) -> None:
    allowed = COUNT_TOP_LEVEL if count_only else TOP_LEVEL
    if version == NEW_VERSION:
        # https://platform.claude.com/docs/en/api/versioning: 2026-10-21 removes temperature, top_p and
        # top_k; research §0 (the migration page) says even default values get a 400. No message is
        # documented: a removed field answers like any field the schema does not know.
        allowed = allowed - set(SAMPLING)
    for field in body:
        if field not in allowed:
            raise invalid(f"{field}: Extra inputs are not permitted")
    for field in ("model", "messages") if count_only else ("max_tokens", "messages", "model"):
        if field not in body:
            raise invalid(f"{field}: Field required")
    if not isinstance(body["model"], str):
        raise invalid("model: Input should be a valid string")
    if not isinstance(body["messages"], list):
        raise invalid("messages: Input should be a valid list")


def _betas(headers: Mapping[str, str]) -> set[str]:
    return {beta.strip() for beta in headers.get("anthropic-beta", "").split(",")}


def _max_tokens(value: Any, spec: ModelSpec, model: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise invalid("max_tokens: Input should be greater than or equal to 1")
    if value > spec.max_output:
        # https://platform.claude.com/docs/en/build-with-claude/thinking, "Output limits".
        raise invalid(
            f"max_tokens: {value} > {spec.max_output}, which is the maximum allowed number of output "
            f"tokens for {model}"
        )
    return value


def _check_tools(tools: Any, betas: set[str]) -> frozenset[str]:
    """Unknown fields of a custom tool are refused; returns the names of the eager tools
    (https://platform.claude.com/docs/en/agents-and-tools/tool-use/fine-grained-tool-streaming: the
    legacy beta header makes eager every tool that does not set the field to false)."""
    if not isinstance(tools, list):
        raise invalid("tools: Input should be a valid list")
    eager: set[str] = set()
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            raise invalid(f"tools.{i}: Input should be a valid dictionary")
        if tool.get("type") not in (None, "custom"):
            continue  # a server tool has its own schema, not modelled here
        for field in tool:
            if field not in TOOL_FIELDS:
                raise invalid(f"tools.{i}.{field}: Extra inputs are not permitted")
        for field in ("name", "input_schema"):
            if field not in tool:
                raise invalid(f"tools.{i}.{field}: Field required")
        # https://platform.claude.com/docs/en/api/messages (tools: a custom tool's `name` matches
        # ^[a-zA-Z0-9_-]{1,64}$ and its `input_schema` is a JSON Schema whose `type` is "object").
        if not isinstance(tool["name"], str) or not TOOL_NAME.fullmatch(tool["name"]):
            raise invalid(f"tools.{i}.name: String should match pattern '{TOOL_NAME.pattern}'")
        schema = tool["input_schema"]
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise invalid(f"tools.{i}.input_schema.type: Input should be 'object'")
        if tool.get("eager_input_streaming", LEGACY_EAGER_BETA in betas) is True:
            eager.add(str(tool["name"]))
    return frozenset(eager)


def _thinking(config: Any, spec: ModelSpec, headers: Mapping[str, str]) -> tuple[str, str]:
    """(mode, display). https://platform.claude.com/docs/en/build-with-claude/thinking and
    https://platform.claude.com/docs/en/models/sonnet-5-5/migration-guide: on the current model,
    thinking is adaptive by default with display "omitted"; `disabled` and budgets are refused."""
    if config is None:
        return ("adaptive", "omitted") if spec.current else ("none", "summarized")
    kind = config.get("type") if isinstance(config, dict) else None
    if spec.current and kind in ("disabled", "enabled"):
        raise invalid(_REFUSED_THINKING[kind])
    if kind == "disabled":
        return "none", "summarized"
    if kind == "between_tools":
        if not spec.current:
            raise invalid('"thinking.type.between_tools" is not supported for this model.')
        # https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5: "between_tools
        # takes no other field". No message is documented; this is the schema's wording.
        for field in config:
            if field != "type":
                raise invalid(f"thinking.between_tools.{field}: Extra inputs are not permitted")
        return "between_tools", "updates"
    if kind == "enabled":
        return "enabled", "summarized"
    if kind != "adaptive":
        raise invalid("thinking.type: Input should be 'adaptive', 'between_tools', 'disabled' or 'enabled'")
    if not spec.current:
        raise invalid('"thinking.type.adaptive" is not supported for this model.')  # our wording
    return "adaptive", _display(config, headers)


_REFUSED_THINKING = {
    # https://platform.claude.com/docs/en/api/errors and .../build-with-claude/thinking-troubleshooting.
    "disabled": '"thinking.type.disabled" is not supported for this model. Use "thinking.type.between_tools" '
    'for the lowest thinking setting, or "thinking.type.adaptive" and "output_config.effort" to control '
    "thinking behavior.",
    "enabled": '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and '
    '"output_config.effort" to control thinking behavior.',
}


def _display(config: dict[str, Any], headers: Mapping[str, str]) -> str:
    for field in config:
        if field not in ("type", "display"):
            # block_binding needs a beta this stand-in does not model: refused as without its header
            # (https://platform.claude.com/docs/en/build-with-claude/preserved-thinking).
            raise invalid(f"thinking.adaptive.{field}: Extra inputs are not permitted")
    display = config.get("display") or "omitted"
    betas = _betas(headers)
    # TH: "updates" without its beta header "is rejected with the same 400 invalid_request_error as an
    # unknown display value". The message is ours.
    if display not in ("summarized", "omitted") and not (display == "updates" and UPDATES_BETA in betas):
        raise invalid("thinking.adaptive.display: Input should be 'summarized' or 'omitted'")
    return str(display)


def _effort(config: Any, thinking: str) -> str:
    # https://platform.claude.com/docs/en/build-with-claude/effort: five levels, default high;
    # between_tools only up to high, with the message quoted there.
    config = config or {}
    if not isinstance(config, dict):
        raise invalid("output_config: Input should be a valid dictionary")
    for field in config:
        if field not in ("effort", "format"):
            raise invalid(f"output_config.{field}: Extra inputs are not permitted")
    effort = config.get("effort") or "high"
    if effort not in EFFORTS:
        raise invalid("output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'")
    if thinking == "between_tools" and effort in ("xhigh", "max"):
        raise invalid(
            f"output_config.effort '{effort}' is not supported when thinking is disabled on this model. "
            "Use effort 'high' or below, or enable thinking."
        )
    return str(effort)


def _check_budget(config: dict[str, Any], max_tokens: int) -> None:
    # https://platform.claude.com/docs/en/build-with-claude/extended-thinking (older models): a budget of
    # at least 1,024 tokens, below max_tokens.
    budget = config.get("budget_tokens")
    if not isinstance(budget, int) or budget < 1024:
        raise invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
    if budget >= max_tokens:
        raise invalid("`max_tokens` must be greater than `thinking.budget_tokens`.")


def _tool_choice(choice: Any, spec: ModelSpec, thinking: str) -> dict[str, Any]:
    choice = choice or {"type": "auto"}
    kind = choice.get("type") if isinstance(choice, dict) else None
    if kind not in ("auto", "any", "tool", "none"):
        raise invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")
    if kind in ("any", "tool") and spec.current:
        # https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5 and the errors page.
        raise invalid('tool_choice: type "tool" and "any" are not supported for this model.')
    if kind in ("any", "tool") and thinking == "enabled":
        raise invalid("Thinking may not be enabled when tool_choice forces tool use.")
    return dict(choice)


def _check_current_only(body: dict[str, Any]) -> None:
    """Prefill and sampling, refused by the current model
    (https://platform.claude.com/docs/en/models/sonnet-5-5/migration-guide, "Send a request")."""
    messages = body["messages"]
    if messages and isinstance(messages[-1], dict) and messages[-1].get("role") == "assistant":
        raise invalid(
            "This model does not support assistant message prefill. The conversation must end with a "
            "user message."
        )
    defaults = {"temperature": 1.0, "top_p": 1.0}
    for name in SAMPLING:
        if name in body and body[name] != defaults.get(name, object()):
            # No message is documented for this model; this is the one reported for Opus 4.7.
            raise invalid(f"'{name}' is deprecated for this model.")
