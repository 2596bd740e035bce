"""The live changes of an account (docs/api.md, "Live changes of your account"), one Struct per event.

They tell a client what to read again, not the new state: a tab that hears ``version`` fetches the
project's versions; so an event carries ids and numbers only, and costs no query to make.
"""

from __future__ import annotations

import enum
from typing import ClassVar

from vibe.domain.events import Event

__all__ = ["ProjectAction", "ProjectNews", "SessionNews", "VersionNews"]


class ProjectAction(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


class ProjectNews(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "project"
    id: str
    action: ProjectAction


class VersionNews(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "version"
    project_id: str
    number: int


class SessionNews(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "session"
    id: str
    project_id: str
    status: str
