"""Rules on emails, passwords and display names."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vibe.domain.errors import InvalidInputError
from vibe.domain.users import DisplayName, Email, check_password_policy
from vibe.testing.strategies import (
    blank_passwords,
    email_case_variants,
    emails,
    invalid_passwords,
    passwords,
)


@given(email_case_variants())
def test_case_and_surrounding_space_never_make_a_different_account(pair: tuple[str, str]) -> None:
    original, variant = pair
    assert Email.parse(original).normalized == Email.parse(variant).normalized


@given(emails())
def test_parsing_is_idempotent_and_keeps_what_was_typed(raw: str) -> None:
    email = Email.parse(raw)
    assert email.value == raw.strip()
    assert Email.parse(email.value) == email
    assert email.normalized == email.value.casefold()


@pytest.mark.parametrize(
    "raw",
    ["", "plain", "@example.com", "a@", "a@b", "a b@example.com", "a@exa mple.com", "a@@b.com", "a@b.c"],
)
def test_malformed_emails_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Email.parse(raw)
    assert caught.value.field == "email"


@given(passwords())
def test_8_to_128_characters_of_anything_are_accepted_unchanged(password: str) -> None:
    assert check_password_policy(password) == password


@given(invalid_passwords())
def test_shorter_or_longer_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidInputError):
        check_password_policy(password)


@given(blank_passwords())
def test_passwords_of_nothing_but_spaces_or_control_characters_are_refused(password: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_password_policy(password)
    assert caught.value.field == "password"
    assert "spaces" in caught.value.detail


@pytest.mark.parametrize("password", [" " * 8, "\x00" * 8, " \x00" * 10, "\u3000" * 12, "\u200b" * 9])
def test_blank_passwords_named_in_the_issue_are_refused(password: str) -> None:
    with pytest.raises(InvalidInputError):
        check_password_policy(password)


@pytest.mark.parametrize("password", ["   a    ", "correct horse battery", "\x00\x00\x00\x00x\x00\x00\x00"])
def test_a_password_may_hold_spaces_and_nuls_among_other_characters(password: str) -> None:
    assert check_password_policy(password) == password


def test_length_counts_characters_not_bytes() -> None:
    assert check_password_policy("🔒" * 8) == "🔒" * 8
    assert check_password_policy("é" * 128)
    with pytest.raises(InvalidInputError):
        check_password_policy("é" * 129)


@given(st.text(st.characters(categories=["L", "N", "Zs", "P", "S"]), min_size=1, max_size=100))
def test_display_names_of_printable_characters_are_kept_trimmed(name: str) -> None:
    if not name.strip():
        return
    assert DisplayName.parse(name) == unicodedata.normalize("NFC", name.strip())


@given(st.text(max_size=20), st.characters(categories=["Cc", "Cf"]), st.text(max_size=20))
def test_display_names_with_control_characters_are_refused(before: str, control: str, after: str) -> None:
    with pytest.raises(InvalidInputError):
        DisplayName.parse(f"x{before}{control}{after}x")


@pytest.mark.parametrize("raw", ["", "   ", "x" * 101, "bad\x00name", "rtl\u202eoverride"])
def test_bad_display_names_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInputError):
        DisplayName.parse(raw)
