"""``vibe serve``'s connections send what one step of the event loop writes in one ``writelines``: a
response's head and body go together (uvicorn writes them apart), while a large write still goes at
once, so the transport's flow control stops an app that streams faster than the client reads."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import uvicorn
from litestar import Litestar, get
from uvicorn.server import ServerState

from vibe.entrypoints.http.protocol import CorkedTransport, VibeHttpToolsProtocol


class FakeTransport(asyncio.Transport):
    """A connection's transport that keeps what is written, call by call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, list[bytes]]] = []
        self.closing = False
        self.paused = 0

    def write(self, data: Any) -> None:
        self.calls.append(("write", [bytes(data)]))

    def writelines(self, list_of_data: Any) -> None:
        self.calls.append(("writelines", [bytes(data) for data in list_of_data]))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.calls.append(("close", []))
        self.closing = True

    def abort(self) -> None:
        self.calls.append(("abort", []))
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self) -> None:
        self.paused += 1

    def resume_reading(self) -> None:
        self.paused -= 1

    def get_write_buffer_size(self) -> int:
        return 0


async def test_writes_of_one_step_go_together_after_it() -> None:
    fake = FakeTransport()
    corked = CorkedTransport(fake, asyncio.get_running_loop())
    corked.write(b"HTTP/1.1 200 OK\r\n\r\n")
    corked.write(b"pong")
    assert fake.calls == []
    assert corked.get_write_buffer_size() == 23
    await asyncio.sleep(0)
    assert fake.calls == [("writelines", [b"HTTP/1.1 200 OK\r\n\r\n", b"pong"])]
    corked.write(b"next")
    await asyncio.sleep(0)
    assert fake.calls[1:] == [("writelines", [b"next"])]


async def test_a_large_write_goes_at_once_with_what_was_held() -> None:
    fake = FakeTransport()
    corked = CorkedTransport(fake, asyncio.get_running_loop())
    corked.write(b"head")
    corked.write(b"x" * CorkedTransport.CORKED_BYTES)
    assert fake.calls == [("writelines", [b"head", b"x" * CorkedTransport.CORKED_BYTES])]
    await asyncio.sleep(0)
    assert len(fake.calls) == 1  # the step's flush finds nothing left


async def test_closing_sends_what_is_held_first_and_nothing_is_written_after() -> None:
    fake = FakeTransport()
    corked = CorkedTransport(fake, asyncio.get_running_loop())
    corked.write(b"bye")
    corked.close()
    corked.write(b"late")
    await asyncio.sleep(0)
    assert fake.calls == [("writelines", [b"bye"]), ("close", [])]
    assert corked.is_closing()


async def test_an_abort_drops_what_is_held() -> None:
    fake = FakeTransport()
    corked = CorkedTransport(fake, asyncio.get_running_loop())
    corked.write(b"never")
    corked.abort()
    await asyncio.sleep(0)
    assert fake.calls == [("abort", [])]


class Message(msgspec.Struct):
    message: str


@get("/ping")
async def ping() -> Message:
    return Message(message="pong")


async def test_a_response_leaves_in_one_write_and_a_pipelined_one_after_it() -> None:
    config = uvicorn.Config(Litestar([ping]), http=VibeHttpToolsProtocol, lifespan="off", log_level="warning")
    config.load()
    protocol = VibeHttpToolsProtocol(config, ServerState(), app_state={})
    fake = FakeTransport()
    protocol.connection_made(fake)
    protocol.data_received(b"GET /ping HTTP/1.1\r\nHost: example.com\r\n\r\n")
    for _ in range(20):  # the request's task runs, then the step's flush
        await asyncio.sleep(0)
    assert [kind for kind, _ in fake.calls] == ["writelines"]
    response = b"".join(fake.calls[0][1])
    assert response.startswith(b"HTTP/1.1 200 OK\r\n")
    assert response.endswith(b'\r\n\r\n{"message":"pong"}')
    protocol.data_received(b"GET /ping HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
    for _ in range(20):
        await asyncio.sleep(0)
    assert [kind for kind, _ in fake.calls] == ["writelines", "writelines", "close"]
    protocol.connection_lost(None)
