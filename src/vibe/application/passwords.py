"""Every password hash vibe makes or checks, each in its fair turn at the one hashing thread, and every
check counted by the sign-in throttles first (``throttles``, ``fair_queue``)."""

from __future__ import annotations

from vibe.application.fair_queue import FairQueue
from vibe.application.throttles import NO_ADDRESS, LoginAttempt, Throttles
from vibe.domain.errors import AuthenticationError, InvalidInputError, PermissionDeniedError
from vibe.domain.ports import PasswordHasher, RateLimiter
from vibe.domain.users import MAX_PASSWORD_CHARS, User, check_password_policy

__all__ = ["Passwords"]

BAD_LOGIN = "Invalid email or password."


class Passwords:
    def __init__(
        self, hasher: PasswordHasher, limiter: RateLimiter, throttles: Throttles, queue: FairQueue
    ) -> None:
        self._hasher = hasher
        self._limiter = limiter
        self._throttles = throttles
        self._queue = queue

    async def hash_new(self, password: str, account: str, client: str | None) -> str:
        """The hash of a new password, which must keep the policy."""
        check_password_policy(password)
        async with self._queue.turn(client or NO_ADDRESS, account):
            return await self._hasher.hash(password)

    async def admit(self, account: str, client: str | None) -> LoginAttempt:
        """A password check of ``account``, counted by the throttles (RateLimitedError past them)."""
        attempt = LoginAttempt(self._limiter, self._queue, self._throttles, account, client)
        await attempt.admit()
        return attempt

    async def check(self, attempt: LoginAttempt, user: User | None, password: str) -> str | None:
        """Check ``password`` in the attempt's hashing turn: AuthenticationError when wrong (or no
        such user, after the same work); a new hash when the parameters changed, else None."""
        password = password[: MAX_PASSWORD_CHARS + 1]  # no valid password is longer; bound the work
        async with attempt.hashing():
            if user is None:
                await self._hasher.verify_dummy(password)
                right = False
            else:
                right = await self._hasher.verify(user.password_hash, password)
            if not right:
                await attempt.failed()
            rehash = user is not None and right and self._hasher.needs_rehash(user.password_hash)
            rehashed = await self._hasher.hash(password) if rehash else None
        if not right:
            raise AuthenticationError(BAD_LOGIN)
        await attempt.succeeded()
        return rehashed

    async def check_current(self, user: User, password: str | None, client: str | None) -> None:
        """The password a user changing their own gives as their current one: required, and right
        (PermissionDeniedError), checked and counted like a sign-in."""
        if password is None:
            raise InvalidInputError("Give your current password to change it.", field="current_password")
        attempt = await self.admit(user.email_normalized, client)
        try:
            await self.check(attempt, user, password)
        except AuthenticationError:
            raise PermissionDeniedError("The current password is not right.") from None
