"""Request and response bodies of the HTTP API, apart from the domain Structs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from vibe.domain.circuit import Circuit
from vibe.domain.users import User

__all__ = [
    "LoginIn",
    "Message",
    "Readiness",
    "RefreshIn",
    "RegisterIn",
    "TokenOut",
    "UserOut",
    "UserPage",
    "UserPatch",
    "circuit_out",
    "user_out",
]

# Loose outer bounds only; the domain rules give the precise, friendly errors.
Email = Annotated[str, Meta(max_length=320, examples=["ada@example.com"])]
Password = Annotated[
    str,
    Meta(
        max_length=1024,
        examples=["correct horse battery staple"],
        # documented as the policy the domain enforces (8 to 128 characters, never truncated)
        extra_json_schema={"extra": {"min_length": 8, "max_length": 128}},
    ),
]
DisplayNameIn = Annotated[str, Meta(max_length=200)]


class Message(msgspec.Struct):
    message: str


class CircuitOut(msgspec.Struct):
    """The model's circuit breaker: ``open`` means generations fail at once (``model_unavailable``)."""

    state: Literal["closed", "open", "half_open"]
    failures: int  # outage failures in a row
    trips: int  # times it opened
    retry_at: datetime | None  # open: when a probe call may go
    reason: str  # what the last failure said


def circuit_out(circuit: Circuit) -> CircuitOut:
    return CircuitOut(
        state=circuit.state,
        failures=circuit.failures,
        trips=circuit.trips,
        retry_at=None if circuit.state == "closed" else circuit.retry_at,
        reason=circuit.reason,
    )


class Readiness(msgspec.Struct):
    status: str
    checks: dict[str, str]
    model_circuit: CircuitOut | None = None  # shown, never failing readiness; null without a breaker


class RegisterIn(msgspec.Struct):
    email: Email
    password: Password
    display_name: DisplayNameIn | None = None


class LoginIn(msgspec.Struct):
    email: Email
    password: Password


class RefreshIn(msgspec.Struct):
    refresh_token: Annotated[str, Meta(max_length=512)]


class UserPatch(msgspec.Struct):
    display_name: DisplayNameIn | None = None
    password: Password | None = None
    role: Literal["user", "admin"] | None = None
    # Required to change one's own password; an administrator resetting someone else's gives none.
    current_password: Annotated[str, Meta(max_length=1024)] | None = None


class TokenOut(msgspec.Struct):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int


class UserOut(msgspec.Struct):
    id: str
    email: str
    display_name: str
    role: Literal["user", "admin"]
    created_at: datetime
    updated_at: datetime


class UserPage(msgspec.Struct):
    items: list[UserOut]
    total: int


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role.value,
        created_at=user.created_at,
        updated_at=user.updated_at,
    )
