"""Scripted answers for the stand-in Chat Completions server, and the flavours of server it plays.

A ``Completion`` is what one request gets: text, reasoning, tool calls, or an error, cut or not.
A ``Flavor`` says how the server streams it, with the habits of the real servers vibe meets.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

__all__ = ["Call", "Completion", "Flavor"]


class Call(msgspec.Struct, frozen=True, kw_only=True):
    """A tool call; ``arguments`` is sent as its JSON, or as given when it is a string (to script
    malformed JSON)."""

    name: str
    arguments: dict[str, Any] | str
    id: str | None = None

    @property
    def raw(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


class Completion(msgspec.Struct, frozen=True, kw_only=True):
    """One scripted answer; build it with the constructors below. ``cut`` interrupts a stream after
    ``cut_after`` chunks: ``error`` sends an error object, ``drop`` ends the body (no finish, no
    ``[DONE]``), ``stall`` goes silent until the client hangs up."""

    text: str = ""
    reasoning: str = ""
    calls: tuple[Call, ...] = ()
    finish_reason: str | None = None  # default: tool_calls when there are calls, else stop
    prompt_tokens: int | None = None  # default: counted (see chat_rules)
    completion_tokens: int | None = None
    chunk_size: int = 7
    delay: float = 0.0
    status: int = 200
    error_type: str = "server_error"
    error_code: str | None = None
    error_message: str = "The server had an error while processing your request. Sorry about that!"
    retry_after: float | None = None
    cut: Literal["error", "drop", "stall"] | None = None
    cut_after: int = 0

    @classmethod
    def say(cls, text: str, **options: Any) -> Completion:
        """A message of text that ends the turn."""
        return cls(text=text, **options)

    @classmethod
    def tool_calls(
        cls, calls: Sequence[tuple[str, dict[str, Any] | str]], text: str = "", **options: Any
    ) -> Completion:
        """Optional text, then one tool call per ``(name, arguments)``."""
        return cls(text=text, calls=tuple(Call(name=n, arguments=a) for n, a in calls), **options)

    @classmethod
    def error(
        cls,
        status: int,
        *,
        error_type: str | None = None,
        code: str | None = None,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> Completion:
        """An HTTP error with the API's error object."""
        kind = error_type or ("server_error" if status >= 500 else "invalid_request_error")
        if status == 429:
            kind, code = error_type or "requests", code or "rate_limit_exceeded"
        return cls(
            status=status,
            error_type=kind,
            error_code=code,
            error_message=message or ("Rate limit reached." if status == 429 else "Request failed."),
            retry_after=retry_after,
        )

    @classmethod
    def rate_limited(cls, retry_after: float | None = None) -> Completion:
        return cls.error(429, retry_after=retry_after)

    def mid_stream_error(self, after_chunks: int) -> Completion:
        return msgspec.structs.replace(self, cut="error", cut_after=after_chunks)

    def dropped(self, after_chunks: int) -> Completion:
        return msgspec.structs.replace(self, cut="drop", cut_after=after_chunks)

    def stalled(self, after_chunks: int) -> Completion:
        return msgspec.structs.replace(self, cut="stall", cut_after=after_chunks)

    @property
    def finish(self) -> str:
        return self.finish_reason or ("tool_calls" if self.calls else "stop")

    def error_body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.error_message,
                "type": self.error_type,
                "param": None,
                "code": self.error_code,
            }
        }


class Flavor(msgspec.Struct, frozen=True, kw_only=True):
    """How a server streams: OpenAI's way by default; the presets play the local servers' habits."""

    name: str = "openai"
    whole_calls: bool = False  # each tool call in one piece, arguments complete (Ollama)
    reuse_index: bool = False  # every call of a message at index 0, told apart by its id (Ollama)
    fresh_ids: bool = False  # a new id on every piece of a call (LM Studio)
    no_index: bool = False  # tool call pieces without an index
    usage: Literal["final_chunk", "finish_chunk", "every_chunk", "none"] = "final_chunk"
    stop_with_tools: bool = False  # finish_reason "stop" although the message called tools
    reasoning_field: str = "reasoning_content"
    prefix_cache: bool = True  # OpenAI's automatic prompt caching
    strict: bool = True  # unknown parameters are refused (local servers ignore them)
    takes_tools: bool = True  # False: 400 "does not support tools" (an Ollama model without tools)

    @classmethod
    def openai(cls) -> Flavor:
        return cls()

    @classmethod
    def ollama(cls, *, takes_tools: bool = True) -> Flavor:
        return cls(
            name="ollama",
            whole_calls=True,
            reuse_index=True,
            stop_with_tools=True,
            reasoning_field="reasoning",
            prefix_cache=False,
            strict=False,
            usage="finish_chunk",
            takes_tools=takes_tools,
        )

    @classmethod
    def vllm(cls) -> Flavor:
        return cls(name="vllm", prefix_cache=False, strict=False)

    @classmethod
    def llama_cpp(cls) -> Flavor:
        return cls(name="llama.cpp", usage="finish_chunk", prefix_cache=False, strict=False)

    @classmethod
    def lm_studio(cls) -> Flavor:
        return cls(
            name="lm-studio", fresh_ids=True, no_index=True, usage="none", prefix_cache=False, strict=False
        )
