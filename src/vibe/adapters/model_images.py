"""Whether the configured model sees images, decided before a generation with reference images is
queued (a model that does not would fail the session after the prompt was paid for).

Claude models and the offline model do. For an OpenAI-compatible endpoint the model's name tells for
the well-known families; ``VIBE_MODEL_IMAGES=1`` or ``0`` says it outright for any other.
"""

from __future__ import annotations

import re

__all__ = ["accepts_images"]

_SEES_IMAGES = re.compile(
    r"gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-4-vision|gpt-5|chatgpt-4o|^o[134](?!-mini)\b|claude|gemini|gemma-?3"
    r"|llava|bakllava|vision|-vl\b|-vl-|vl:|pixtral|minicpm-v|moondream|qwen2\.5-?vl|qwen-?vl|llama-?4"
    r"|mistral-(?:small|medium)-3",
    re.IGNORECASE,
)


def accepts_images(llm: str, model: str, override: bool | None = None) -> bool:
    if override is not None:
        return override
    if llm != "openai":
        return True
    return bool(_SEES_IMAGES.search(model.rsplit("/", 1)[-1]))
