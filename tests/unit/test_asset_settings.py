"""The settings of assets and reference images: read from the environment, checked, defaulted."""

from __future__ import annotations

import pytest

from vibe.adapters.model_images import accepts_images
from vibe.config import Settings, SettingsError


def test_defaults_and_values() -> None:
    plain = Settings.from_env({})
    assert (plain.max_asset_bytes, plain.max_project_bytes, plain.model_images) == (
        5 * 1024 * 1024,
        50 * 1024 * 1024,
        None,
    )
    given = Settings.from_env(
        {"VIBE_MAX_ASSET_BYTES": "2048", "VIBE_MAX_PROJECT_BYTES": "4096", "VIBE_MODEL_IMAGES": "0"}
    )
    assert (given.max_asset_bytes, given.max_project_bytes, given.model_images) == (2048, 4096, False)


@pytest.mark.parametrize(
    "env",
    [
        {"VIBE_MAX_ASSET_BYTES": "16777216"},  # more than a MEDIUMBLOB holds
        {"VIBE_MAX_ASSET_BYTES": "lots"},
        {"VIBE_MAX_PROJECT_BYTES": "1"},
        {"VIBE_MODEL_IMAGES": "maybe"},
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=next(iter(env))):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("llm", "model", "override", "sees"),
    [
        ("claude", "claude-sonnet-5-5", None, True),
        ("offline", "offline", None, True),
        ("openai", "gpt-4o", None, True),
        ("openai", "openrouter/qwen/qwen2.5-vl-72b-instruct", None, True),
        ("openai", "llama3.1:8b", None, False),
        ("openai", "o3-mini", None, False),
        ("openai", "llama3.1:8b", True, True),
        ("openai", "gpt-4o", False, False),
    ],
)
def test_which_models_see_images(llm: str, model: str, override: bool | None, sees: bool) -> None:
    assert accepts_images(llm, model, override) is sees
