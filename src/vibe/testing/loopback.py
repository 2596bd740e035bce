"""Serve an ASGI app on 127.0.0.1 from inside the caller's event loop, for tests that need real HTTP
(streaming responses, browsers, the anthropic SDK)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Self

import uvicorn

__all__ = ["LoopbackServer"]

_GRACE_SECONDS = 2.0


class _GuestServer(uvicorn.Server):
    """uvicorn inside someone else's event loop: it leaves signals alone and stops as soon as asked."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stop = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    # uvicorn's own main loop and shutdown poll and sleep in steps of 0.1 s, which would cost every
    # test that starts a server; loopback connections close in well under a millisecond.
    async def main_loop(self) -> None:
        await self.on_tick(0)
        await self.stop.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        deadline = time.monotonic() + _GRACE_SECONDS
        busy = self.server_state
        # uvicorn offers no event for "every connection has closed", so poll, briefly.
        while (busy.connections or busy.tasks) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        for task in self.server_state.tasks:
            task.cancel()
        await asyncio.gather(*self.server_state.tasks, return_exceptions=True)
        for server in self.servers:
            await server.wait_closed()


class LoopbackServer:
    """``async with LoopbackServer(app) as server: server.url``. The app's lifespan is not run."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._port: int | None = None
        self._server: _GuestServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("the server is not running; use it as `async with`")
        return f"http://127.0.0.1:{self._port}"

    async def __aenter__(self) -> Self:
        sock = socket.create_server(("127.0.0.1", 0))  # bound and listening; closed if binding fails
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            interface="asgi3",
            lifespan="off",
            ws="none",
            log_level="warning",
            log_config=None,
            access_log=False,
            proxy_headers=False,
            server_header=False,
        )
        self._server = _GuestServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                sock.close()
                await self._task
                raise RuntimeError("the server failed to start")
            await asyncio.sleep(0.001)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            self._server.stop.set()
            await self._task
