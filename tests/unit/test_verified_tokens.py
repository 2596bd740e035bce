"""Access tokens are verified once and their claims kept by exact text; expiry is still checked on
every use, a forgery is never kept, and the kept set is bounded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from vibe.adapters.security import JwtTokenService
from vibe.domain.errors import AuthenticationError
from vibe.testing.fakes import FakeClock, SequentialIds

SECRET = "k" * 64


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service() -> JwtTokenService:
    return JwtTokenService(SECRET, SequentialIds())


def test_a_kept_token_still_expires(service: JwtTokenService, clock: FakeClock) -> None:
    token, claims = service.issue_access("user-1", "fam-1", clock.now())
    assert service.decode_access(token, clock.now()) == claims
    assert service.decode_access(token, clock.now()) == claims  # kept: the same claims
    with pytest.raises(AuthenticationError):
        service.decode_access(token, clock.now() + timedelta(minutes=15))


def test_a_token_with_a_changed_signature_is_refused_after_the_real_one_was_kept(
    service: JwtTokenService, clock: FakeClock
) -> None:
    token, _ = service.issue_access("user-1", "fam-1", clock.now())
    service.decode_access(token, clock.now())
    head, payload, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    for forged in (f"{head}.{payload}.{flipped}", f"{head}.{payload}.", token + "x"):
        with pytest.raises(AuthenticationError):
            service.decode_access(forged, clock.now())
        with pytest.raises(AuthenticationError):  # and not kept as refused-then-accepted either
            service.decode_access(forged, clock.now())


def test_a_token_signed_with_another_secret_is_refused(service: JwtTokenService, clock: FakeClock) -> None:
    other, _ = JwtTokenService("o" * 64, SequentialIds()).issue_access("user-1", "fam-1", clock.now())
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            service.decode_access(other, clock.now())


def test_the_kept_tokens_are_bounded(
    service: JwtTokenService, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(JwtTokenService, "VERIFIED_TOKENS", 3)
    tokens = [service.issue_access(f"user-{i}", "fam", clock.now())[0] for i in range(10)]
    for token in tokens:
        service.decode_access(token, clock.now())
    assert len(service._verified) == 3
    assert list(service._verified) == tokens[-3:]
    assert service.decode_access(tokens[0], clock.now()).sub == "user-0"  # verified again, still valid
