"""The limits on signing in and signing up, counted before any password is hashed.

A sign-in takes three quotas at once, atomically, before its password is checked: failures of this
account from this address (the tight one), failures of this account from anywhere (so many addresses
cannot guess on and on), and distinct accounts failing from this address (so one address cannot try
account after account). A flood from one address thus locks that address out of the account it
floods and, past many accounts, out of signing in at all, but never locks the accounts other people
behind the same address (a school's NAT, an unlisted proxy) sign in to. A password that turns out
right gives its counts back. Sign-ups take one quota per address. Every limit is a setting.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import msgspec

from vibe.application.fair_queue import FairQueue
from vibe.domain.errors import RateLimitedError
from vibe.domain.ports import Quota, RateLimiter

__all__ = ["LoginAttempt", "Throttles"]

NO_ADDRESS = "-"  # the client of library calls, which have none


class Throttles(msgspec.Struct, frozen=True, kw_only=True):
    """The limits (README, "Configuration"); windows are fixed, in seconds."""

    login_failures_per_account_and_address: int = 10
    login_failures_per_account: int = 50
    login_accounts_per_address: int = 20
    login_window_seconds: int = 15 * 60
    registrations_per_address: int = 60
    registration_window_seconds: int = 10 * 60

    def login_quotas(self, account: str, client: str | None) -> list[Quota]:
        window = self.login_window_seconds
        quotas = [
            Quota(
                f"login:acct-addr:{client or NO_ADDRESS}:{account}",
                self.login_failures_per_account_and_address,
                window,
            ),
            Quota(f"login:acct:{account}", self.login_failures_per_account, window),
        ]
        if client is not None:
            quotas.append(Quota(f"login:addr:{client}", self.login_accounts_per_address, window, account))
        return quotas

    def registration_quota(self, client: str) -> Quota:
        return Quota(
            f"register:addr:{client}", self.registrations_per_address, self.registration_window_seconds
        )


class LoginAttempt:
    """One password check for an account, admitted by the quotas before any hashing: ``admit``, then
    hash inside ``hashing()``, then ``succeeded()`` if the password was right."""

    def __init__(
        self, limiter: RateLimiter, queue: FairQueue, throttles: Throttles, account: str, client: str | None
    ) -> None:
        self._limiter = limiter
        self._queue = queue
        self._account = account
        self._client = client
        self._quotas = throttles.login_quotas(account, client)

    async def admit(self) -> None:
        refused = await self._limiter.take(self._quotas)
        if refused is not None:
            raise RateLimitedError("Too many failed sign-ins; try again later.", retry_after=refused.reset_in)

    @contextlib.asynccontextmanager
    async def given_back_on_error(self) -> AsyncIterator[None]:
        """Work before the password check: if it fails (the database does not answer), no password
        was checked, so the quotas are given back."""
        try:
            yield
        except Exception:
            await self._limiter.give_back(self._quotas)
            raise

    @contextlib.asynccontextmanager
    async def hashing(self) -> AsyncIterator[None]:
        """A turn at the hashing thread; a turn refused (too many waiting) gives the quotas back."""
        async with self.given_back_on_error():
            await self._queue.acquire(self._client or NO_ADDRESS, self._account)
        try:
            yield
        finally:
            self._queue.release()

    async def succeeded(self) -> None:
        """The right password: this account's failures from this address are forgotten, and the
        attempt no longer counts against the account or the address."""
        await self._limiter.reset(self._quotas[0].key)
        await self._limiter.give_back(self._quotas[1:])
