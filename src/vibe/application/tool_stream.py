"""Decode a tool call's JSON input while it streams, so file contents can go out as they are written.

The model sends a tool's input as ``partial_json`` fragments that may split anywhere: inside a key,
inside a string, inside an escape such as ``\\u00e9`` or between the halves of a surrogate pair.
``ToolInputStream`` follows the top-level object and reports, for each string member, the decoded text
as soon as it is certain. Joining what it reports for a member gives exactly that member's value.
Values that are not strings are skipped (the final ``json.loads`` of the whole input stays the
authority on what the call was).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["ToolInputStream"]

_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WHITESPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class StringPiece:
    """More of the string value of top-level member ``key``; ``done`` on its closing quote."""

    key: str
    text: str
    done: bool = False


class ToolInputStream:
    """Feed fragments with ``feed``; it yields ``StringPiece``s for top-level string members."""

    def __init__(self) -> None:
        self._state = "start"  # start, key?, key, colon, value?, string, skip, comma?, end
        self._key: list[str] = []
        self._current_key = ""
        self._escape: str | None = None  # pending escape text after the backslash
        self._high_surrogate: int | None = None
        self._skip_depth = 0
        self._skip_in_string = False
        self._skip_escape = False

    def feed(self, fragment: str) -> Iterator[StringPiece]:
        out: list[str] = []
        for ch in fragment:
            if self._state == "string":
                done = self._string_char(ch, out)
                if done:
                    yield StringPiece(self._current_key, "".join(out), done=True)
                    out.clear()
                    self._state = "comma?"
                continue
            self._structural(ch)
        if out:
            yield StringPiece(self._current_key, "".join(out))

    # --- inside a string value --------------------------------------------------------------------

    def _string_char(self, ch: str, out: list[str]) -> bool:
        """Consume one character of a string value; True when it closed the string."""
        if self._escape is not None:
            self._escape += ch
            self._finish_escape(out)
            return False
        if ch == "\\":
            self._escape = ""
            return False
        if ch == '"':
            self._flush_surrogate(out)
            return True
        self._flush_surrogate(out)
        out.append(ch)
        return False

    def _finish_escape(self, out: list[str]) -> None:
        assert self._escape is not None
        head = self._escape[0]
        if head != "u":
            self._flush_surrogate(out)
            out.append(_SIMPLE_ESCAPES.get(head, head))
            self._escape = None
            return
        if len(self._escape) < 5:
            return  # wait for all four hex digits
        code = int(self._escape[1:5], 16)
        self._escape = None
        if 0xD800 <= code <= 0xDBFF:
            self._flush_surrogate(out)
            self._high_surrogate = code  # wait for the low half
        elif 0xDC00 <= code <= 0xDFFF and self._high_surrogate is not None:
            out.append(chr(0x10000 + ((self._high_surrogate - 0xD800) << 10) + (code - 0xDC00)))
            self._high_surrogate = None
        else:
            self._flush_surrogate(out)
            out.append(chr(code))

    def _flush_surrogate(self, out: list[str]) -> None:
        """A lone high surrogate stays as json.loads would keep it."""
        if self._high_surrogate is not None:
            out.append(chr(self._high_surrogate))
            self._high_surrogate = None

    # --- everything else --------------------------------------------------------------------------

    def _structural(self, ch: str) -> None:
        state = self._state
        if state == "key":
            if self._string_char(ch, self._key):  # keys decode like any other string
                self._current_key, self._state = "".join(self._key), "colon"
        elif state == "skip":
            self._skip_char(ch)
        elif ch in _WHITESPACE:
            return
        elif state == "start" and ch == "{":
            self._state = "key?"
        elif state in ("key?", "comma?") and ch == "}":
            self._state = "end"
        elif state == "key?" and ch == '"':
            self._state, self._key = "key", []
        elif state == "comma?" and ch == ",":
            self._state = "key?"
        elif state == "colon" and ch == ":":
            self._state = "value?"
        elif state == "value?":
            self._start_value(ch)
        # anything else is malformed input; the final json.loads will say so

    def _start_value(self, ch: str) -> None:
        if ch == '"':
            self._state = "string"
            return
        self._state = "skip"
        self._skip_depth = 0
        self._skip_in_string = False
        self._skip_char(ch)

    def _skip_char(self, ch: str) -> None:
        """Skip a non-string value (number, literal, array or object) to its end."""
        if self._skip_in_string:
            if self._skip_escape:
                self._skip_escape = False
            elif ch == "\\":
                self._skip_escape = True
            elif ch == '"':
                self._skip_in_string = False
            return
        if ch == '"':
            self._skip_in_string = True
        elif ch in "[{":
            self._skip_depth += 1
        elif ch in "]}":
            if self._skip_depth == 0:  # the end of the enclosing object
                self._state = "end"
                return
            self._skip_depth -= 1
        elif ch == "," and self._skip_depth == 0:
            self._state = "key?"
