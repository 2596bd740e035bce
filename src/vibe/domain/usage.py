"""Usage: the tokens a model provider billed, with one meaning everywhere vibe holds or shows them.

``input_tokens`` is the input billed at the full rate: input that was neither read from nor written
to the prompt cache. ``cache_creation_input_tokens`` and ``cache_read_input_tokens`` are the input
written to and read from the cache, billed at their own rates. This is how the Messages API reports
usage ("input_tokens ... does not include cache tokens",
https://platform.claude.com/docs/en/build-with-claude/prompt-caching#tracking-cache-performance), and
vibe keeps that meaning from the adapter to the session row, the stream's ``usage`` events, the
metrics and the budget: ``total_input`` is the sum of the three.
"""

from __future__ import annotations

import msgspec

__all__ = ["Usage"]


class Usage(msgspec.Struct, frozen=True, kw_only=True):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    @property
    def total_input(self) -> int:
        """All input tokens, whatever their cache treatment."""
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    @property
    def empty(self) -> bool:
        return not (self.total_input or self.output_tokens)

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_creation_input_tokens=self.cache_creation_input_tokens + other.cache_creation_input_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens + other.cache_read_input_tokens,
        )

    def since(self, earlier: Usage) -> Usage:
        """What was added since ``earlier`` (a provider's running count never goes down; a count
        that did is taken as unchanged, so a report is never negative)."""
        return Usage(
            input_tokens=max(0, self.input_tokens - earlier.input_tokens),
            output_tokens=max(0, self.output_tokens - earlier.output_tokens),
            cache_creation_input_tokens=max(
                0, self.cache_creation_input_tokens - earlier.cache_creation_input_tokens
            ),
            cache_read_input_tokens=max(0, self.cache_read_input_tokens - earlier.cache_read_input_tokens),
        )
