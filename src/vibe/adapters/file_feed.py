"""The account feed of the embedded default, shared by every process on one SQLite file.

``vibe serve`` and ``vibe generate`` are separate processes on the embedded default, with no Redis
between them; this feed lets a tab see what the shell made. Events are lines appended to a file beside
the database (``vibe.db.events``), numbered by one sequence for every account under an exclusive
``flock``. Each process with listeners reads what was appended since it last looked (its own appends
at once, the others' within ``poll_seconds``) and wakes the listeners of each account from memory; no
database is read. The file is cut back to its last events when it grows past ``max_bytes``.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import IO

import msgspec

from vibe.adapters.feed_window import FeedWindow
from vibe.domain.events import StoredEvent
from vibe.domain.ports import AccountFeed

__all__ = ["FileAccountFeed"]

log = logging.getLogger("vibe.feed")
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(tuple[int, str, str, str]).decode


class FileAccountFeed(AccountFeed):
    def __init__(
        self, path: Path, *, window: int = 512, poll_seconds: float = 0.1, max_bytes: int = 4 * 1024 * 1024
    ) -> None:
        self._path = path
        self._size = window
        self._poll = poll_seconds
        self._max_bytes = max_bytes
        self._accounts: dict[str, FeedWindow] = {}
        self._offset = 0
        self._inode: int | None = None
        self._last = 0
        self._floor = 0
        self._tail: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    # --- writing ----------------------------------------------------------------------------------

    async def publish(self, user_id: str, name: str, data: bytes) -> None:
        try:
            await asyncio.to_thread(self._append, user_id, name, data)
        except OSError as error:
            log.warning("account event %s of %s not written (%s)", name, user_id, error)
            return
        await self._read_new()

    def _append(self, user_id: str, name: str, data: bytes) -> None:
        with self._path.open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            seq = _last_seq(handle) + 1
            handle.seek(0, os.SEEK_END)
            handle.write(_encode((seq, user_id, name, data.decode())) + b"\n")
            handle.flush()
            if handle.tell() > self._max_bytes:
                self._cut(handle)

    def _cut(self, handle: IO[bytes]) -> None:
        """Keep the last lines only (under the caller's lock): replace the file by a shorter one."""
        handle.seek(-(self._max_bytes // 4), os.SEEK_END)
        kept = handle.read().split(b"\n", 1)[-1]
        fresh = self._path.with_name(f".{self._path.name}.{os.getpid()}")
        fresh.write_bytes(kept)
        fresh.replace(self._path)

    # --- reading ----------------------------------------------------------------------------------

    async def last(self, user_id: str) -> int:
        await self._read_new()
        return self._last

    async def read(self, user_id: str, after: int, timeout: float) -> list[StoredEvent]:
        await self._read_new()
        window = self._window(user_id)
        found = window.since(after)
        if found is None:
            return list(window.events)
        if found or timeout <= 0:
            return found
        if self._tail is None or self._tail.done():
            self._tail = asyncio.create_task(self._follow(), name="vibe-file-feed")
        await window.wait(after, timeout)
        return window.since(after) or []

    def _window(self, user_id: str) -> FeedWindow:
        """Every account in the file has a window, filled from the file's start, so a window holds
        all of its account's events still in the file."""
        window = self._accounts.get(user_id)
        if window is None:
            window = self._accounts[user_id] = FeedWindow(self._last, self._size)
            window.floor = self._floor
        return window

    async def _follow(self) -> None:
        while any(window.waiters for window in self._accounts.values()):
            await asyncio.sleep(self._poll)
            await self._read_new()

    async def _read_new(self) -> None:
        async with self._lock:
            try:
                lines = await asyncio.to_thread(self._new_lines)
            except OSError:
                return
            for seq, user_id, name, data in lines:
                if seq <= self._last:
                    continue
                self._floor = self._floor if self._last else seq - 1
                window = self._window(user_id)
                self._last = seq
                window.add([StoredEvent(seq, name, data.encode())])
            for window in self._accounts.values():
                window.seen = max(window.seen, self._last)  # later events of this account come after

    def _new_lines(self) -> list[tuple[int, str, str, str]]:
        try:
            handle = self._path.open("rb")
        except FileNotFoundError:
            return []
        with handle:
            inode = os.fstat(handle.fileno()).st_ino
            if inode != self._inode:  # new, or cut back by a writer: read it from the start
                self._inode, self._offset = inode, 0
            handle.seek(self._offset)
            chunk = handle.read()
        end = chunk.rfind(b"\n") + 1  # a line being written is read next time
        self._offset += end
        found = []
        for line in chunk[:end].splitlines():
            with contextlib.suppress(msgspec.DecodeError):
                found.append(_decode(line))
        return found

    async def aclose(self) -> None:
        if self._tail is not None:
            self._tail.cancel()
            await asyncio.gather(self._tail, return_exceptions=True)


def _last_seq(handle: IO[bytes]) -> int:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    if not size:
        return 0
    handle.seek(max(0, size - 4096))
    tail = handle.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
    try:
        return _decode(tail)[0]
    except msgspec.DecodeError:
        return 0
