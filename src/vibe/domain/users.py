"""Users and the rules on what they are made of: emails, passwords, display names and roles."""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import datetime

import msgspec

from vibe.domain.errors import InvalidInputError

__all__ = [
    "MAX_PASSWORD_CHARS",
    "MIN_PASSWORD_CHARS",
    "DisplayName",
    "Email",
    "Role",
    "User",
    "check_password_policy",
    "is_blank",
]

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 128
MAX_EMAIL_CHARS = 254
MAX_DISPLAY_NAME_CHARS = 100

# Deliberately structural rather than RFC 5322 complete: one @, a local part without spaces,
# a dotted domain whose labels are letters (any script), digits or inner hyphens.
_EMAIL_RE = re.compile(
    r"^[^\s@\"(),:;<>\[\\\]]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}$",
    re.UNICODE,
)


class Role(enum.StrEnum):
    USER = "user"
    ADMIN = "admin"


class Email(msgspec.Struct, frozen=True):
    """An email as typed (trimmed, NFC) and its case-folded key, which is what must be unique."""

    value: str
    normalized: str

    @classmethod
    def parse(cls, raw: str) -> Email:
        value = unicodedata.normalize("NFC", raw.strip())
        if len(value) > MAX_EMAIL_CHARS or not _EMAIL_RE.match(value):
            raise InvalidInputError("Enter a valid email address.", field="email")
        return cls(value=value, normalized=normalize_email(value))


def normalize_email(raw: str) -> str:
    """The lookup key of an email: trimmed, NFC, case-folded."""
    return unicodedata.normalize("NFC", raw.strip()).casefold()


def check_password_policy(password: str) -> str:
    """Return the password unchanged when it is 8 to 128 characters, not all of them blank; any
    Unicode, never truncated. Spaces are welcome inside a password, but not as the whole of it."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInputError(
            f"The password must be at least {MIN_PASSWORD_CHARS} characters.", field="password"
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInputError(
            f"The password must be at most {MAX_PASSWORD_CHARS} characters.", field="password"
        )
    if all(is_blank(ch) for ch in password):
        raise InvalidInputError(
            "The password must hold something besides spaces and control characters.", field="password"
        )
    return password


def is_blank(ch: str) -> bool:
    """A character that shows nothing: white space, a control or an invisible format character."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


class DisplayName:
    """Display names: trimmed, 1 to 100 characters, no control characters."""

    @staticmethod
    def parse(raw: str) -> str:
        value = unicodedata.normalize("NFC", raw.strip())
        if not value or len(value) > MAX_DISPLAY_NAME_CHARS:
            raise InvalidInputError(
                f"The display name must be 1 to {MAX_DISPLAY_NAME_CHARS} characters.", field="display_name"
            )
        if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
            raise InvalidInputError(
                "The display name must not hold control characters.", field="display_name"
            )
        return value

    @staticmethod
    def default_for(email: Email) -> str:
        return email.value.split("@", 1)[0][:MAX_DISPLAY_NAME_CHARS]


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    email: str
    email_normalized: str
    display_name: str
    role: Role
    password_hash: str
    created_at: datetime
    updated_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def can_manage(self, other_id: str) -> bool:
        """A user manages their own account; an admin manages every account."""
        return self.is_admin or self.id == other_id

    def with_changes(
        self,
        now: datetime,
        *,
        display_name: str | None = None,
        role: Role | None = None,
        password_hash: str | None = None,
    ) -> User:
        return msgspec.structs.replace(
            self,
            display_name=self.display_name if display_name is None else display_name,
            role=self.role if role is None else role,
            password_hash=self.password_hash if password_hash is None else password_hash,
            updated_at=now,
        )
