"""What the benchmarks need on a fresh server, made over HTTP: users, their tokens and projects."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx

__all__ = ["PASSWORD", "Account", "create_projects", "sign_up"]

PASSWORD = "bench password 1234"


@dataclass(frozen=True)
class Account:
    email: str
    token: str


def sign_up(base_url: str, name: str = "bench") -> Account:
    """Register a new user and sign in; the account and its access token."""
    email = f"{name}-{secrets.token_hex(4)}@example.com"
    with httpx.Client(base_url=base_url, timeout=30) as client:
        created = client.post("/api/v1/users", json={"email": email, "password": PASSWORD})
        created.raise_for_status()
        login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        login.raise_for_status()
    return Account(email, login.json()["access_token"])


def create_projects(base_url: str, account: Account, count: int) -> None:
    headers = {"Authorization": f"Bearer {account.token}"}
    with httpx.Client(base_url=base_url, timeout=30, headers=headers) as client:
        for index in range(count):
            made = client.post("/api/v1/projects", json={"name": f"Project {index}", "description": "bench"})
            made.raise_for_status()
