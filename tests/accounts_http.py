"""Sign-up and sign-in through the HTTP API, for tests that need users."""

from __future__ import annotations

from typing import Any

import httpx

from vibe.bootstrap import Vibe

PASSWORD = "correct horse battery"
Client = httpx.AsyncClient


async def signed_up(client: Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Register ``email`` and sign in: the token pair plus ``headers`` and ``user``."""
    registered = await client.post("/api/v1/users", json={"email": email, "password": password})
    assert registered.status_code == 201, registered.text
    tokens = await sign_in(client, email, password)
    return tokens | {"user": registered.json()}


async def sign_in(client: Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens | {"headers": bearer(tokens["access_token"])}


async def admin(client: Client, vibe: Vibe, email: str = "root@example.com") -> dict[str, Any]:
    user = await vibe.accounts.create_admin(email, PASSWORD)
    return await sign_in(client, email) | {"user": {"id": user.id}}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
