"""The JWT secret: the configured one, or on SQLite one generated once and kept beside the database.

Creation is atomic (write a temporary file, then hard-link it into place), so several processes
starting at once agree on one secret. The file is ``<database>.secret``, mode 0600.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from vibe.domain.ports import SecretStore

__all__ = ["FileSecretStore"]


class FileSecretStore(SecretStore):
    def __init__(self, configured: str | None, database: Path | None) -> None:
        """``configured``: VIBE_JWT_SECRET when set; ``database``: the SQLite file, or None for an
        in-memory database (nothing outlives the process, neither may the secret)."""
        self._configured = configured
        self._database = database

    def jwt_secret(self) -> str:
        if self._configured is not None:
            return self._configured
        if self._database is None:
            return secrets.token_urlsafe(48)
        path = self._database.with_name(self._database.name + ".secret")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
            finally:
                temporary.unlink()
        return path.read_text().strip()
