"""The events of a generation stream (docs/api.md), one frozen Struct each, named by a ClassVar.

The name lives in a ClassVar rather than a msgspec tag so it never leaks into the ``data:`` JSON.
``encode`` gives the SSE pair; ``decode`` reads a stored pair back into its Struct.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec

__all__ = [
    "TERMINAL_EVENTS",
    "Done",
    "ErrorEvent",
    "Event",
    "FileDelta",
    "FileEdit",
    "FileEnd",
    "FileStart",
    "Restart",
    "Status",
    "StoredEvent",
    "Text",
    "UsageEvent",
    "decode",
    "encode",
]


class Event(msgspec.Struct, frozen=True, kw_only=True):
    name: ClassVar[str]


class Status(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "status"
    status: str


class Text(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "text"
    delta: str


class FileStart(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "file_start"
    path: str


class FileDelta(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "file_delta"
    path: str
    delta: str


class FileEnd(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "file_end"
    path: str
    size: int


class FileEdit(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "file_edit"
    path: str
    old_string: str
    new_string: str


class UsageEvent(Event, frozen=True, kw_only=True):
    """Tokens billed since the previous ``usage`` event: one or more per model call (the input as
    soon as the call starts, the output when it ends), so the events of a session add up to its
    ``usage``. The fields mean what ``vibe.domain.usage.Usage``'s do: ``input_tokens`` is the input
    billed at the full rate, the cache fields the input written to and read from the prompt cache."""

    name: ClassVar[str] = "usage"
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


class Restart(Event, frozen=True, kw_only=True):
    """The run starts over (a worker died and another took the session over): a client drops every
    file it has seen so far in this session; what follows is the new attempt's."""

    name: ClassVar[str] = "restart"
    attempt: int


class Done(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "done"
    project_id: str
    version: int
    files: list[str]


class ErrorEvent(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "error"
    code: str
    message: str


TERMINAL_EVENTS = frozenset({Done.name, ErrorEvent.name})

_BY_NAME: dict[str, type[Event]] = {
    cls.name: cls
    for cls in (Status, Text, FileStart, FileDelta, FileEnd, FileEdit, UsageEvent, Restart, Done, ErrorEvent)
}
_encoder = msgspec.json.Encoder()


class StoredEvent(msgspec.Struct, frozen=True):
    """An event as the log keeps it: its place in the session, its name and its JSON data."""

    seq: int
    name: str
    data: bytes

    @property
    def terminal(self) -> bool:
        return self.name in TERMINAL_EVENTS


def encode(event: Event) -> tuple[str, bytes]:
    return event.name, _encoder.encode(event)


def decode(name: str, data: bytes) -> Event:
    return msgspec.json.decode(data, type=_BY_NAME[name])
