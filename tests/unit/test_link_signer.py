"""The preview-link signer: round trips, one hour at most, and any change to a token refuses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vibe.adapters.link_signer import LINK_TTL, HmacLinkSigner
from vibe.domain.errors import NotFoundError

SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ids = st.text("0123456789abcdefghjkmnpqrstvwxyz", min_size=26, max_size=26)
versions = st.integers(min_value=0, max_value=10**9)
URL_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


@given(ids, versions, st.integers(min_value=0, max_value=3599))
def test_a_token_names_its_project_and_version_for_one_hour(
    project_id: str, version: int, later: int
) -> None:
    signer = HmacLinkSigner(SECRET)
    token, expires_at = signer.sign(project_id, version, NOW)
    assert set(token) <= URL_SAFE
    assert len(token) < 120
    assert expires_at - NOW == LINK_TTL == timedelta(hours=1)
    assert signer.verify(token, NOW + timedelta(seconds=later)) == (project_id, version)
    with pytest.raises(NotFoundError):
        signer.verify(token, NOW + LINK_TTL)


@given(ids, versions, st.data())
def test_any_change_to_a_token_refuses_it(project_id: str, version: int, data: st.DataObject) -> None:
    signer = HmacLinkSigner(SECRET)
    token, _ = signer.sign(project_id, version, NOW)
    index = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(st.sampled_from(sorted(URL_SAFE - {token[index]})))
    with pytest.raises(NotFoundError):
        signer.verify(token[:index] + replacement + token[index + 1 :], NOW)


@given(st.text(max_size=300))
def test_garbage_is_refused_never_crashes(garbage: str) -> None:
    with pytest.raises(NotFoundError):
        HmacLinkSigner(SECRET).verify(garbage, NOW)


def test_another_secret_signs_differently() -> None:
    token, _ = HmacLinkSigner(SECRET).sign("p" * 26, 1, NOW)
    with pytest.raises(NotFoundError):
        HmacLinkSigner(SECRET + "x").verify(token, NOW)


def test_a_link_lives_one_hour_at_most() -> None:
    with pytest.raises(ValueError, match="one hour"):
        HmacLinkSigner(SECRET, ttl=timedelta(hours=2))
    _token, expires_at = HmacLinkSigner(SECRET, ttl=timedelta(minutes=5)).sign("p" * 26, 0, NOW)
    assert expires_at == NOW + timedelta(minutes=5)
