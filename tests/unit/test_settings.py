"""Settings: every variable of README "Configuration", its default, and a clear error for each bad value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vibe.config import DEFAULT_DATABASE_URL, DEFAULT_MODEL, Settings, SettingsError

SECRET = "x" * 32


def test_defaults_are_the_embedded_default() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite+aiosqlite:///./vibe.db"
    assert settings.redis_url is None
    assert settings.queue == "inline"
    assert settings.jwt_secret is None
    assert settings.llm == "offline"
    assert settings.model == DEFAULT_MODEL
    assert settings.cors_origins == ()
    assert settings.max_concurrent_generations == 2
    assert settings.embedded


def test_every_contract_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "VIBE_DATABASE_URL": "mysql+aiomysql://u:p@db:3306/vibe",
            "VIBE_REDIS_URL": "redis://cache:6379/0",
            "VIBE_QUEUE": "redis",
            "VIBE_JWT_SECRET": SECRET,
            "VIBE_LLM": "claude",
            "ANTHROPIC_API_KEY": "sk-test",
            "ANTHROPIC_BASE_URL": "http://127.0.0.1:9999",
            "VIBE_MODEL": "claude-haiku-4-5",
            "VIBE_CORS_ORIGINS": "https://a.example, http://localhost:5173",
            "VIBE_MAX_CONCURRENT_GENERATIONS": "5",
        }
    )
    assert settings.database_url == "mysql+aiomysql://u:p@db:3306/vibe"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.queue == "redis"
    assert settings.jwt_secret == SECRET
    assert settings.llm == "claude"
    assert settings.anthropic_api_key == "sk-test"
    assert settings.anthropic_base_url == "http://127.0.0.1:9999"
    assert settings.model == "claude-haiku-4-5"
    assert settings.cors_origins == ("https://a.example", "http://localhost:5173")
    assert settings.max_concurrent_generations == 5
    assert not settings.embedded


def test_llm_defaults_to_claude_when_a_key_is_set() -> None:
    assert Settings.from_env({"ANTHROPIC_API_KEY": "sk-test"}).llm == "claude"
    assert Settings.from_env({"ANTHROPIC_API_KEY": "sk-test", "VIBE_LLM": "offline"}).llm == "offline"


def test_sync_driver_urls_are_upgraded_to_their_async_driver() -> None:
    assert (
        Settings.from_env({"VIBE_DATABASE_URL": "sqlite:///x.db"}).database_url == "sqlite+aiosqlite:///x.db"
    )
    url = Settings.from_env({"VIBE_DATABASE_URL": "mysql://u@h/db", "VIBE_JWT_SECRET": SECRET}).database_url
    assert url == "mysql+aiomysql://u@h/db"


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"VIBE_DATABASE_URL": "postgresql://x/y"}, "VIBE_DATABASE_URL"),
        ({"VIBE_DATABASE_URL": "not a url"}, "VIBE_DATABASE_URL"),
        ({"VIBE_DATABASE_URL": "mysql+aiomysql:///nohost", "VIBE_JWT_SECRET": SECRET}, "VIBE_DATABASE_URL"),
        ({"VIBE_REDIS_URL": "http://cache"}, "VIBE_REDIS_URL"),
        ({"VIBE_QUEUE": "celery"}, "VIBE_QUEUE"),
        ({"VIBE_QUEUE": "redis"}, "VIBE_REDIS_URL"),
        ({"VIBE_LLM": "gpt"}, "VIBE_LLM"),
        ({"VIBE_LLM": "claude"}, "ANTHROPIC_API_KEY"),
        ({"VIBE_JWT_SECRET": "short"}, "VIBE_JWT_SECRET"),
        ({"VIBE_DATABASE_URL": "mysql+aiomysql://u@h/db"}, "VIBE_JWT_SECRET"),
        ({"VIBE_CORS_ORIGINS": "null"}, "VIBE_CORS_ORIGINS"),
        ({"VIBE_CORS_ORIGINS": "*"}, "VIBE_CORS_ORIGINS"),
        ({"VIBE_CORS_ORIGINS": "https://ok.example,ftp://x"}, "VIBE_CORS_ORIGINS"),
        ({"VIBE_MAX_CONCURRENT_GENERATIONS": "two"}, "VIBE_MAX_CONCURRENT_GENERATIONS"),
        ({"VIBE_MAX_CONCURRENT_GENERATIONS": "0"}, "VIBE_MAX_CONCURRENT_GENERATIONS"),
        ({"VIBE_SSE_HEARTBEAT_SECONDS": "nan"}, "VIBE_SSE_HEARTBEAT_SECONDS"),
        ({"VIBE_TRUSTED_PROXIES": "10.0.0.0/8,not-an-ip"}, "VIBE_TRUSTED_PROXIES"),
        ({"VIBE_LOG_LEVEL": "chatty"}, "VIBE_LOG_LEVEL"),
    ],
)
def test_a_bad_value_is_a_clear_error_naming_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)


def test_blank_values_mean_unset() -> None:
    assert Settings.from_env({"VIBE_REDIS_URL": "  ", "VIBE_QUEUE": ""}).redis_url is None


def test_secrets_never_show_in_repr() -> None:
    settings = Settings.from_env(
        {
            "VIBE_JWT_SECRET": SECRET,
            "ANTHROPIC_API_KEY": "sk-very-secret",
            "VIBE_DATABASE_URL": "mysql+aiomysql://user:hunter2@db/vibe",
        }
    )
    shown = repr(settings)
    assert SECRET not in shown
    assert "sk-very-secret" not in shown
    assert "hunter2" not in shown


@given(st.integers())
def test_max_concurrent_generations_accepts_exactly_1_to_1000(value: int) -> None:
    env = {"VIBE_MAX_CONCURRENT_GENERATIONS": str(value)}
    if 1 <= value <= 1000:
        assert Settings.from_env(env).max_concurrent_generations == value
    else:
        with pytest.raises(SettingsError):
            Settings.from_env(env)


def test_the_model_call_settings_of_the_second_release() -> None:
    """VIBE_MAX_OUTPUT_TOKENS and VIBE_EFFORT; vibe's own VIBE_THINKING."""
    defaults = Settings.from_env({})
    assert (defaults.max_output_tokens, defaults.effort, defaults.thinking) == (None, "medium", "adaptive")
    chosen = Settings.from_env(
        {"VIBE_MAX_OUTPUT_TOKENS": "64000", "VIBE_EFFORT": "HIGH", "VIBE_THINKING": "between_tools"}
    )
    assert (chosen.max_output_tokens, chosen.effort, chosen.thinking) == (64_000, "high", "between_tools")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VIBE_MAX_OUTPUT_TOKENS", "lots"),
        ("VIBE_MAX_OUTPUT_TOKENS", "10"),
        ("VIBE_EFFORT", "max"),
        ("VIBE_EFFORT", "adaptive"),
        ("VIBE_THINKING", "disabled"),
    ],
)
def test_bad_model_call_settings_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_the_openai_compatible_endpoint_and_the_budget() -> None:
    settings = Settings.from_env(
        {
            "VIBE_LLM": "openai",
            "VIBE_MODEL": "llama3.1",
            "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1",
            "OPENAI_API_KEY": "sk-secret",
            "VIBE_MONTHLY_TOKEN_BUDGET": "2000000",
        }
    )
    assert (settings.llm, settings.model) == ("openai", "llama3.1")
    assert settings.openai_base_url == "http://127.0.0.1:11434/v1"
    assert settings.monthly_token_budget == 2_000_000
    assert "sk-secret" not in repr(settings)
    assert Settings.from_env({}).monthly_token_budget is None  # unlimited
    local = Settings.from_env({"VIBE_LLM": "openai", "VIBE_MODEL": "m", "OPENAI_BASE_URL": "http://h/v1"})
    assert local.openai_api_key is None  # a local server needs no key


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"VIBE_LLM": "openai", "OPENAI_API_KEY": "k"}, "VIBE_MODEL"),
        ({"VIBE_LLM": "openai", "VIBE_MODEL": "m"}, "OPENAI_BASE_URL"),
        ({"VIBE_LLM": "openai", "VIBE_MODEL": "m", "OPENAI_BASE_URL": "ftp://h"}, "OPENAI_BASE_URL"),
        ({"VIBE_MONTHLY_TOKEN_BUDGET": "-1"}, "VIBE_MONTHLY_TOKEN_BUDGET"),
        ({"VIBE_MONTHLY_TOKEN_BUDGET": "lots"}, "VIBE_MONTHLY_TOKEN_BUDGET"),
    ],
)
def test_bad_openai_and_budget_settings_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)


