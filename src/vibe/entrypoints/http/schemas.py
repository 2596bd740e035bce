"""Request and response bodies of the HTTP API, apart from the domain Structs."""

from __future__ import annotations

import msgspec

__all__ = ["Message", "Readiness"]


class Message(msgspec.Struct):
    message: str


class Readiness(msgspec.Struct):
    status: str
    checks: dict[str, str]
