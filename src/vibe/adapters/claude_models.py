"""What vibe needs to know of each Claude model: the request shape it takes, and its output limit.

Current models (Claude 4.6 and later) think adaptively and take ``output_config.effort``; older ones
take neither (https://platform.claude.com/docs/en/build-with-claude/thinking). Only Claude Sonnet 5.5
takes ``thinking: {"type": "between_tools"}``
(https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5). The output limit of one
streamed turn is the model's maximum where vibe knows it (Sonnet 5.5: 128K,
https://platform.claude.com/docs/en/models/sonnet-5-5/overview) and the documented floor (README
"Configuration") otherwise.
"""

from __future__ import annotations

import re

import msgspec

__all__ = ["ModelTraits", "traits_of"]

DEFAULT_MAX_OUTPUT_TOKENS = 32_000
_VERSION = re.compile(r"^claude-(?:(\d+)-(?:(\d)-)?[a-z]+|[a-z]+-(\d+)(?:-(\d))?)(?:-|$)")


class ModelTraits(msgspec.Struct, frozen=True, kw_only=True):
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS
    adaptive_thinking: bool = True
    between_tools: bool = False


_KNOWN = {
    "claude-sonnet-5-5": ModelTraits(max_output_tokens=128_000, between_tools=True),
}


def traits_of(model: str) -> ModelTraits:
    """The traits of ``model``; an unknown name is taken for a current model."""
    for prefix, traits in _KNOWN.items():
        if model == prefix or model.startswith(prefix + "-"):
            return traits
    match = _VERSION.match(model)
    if match is None:
        return ModelTraits()
    major = int(match.group(1) or match.group(3))
    minor = int(match.group(2) or match.group(4) or 0)
    return ModelTraits(adaptive_thinking=(major, minor) >= (4, 6))
