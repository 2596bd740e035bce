"""Which processes run generations on one SQLite database, told by a lock file beside it.

Every process that runs generations in-process (``vibe serve``, ``vibe generate``, a library user)
holds a shared ``flock`` on ``<database>.runners`` for as long as it lives; the kernel drops the lock
of a process that ends, even by ``kill -9``. A process that starts and can take the lock exclusively
is therefore alone: whatever unfinished session it finds was left by processes that are gone. One
that cannot (a server is running, and this is ``vibe users create-admin`` or ``vibe generate`` on
its database) must leave the others' sessions to their leases.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

__all__ = ["RunnerLock"]


class RunnerLock:
    def __init__(self, database: Path | None, *, shared_database: bool) -> None:
        """``database``: the SQLite file, or None when there is none (in-memory SQLite, which no
        other process can share; or a server database, ``shared_database``, which other machines
        may be using, where no file can tell)."""
        self._path = database.with_name(database.name + ".runners") if database else None
        self._shared = shared_database
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Hold the shared lock from now on (blocking only while another process starting at the same
        moment checks the same); True when no other live process held it."""
        if self._path is None:
            return not self._shared
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            alone = True
        except BlockingIOError:
            alone = False
        fcntl.flock(fd, fcntl.LOCK_SH)
        self._fd = fd
        return alone

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing drops the lock
            self._fd = None
