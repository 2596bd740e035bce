"""VIBE_SITES_DOMAIN and VIBE_PUBLIC_URL: parsed, and a sites domain on the app's own origin refused."""

from __future__ import annotations

import pytest

from vibe.config import Settings, SettingsError


def test_publishing_is_off_by_default() -> None:
    assert Settings.from_env({}).sites_domain is None


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("sites.example.com", "sites.example.com"),
        ("Sites.Example.COM.", "sites.example.com"),
        ("sites.localhost:8000", "sites.localhost:8000"),
    ],
)
def test_a_sites_domain_is_a_dns_name(raw: str, parsed: str) -> None:
    assert Settings.from_env({"VIBE_SITES_DOMAIN": raw}).sites_domain == parsed


@pytest.mark.parametrize(
    "raw", ["https://sites.example.com", "*.sites.example.com", "10.0.0.1", "a..b", "x:y"]
)
def test_a_malformed_sites_domain_stops_the_command(raw: str) -> None:
    with pytest.raises(SettingsError, match="VIBE_SITES_DOMAIN"):
        Settings.from_env({"VIBE_SITES_DOMAIN": raw})


@pytest.mark.parametrize(
    ("domain", "public", "cors"),
    [
        ("vibe.example.com", "https://vibe.example.com", ""),
        ("example.com", "https://vibe.example.com", ""),
        ("sites.example.com:8000", "http://sites.example.com:9000", ""),
        ("sites.example.com", "", "https://app.sites.example.com"),
    ],
)
def test_a_sites_domain_holding_the_apps_origin_is_refused(domain: str, public: str, cors: str) -> None:
    env = {"VIBE_SITES_DOMAIN": domain, "VIBE_PUBLIC_URL": public, "VIBE_CORS_ORIGINS": cors}
    with pytest.raises(SettingsError, match="share its cookies"):
        Settings.from_env(env)
    with pytest.raises(SettingsError, match="share its cookies"):  # and in code, by vibe.connect
        Settings(
            sites_domain=domain.split(":")[0],
            public_url=public or None,
            cors_origins=(cors,) if cors else (),
        ).checked()


def test_a_sites_domain_apart_from_the_app_is_accepted() -> None:
    env = {"VIBE_SITES_DOMAIN": "vibesites.example.net", "VIBE_PUBLIC_URL": "https://vibe.example.com"}
    settings = Settings.from_env(env)
    assert (settings.sites_domain, settings.public_url) == (
        "vibesites.example.net",
        "https://vibe.example.com",
    )
