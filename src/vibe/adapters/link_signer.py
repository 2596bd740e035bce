"""Preview capability links: ``<payload>.<mac>``, both base64url, HMAC-SHA256 signed.

The payload is ``<project id>:<version>:<expiry, unix seconds>``. The key is derived from the JWT
secret with a fixed label (HMAC(secret, label)), so a link's MAC can never stand in for a JWT
signature or the other way round, and changing the label ends every outstanding link.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from vibe.domain.errors import NotFoundError
from vibe.domain.ports import LinkSigner

__all__ = ["LINK_TTL", "HmacLinkSigner"]

LINK_TTL = timedelta(hours=1)
_LABEL = b"vibe preview link v1"
_MAX_TOKEN_CHARS = 400  # ids are 26 characters; anything this long is not ours


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict: only the one canonical spelling decodes, so every token has exactly one form."""
    data = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    if _b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


class HmacLinkSigner(LinkSigner):
    """Links valid for ``ttl`` (at most an hour) from signing; the clock is the caller's ``now``."""

    def __init__(self, jwt_secret: str, ttl: timedelta = LINK_TTL) -> None:
        if not timedelta(seconds=1) <= ttl <= LINK_TTL:
            raise ValueError("a preview link lives between one second and one hour")
        self._key = hmac.new(jwt_secret.encode("utf-8"), _LABEL, hashlib.sha256).digest()
        self._ttl = int(ttl.total_seconds())

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()

    def sign(self, project_id: str, version: int, now: datetime) -> tuple[str, datetime]:
        expires = int(now.timestamp()) + self._ttl
        payload = f"{project_id}:{version}:{expires}".encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}", datetime.fromtimestamp(expires, UTC)

    def verify(self, token: str, now: datetime) -> tuple[str, int]:
        gone = NotFoundError("This preview link is invalid or has expired.")
        encoded, dot, mac = token.partition(".")
        if not dot or len(token) > _MAX_TOKEN_CHARS or not token.isascii():
            raise gone
        try:
            payload, signature = _unb64(encoded), _unb64(mac)
        except (binascii.Error, ValueError):
            raise gone from None
        if not hmac.compare_digest(signature, self._mac(payload)):
            raise gone
        project_id, version, expires = payload.decode().rsplit(":", 2)  # signed by us, so well formed
        if int(expires) <= now.timestamp():
            raise gone
        return project_id, int(version)