THROTTLES = {
    "VIBE_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS": ("login_failures_per_account_and_address", 10),
    "VIBE_LOGIN_FAILURES_PER_ACCOUNT": ("login_failures_per_account", 50),
    "VIBE_LOGIN_ACCOUNTS_PER_ADDRESS": ("login_accounts_per_address", 20),
    "VIBE_LOGIN_WINDOW_SECONDS": ("login_window_seconds", 900),
    "VIBE_REGISTRATIONS_PER_ADDRESS": ("registrations_per_address", 60),
    "VIBE_REGISTRATION_WINDOW_SECONDS": ("registration_window_seconds", 600),
    "VIBE_PASSWORD_QUEUE_LIMIT": ("password_queue_limit", 100),
}


@pytest.mark.parametrize("variable", THROTTLES)
def test_every_throttle_is_a_setting_with_its_default_and_bounds(variable: str) -> None:
    field, default = THROTTLES[variable]
    assert getattr(Settings.from_env({}), field) == getattr(Settings(), field) == default
    assert getattr(Settings.from_env({variable: "7"}), field) == 7
    for bad in ("0", "-1", "ten", "1.5", "9" * 5000):
        with pytest.raises(SettingsError, match=variable):
            Settings.from_env({variable: bad})


def test_every_throttle_setting_is_documented_in_the_readme_with_its_default() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for variable, (_, default) in THROTTLES.items():
        assert f"| `{variable}` | `{default}` |" in readme, variable


def test_the_throttles_reach_the_sign_in_service() -> None:
    from vibe.container import _throttles

    settings = Settings(login_failures_per_account_and_address=3, registrations_per_address=4)
    throttles = _throttles(settings)
    assert throttles.login_failures_per_account_and_address == 3
    assert throttles.registrations_per_address == 4
    assert throttles.login_window_seconds == 900
