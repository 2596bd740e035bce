"""The limits on signing in and signing up, counted before any password is hashed.

A sign-in is counted, atomically and before its password is checked, against two quotas: attempts on
this account from this address (the tight one) and on this account from anywhere (so many addresses
cannot guess on and on); a password that turns out right gives both back. So a burst for one account
gets no more than the limit checked, in one process or many.

A third limit holds the distinct accounts that failed from one address (so one address cannot try
account after account). It is checked on admission and again when the turn at the hashing thread
comes, and an account joins it only once its password was wrong, inside that turn (and leaves it on
a right one). Sign-ins under way thus never count against the other people behind the same address
(a school's NAT, an unlisted proxy); and as a process hashes one password at a time, a spray over
many accounts gets no more than the limit checked, plus at most one per extra process.

A flood from one address thus locks that address out of the account it floods and, past many
accounts, out of new ones; never the accounts other people sign in to from there. Sign-ups take one
quota per address. Every limit is a setting.
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
        """The attempt's two counted quotas: account and address, account."""
        window = self.login_window_seconds
        return [
            Quota(
                f"login:acct-addr:{client or NO_ADDRESS}:{account}",
                self.login_failures_per_account_and_address,
                window,
            ),
            Quota(f"login:acct:{account}", self.login_failures_per_account, window),
        ]

    def failed_accounts(self, account: str, client: str, *, count: bool) -> Quota:
        """The distinct accounts that failed from ``client``: checked (``count`` False) or joined."""
        return Quota(
            f"login:addr:{client}", self.login_accounts_per_address, self.login_window_seconds, account, count
        )

    def registration_quota(self, client: str) -> Quota:
        return Quota(
            f"register:addr:{client}", self.registrations_per_address, self.registration_window_seconds
        )


class LoginAttempt:
    """One password check for an account, admitted by the quotas before any hashing: ``admit``, then
    hash inside ``hashing()`` and say how it went there (``failed()``), then ``succeeded()``."""

    def __init__(
        self, limiter: RateLimiter, queue: FairQueue, throttles: Throttles, account: str, client: str | None
    ) -> None:
        self._limiter = limiter
        self._queue = queue
        self._throttles = throttles
        self._account = account
        self._client = client
        self._quotas = throttles.login_quotas(account, client)

    async def admit(self) -> None:
        await self._take([*self._quotas, *self._address_check()])

    async def _take(self, quotas: list[Quota]) -> None:
        refused = await self._limiter.take(quotas)
        if refused is not None:
            raise RateLimitedError("Too many failed sign-ins; try again later.", retry_after=refused.reset_in)

    def _address_check(self) -> list[Quota]:
        if self._client is None:
            return []
        return [self._throttles.failed_accounts(self._account, self._client, count=False)]

    @contextlib.asynccontextmanager
    async def given_back_on_error(self) -> AsyncIterator[None]:
        """Work before the password check: if it fails (the database does not answer, the queue is
        full, the address ran out of accounts meanwhile), no password was checked, so the quotas are
        given back."""
        try:
            yield
        except Exception:
            await self._limiter.give_back(self._quotas)
            raise

    @contextlib.asynccontextmanager
    async def hashing(self) -> AsyncIterator[None]:
        """A turn at the hashing thread, once the address is checked again (failures of the turns
        before this one count now)."""
        async with self.given_back_on_error():
            await self._queue.acquire(self._client or NO_ADDRESS, self._account)
            try:
                await self._take(self._address_check())
            except BaseException:
                self._queue.release()
                raise
        try:
            yield
        finally:
            self._queue.release()

    async def failed(self) -> None:
        """The password was wrong: the account joins the address's failed accounts. Called inside
        ``hashing()``, so the next turn's check sees it."""
        if self._client is not None:
            await self._limiter.take([self._failed_accounts()])

    async def succeeded(self) -> None:
        """The right password: this account's failures from this address are forgotten, it is no
        longer one of the address's failed accounts, and the attempt no longer counts against it."""
        await self._limiter.reset(self._quotas[0].key)
        joined = [self._failed_accounts()] if self._client is not None else []
        await self._limiter.give_back([*self._quotas[1:], *joined])

    def _failed_accounts(self) -> Quota:
        assert self._client is not None
        return self._throttles.failed_accounts(self._account, self._client, count=True)
