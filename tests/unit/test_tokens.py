"""Access tokens: HS256 only, every claim required, expiry on the injected clock, forgeries refused;
verified tokens kept by their text (bounded, expiry still checked)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def _claims(service: JwtTokenService, clock: FakeClock) -> dict[str, object]:
    token, _ = service.issue_access("user-1", "fam-1", clock.now())
    return jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False})


def test_a_token_round_trips_with_every_claim(service: JwtTokenService, clock: FakeClock) -> None:
    token, claims = service.issue_access("user-1", "fam-1", clock.now())
    assert service.decode_access(token, clock.now()) == claims
    assert claims.exp - claims.iat == 15 * 60
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert set(_claims(service, clock)) == {"sub", "iat", "exp", "jti", "fam", "typ"}


def test_tokens_expire_after_15_minutes(service: JwtTokenService, clock: FakeClock) -> None:
    token, _ = service.issue_access("user-1", "fam-1", clock.now())
    assert service.decode_access(token, clock.now() + timedelta(minutes=14, seconds=59))
    with pytest.raises(AuthenticationError):
        service.decode_access(token, clock.now() + timedelta(minutes=15))


def _unsigned(header: dict[str, object], payload: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}."


def forgeries(service: JwtTokenService, clock: FakeClock) -> dict[str, str]:
    claims = _claims(service, clock)
    without = {name: {k: v for k, v in claims.items() if k != name} for name in claims}
    return {
        "alg none": _unsigned({"alg": "none", "typ": "JWT"}, claims),
        "HS512": jwt.encode(claims, SECRET, algorithm="HS512"),
        "wrong key": jwt.encode(claims, "x" * 40, algorithm="HS256"),
        "expired": jwt.encode(claims | {"exp": int(clock.now().timestamp()) - 1}, SECRET, algorithm="HS256"),
        "refresh type": jwt.encode(claims | {"typ": "refresh"}, SECRET, algorithm="HS256"),
        "garbage": "not.a.token",
        "empty": "",
        **{f"no {name}": jwt.encode(rest, SECRET, algorithm="HS256") for name, rest in without.items()},
        "string exp": jwt.encode(claims | {"exp": "tomorrow"}, SECRET, algorithm="HS256"),
    }


@pytest.mark.parametrize(
    "kind",
    ["alg none", "HS512", "wrong key", "expired", "refresh type", "garbage", "empty", "string exp"]
    + [f"no {c}" for c in ("sub", "iat", "exp", "jti", "fam", "typ")],
)
def test_forged_tokens_are_refused(service: JwtTokenService, clock: FakeClock, kind: str) -> None:
    with pytest.raises(AuthenticationError):
        service.decode_access(forgeries(service, clock)[kind], clock.now())


@given(st.text())
def test_no_random_string_is_a_token(text: str) -> None:
    service, clock = JwtTokenService(SECRET, SequentialIds()), FakeClock()
    with pytest.raises(AuthenticationError):
        service.decode_access(text, clock.now())


def test_refresh_tokens_are_256_bit_and_stored_only_hashed(service: JwtTokenService) -> None:
    token = service.new_refresh_token()
    assert len(base64.urlsafe_b64decode(token + "=")) == 32
    digest = service.hash_refresh_token(token)
    assert len(digest) == 64
    assert token not in digest
    assert service.new_refresh_token() != token


# Verified tokens are kept by their exact text; expiry is still checked on every use, a forgery is
# never kept, and the kept set is bounded.


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
