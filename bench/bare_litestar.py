"""A reference point between the bare ASGI app and vibe: Litestar with one ``/ping`` handler and
nothing else (no middleware, no dependencies), answering vibe's body. It shows what the framework
itself costs on this machine, apart from what vibe adds."""

from __future__ import annotations

import msgspec
from litestar import Litestar, get

__all__ = ["app"]


class Message(msgspec.Struct, frozen=True):
    message: str


@get("/ping")
async def ping() -> Message:
    return Message(message="pong")


app = Litestar(route_handlers=[ping], logging_config=None, openapi_config=None)
