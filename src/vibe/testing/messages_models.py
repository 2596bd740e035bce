"""The models the stand-in Messages API knows: today's generation, and a mode for older ones."""

from __future__ import annotations

import re

import msgspec

__all__ = ["CURRENT_MODEL", "ModelSpec", "model_spec"]

CURRENT_MODEL = "claude-sonnet-5-5"

_DATED = re.compile(r"-\d{8}$")


class ModelSpec(msgspec.Struct, frozen=True, kw_only=True):
    """What the stand-in does differently per model.

    ``current`` is today's behaviour (Claude Sonnet 5.5): adaptive thinking on by default, text between
    tool calls inside thinking blocks, thinking blocks bound to their conversation, no forced tool
    choice, no prefill, no sampling parameters. Older models think only when asked with a budget.
    """

    id: str
    current: bool
    max_output: int
    min_cacheable: int
    max_images: int
    image_token_cap: int


# Current model: https://platform.claude.com/docs/en/models/sonnet-5-5/overview ("Max output: 128K
# tokens", "The minimum cacheable prompt length is 512 tokens") and
# https://platform.claude.com/docs/en/build-with-claude/vision (600 images with a 1M context, the
# high-resolution tier's 4,784 visual tokens per image).
# Older models: https://platform.claude.com/docs/en/build-with-claude/prompt-caching (1,024 tokens for
# Sonnet 4.5), the vision page's 100 images for 200k-context models and 1,568-token standard tier.
_TABLE = {
    CURRENT_MODEL: (True, 128_000, 512, 600, 4_784),
    "claude-sonnet-4-5": (False, 64_000, 1_024, 100, 1_568),
    "claude-3-7-sonnet": (False, 64_000, 1_024, 100, 1_568),
}


def model_spec(model: str) -> ModelSpec:
    """The spec of ``model``, dated ids included (``claude-sonnet-4-5-20250929``); an unknown model is
    treated as a current one under its own id."""
    base = _DATED.sub("", model)
    current, max_output, min_cacheable, max_images, cap = _TABLE.get(base, _TABLE[CURRENT_MODEL])
    return ModelSpec(
        id=base,
        current=current,
        max_output=max_output,
        min_cacheable=min_cacheable,
        max_images=max_images,
        image_token_cap=cap,
    )
