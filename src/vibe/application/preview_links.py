"""Preview links: short-lived capabilities to read one version of one project without a session.

A sandboxed preview page has an opaque origin, so its requests for its own ``style.css`` and
``app.js`` carry no cookies; a private project could not load its assets. Its owner (or any reader)
asks for a link instead: a signed token naming the project and a fixed version, valid for at most an
hour, that serves that version's files to whoever holds it.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from vibe.application.projects import Projects
from vibe.domain.ports import Clock, LinkSigner
from vibe.domain.projects import FileEntry
from vibe.domain.users import User

__all__ = ["PreviewLinks"]


class PreviewLink(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    project_id: str
    version: int
    expires_at: datetime


class PreviewLinks:
    def __init__(self, projects: Projects, signer: LinkSigner, clock: Clock) -> None:
        self._projects = projects
        self._signer = signer
        self._clock = clock

    async def issue(self, actor: User | None, project_id: str, version: int | None = None) -> PreviewLink:
        """A link to ``version`` (default: the current one, pinned now) of a project ``actor`` may read."""
        number = await self._projects.readable_version(actor, project_id, version)
        token, expires_at = self._signer.sign(project_id, number, self._clock.now())
        return PreviewLink(token=token, project_id=project_id, version=number, expires_at=expires_at)

    async def read_file(self, token: str, path: str) -> tuple[FileEntry, bytes]:
        """A file of the linked version; NotFoundError when the link is forged, expired or its
        project is gone."""
        project_id, version = self._signer.verify(token, self._clock.now())
        return await self._projects.read_file_as_owner(project_id, version, path)
