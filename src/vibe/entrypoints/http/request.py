"""The request class of the app: a JSON body msgspec cannot decode is always the client's fault.

msgspec reports most malformed JSON as a DecodeError, which Litestar answers with a 400; but nesting
deeper than its recursion limit raises RecursionError, and invalid UTF-8 inside a string raises
UnicodeDecodeError, which would otherwise surface as a 500. Both are turned into the same 400 here.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException

__all__ = ["VibeRequest"]


class VibeRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            return await super().json()
        except (RecursionError, UnicodeDecodeError) as error:
            raise SerializationException(
                f"The request body is not valid JSON: {type(error).__name__}"
            ) from error
