"""Accounts: registration, login with refresh-token rotation, logout, and managing users.

Security rules live here and in the modules it uses: sign-ins and sign-ups are throttled before any
password is hashed (``throttles``), every hash waits its fair turn at the one hashing thread
(``passwords``, ``fair_queue``), and a user is changed field by field under the actor's rights as
they are now (``user_changes``); an unknown email costs the same hashing work as a wrong password and
gets the same answer; a
refresh token works once, and presenting it again revokes its whole family (the login) together with
the family's live access tokens, through the denylist.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import datetime

import msgspec

from vibe.application.fair_queue import FairQueue
from vibe.application.passwords import Passwords
from vibe.application.read_cache import NoCache, ReadCache
from vibe.application.throttles import Throttles
from vibe.application.user_changes import UserChanges
from vibe.domain.auth import (
    ACCESS_TOKEN_TTL,
    FAMILY_TTL,
    Principal,
    RefreshToken,
    TokenFamily,
    TokenPair,
    family_key,
    jti_key,
)
from vibe.domain.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from vibe.domain.ports import (
    Cache,
    Clock,
    Denylist,
    DenylistForgotten,
    IdFactory,
    Page,
    PasswordHasher,
    RateLimiter,
    TokenService,
    UnitOfWork,
    UnitOfWorkFactory,
)
from vibe.domain.users import (
    DisplayName,
    Email,
    Role,
    User,
    check_password_policy,
    normalize_email,
)

__all__ = ["Accounts"]

_encode_user = msgspec.msgpack.Encoder().encode
_decode_user = msgspec.msgpack.Decoder(User).decode

ACCESS_TTL_SECONDS = int(ACCESS_TOKEN_TTL.total_seconds())
BAD_REFRESH = "The refresh token is invalid, expired or already used; sign in again."


class Accounts:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        tokens: TokenService,
        denylist: Denylist,
        limiter: RateLimiter,
        clock: Clock,
        ids: IdFactory,
        cache: Cache | None = None,
        throttles: Throttles | None = None,
        hash_queue: FairQueue | None = None,
    ) -> None:
        self._uow = uow
        self._tokens = tokens
        self._denylist = denylist
        self._limiter = limiter
        self._clock = clock
        self._ids = ids
        self._throttles = throttles or Throttles()
        self._passwords = Passwords(hasher, limiter, self._throttles, hash_queue or FairQueue())
        self._users: ReadCache[User] = ReadCache(cache or NoCache(), "user", _encode_user, _decode_user)

    # --- registration -----------------------------------------------------------------------------

    async def register(
        self, email: str, password: str, display_name: str | None = None, *, client: str | None = None
    ) -> User:
        """Anyone may register; a duplicate email (in any case) is a ConflictError."""
        if client is not None:
            refused = await self._limiter.take([self._throttles.registration_quota(client)])
            if refused is not None:
                raise RateLimitedError(
                    "Too many registrations from this address.", retry_after=refused.reset_in
                )
        return await self._create(email, password, display_name, Role.USER, client)

    async def create_admin(self, email: str, password: str, display_name: str | None = None) -> User:
        return await self._create(email, password, display_name, Role.ADMIN)

    async def _create(
        self, email: str, password: str, display_name: str | None, role: Role, client: str | None = None
    ) -> User:
        address = Email.parse(email)
        name = (
            DisplayName.parse(display_name) if display_name is not None else DisplayName.default_for(address)
        )
        password_hash = await self._passwords.hash_new(password, address.normalized, client)
        now = self._clock.now()
        user = User(
            id=self._ids.new_id(),
            email=address.value,
            email_normalized=address.normalized,
            display_name=name,
            role=role,
            password_hash=password_hash,
            created_at=now,
            updated_at=now,
        )
        async with self._uow() as uow:
            await uow.users.add(user)
            await uow.commit()
        return user

    # --- sessions ---------------------------------------------------------------------------------

    async def login(self, email: str, password: str, *, client: str | None = None) -> TokenPair:
        """Unknown email and wrong password: the same error after the same work, and both count. The
        attempt is counted before the password is hashed, so a burst gets no more than the limit."""
        account = normalize_email(email)
        attempt = await self._passwords.admit(account, client)
        async with attempt.given_back_on_error(), self._uow(readonly=True) as uow:
            user = await uow.users.get_by_email(account)
        rehashed = await self._passwords.check(attempt, user, password)
        assert user is not None
        if rehashed is not None:
            await self._store_rehash(user, rehashed)
        return await self._start_family(user.id)

    async def _store_rehash(self, user: User, new_hash: str) -> None:
        async with self._uow() as uow:
            await uow.users.change(
                user.id, self._clock.now(), password_hash=new_hash, if_password_hash=user.password_hash
            )
            await uow.commit()
        await self._users.invalidate(user.id)

    async def _start_family(self, user_id: str) -> TokenPair:
        now = self._clock.now()
        family = TokenFamily(
            id=self._ids.new_id(), user_id=user_id, created_at=now, expires_at=now + FAMILY_TTL
        )
        async with self._uow() as uow:
            await uow.tokens.add_family(family)
            pair = await self._issue(uow, family, now)
            await uow.commit()
        return pair

    async def _issue(self, uow: UnitOfWork, family: TokenFamily, now: datetime) -> TokenPair:
        refresh = self._tokens.new_refresh_token()
        await uow.tokens.add_token(
            RefreshToken(
                token_hash=self._tokens.hash_refresh_token(refresh),
                family_id=family.id,
                user_id=family.user_id,
                created_at=now,
            )
        )
        access, _claims = self._tokens.issue_access(family.user_id, family.id, now)
        return TokenPair(access_token=access, refresh_token=refresh, expires_in=ACCESS_TTL_SECONDS)

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: the token is consumed by one conditional update; a second use revokes the family."""
        now = self._clock.now()
        token_hash = self._tokens.hash_refresh_token(refresh_token)
        async with self._uow() as uow:
            record = await uow.tokens.get_token(token_hash)
            family = await uow.tokens.get_family(record.family_id) if record else None
            if record is None or family is None or not family.alive(now):
                raise AuthenticationError(BAD_REFRESH)
            if not await uow.tokens.consume(token_hash, now):
                await uow.tokens.revoke_family(family.id, now)
                await uow.commit()
                await self._denylist.deny(family_key(family.id), ACCESS_TTL_SECONDS)
                raise AuthenticationError(BAD_REFRESH)
            pair = await self._issue(uow, family, now)
            await uow.commit()
        return pair

    async def logout(self, principal: Principal) -> None:
        """End this login: its access token now, its family (and every token of it) for good."""
        claims = principal.claims
        remaining = max(1, claims.exp - int(self._clock.now().timestamp()))
        await self._denylist.deny(jti_key(claims.jti), remaining)
        await self._revoke_families([claims.fam], principal.user.id)

    async def authenticate(self, access_token: str) -> Principal:
        claims = self._tokens.decode_access(access_token, self._clock.now())
        keys = (jti_key(claims.jti), family_key(claims.fam))
        try:  # (in line, not a helper coroutine: every signed-in request comes here)
            denied = await self._denylist.is_denied(*keys)
        except DenylistForgotten:  # the store lost its entries (Redis restarted empty): put them back
            await self.restore_denylist()
            denied = await self._denylist.is_denied(*keys)
        if denied:
            raise AuthenticationError("This session has ended; sign in again.")
        user = await self._users.get(claims.sub, lambda: self._load_user(claims.sub))
        if user is None:
            raise AuthenticationError("This account no longer exists.")
        return Principal(user=user, claims=claims)

    async def refresh_signed_in(self, refresh_token: str) -> tuple[TokenPair, Principal]:
        """``refresh``, and who the new pair signs in (the web UI shows them at once)."""
        pair = await self.refresh(refresh_token)
        return pair, await self.authenticate(pair.access_token)

    async def signed_in(self, access_token: str | None, refresh_token: str | None) -> Principal | None:
        """Who a pair of tokens belongs to, even once the access token has expired (the refresh token
        is then traded once, so the login it belongs to can still be ended); None when neither works."""
        with contextlib.suppress(AuthenticationError):
            if access_token:
                return await self.authenticate(access_token)
        with contextlib.suppress(AuthenticationError):
            if refresh_token:
                return (await self.refresh_signed_in(refresh_token))[1]
        return None

    async def _load_user(self, user_id: str) -> User | None:
        async with self._uow(readonly=True) as uow:
            return await uow.users.get(user_id)

    async def _revoke_families(self, family_ids: list[str] | None, user_id: str) -> None:
        """Revoke the given families (None: every live family of the user) in the database and the
        denylist; the denylist entry outlives every access token of the family."""
        now = self._clock.now()
        async with self._uow() as uow:
            if family_ids is None:
                family_ids = await uow.tokens.revoke_user(user_id, now)
            else:
                for family_id in family_ids:
                    await uow.tokens.revoke_family(family_id, now)
            await uow.commit()
        for family_id in family_ids:
            await self._denylist.deny(family_key(family_id), ACCESS_TTL_SECONDS)

    async def restore_denylist(self) -> int:
        """Deny again the families revoked within one access-token lifetime, after the denylist lost
        them (a new process, a restarted Redis). Runs when a check finds it forgotten, so startup needs
        no database. Returns how many."""
        now = self._clock.now()
        async with self._uow(readonly=True) as uow:
            revoked = await uow.tokens.revoked_since(now - ACCESS_TOKEN_TTL)
        for family_id, revoked_at in revoked:
            left = ACCESS_TTL_SECONDS - int((now - revoked_at).total_seconds())
            await self._denylist.deny(family_key(family_id), max(1, left))
        await self._denylist.mark_restored()
        return len(revoked)

    # --- users ------------------------------------------------------------------------------------

    async def local_user(self, email: str, display_name: str) -> User:
        """The account local tools (``vibe generate``) act as: found by email, or made with a random
        password nobody knows (it is meant for the shell, not for signing in)."""
        address = Email.parse(email)
        async with self._uow(readonly=True) as uow:
            found = await uow.users.get_by_email(address.normalized)
        if found is not None:
            return found
        try:
            return await self._create(email, secrets.token_urlsafe(24), display_name, Role.USER)
        except ConflictError:  # made meanwhile by another process
            async with self._uow(readonly=True) as uow:
                made = await uow.users.get_by_email(address.normalized)
            assert made is not None
            return made

    async def shell_user(self, email: str | None, local_email: str, local_name: str) -> tuple[User, bool]:
        """(the account a local tool acts as, whether it is the hidden local one): the account of
        ``email``; without one, the only account there is; and only when no account exists at all,
        the local user ``local_email`` (made on first use). Several accounts and no email: refused."""
        if email is not None:
            async with self._uow(readonly=True) as uow:
                found = await uow.users.get_by_email(Email.parse(email).normalized)
            if found is None:
                raise NotFoundError(f"No account for {email}: sign up first (web UI or POST /api/v1/users).")
            return found, False
        async with self._uow(readonly=True) as uow:
            people = [u for u in (await uow.users.page(3, 0)).items if u.email != local_email]
        if not people:
            return await self.local_user(local_email, local_name), True
        if len(people) == 1:
            return people[0], False
        raise InvalidInputError("Several accounts exist: name one with --user EMAIL.", field="user")

    async def owner_of(self, project_owner_id: str) -> User:
        """A project's owner, for local tools acting on a project by id."""
        async with self._uow(readonly=True) as uow:
            user = await uow.users.get(project_owner_id)
        if user is None:
            raise NotFoundError("No such user.")
        return user

    async def get_user(self, actor: User, user_id: str) -> User:
        """The user themself or an admin; anyone else learns nothing (NotFoundError)."""
        if not actor.can_manage(user_id):
            raise NotFoundError("No such user.")
        async with self._uow(readonly=True) as uow:
            user = await uow.users.get(user_id)
        if user is None:
            raise NotFoundError("No such user.")
        return user

    async def list_users(self, actor: User, limit: int, offset: int) -> Page[User]:
        if not actor.is_admin:
            raise PermissionDeniedError("Only administrators may list users.")
        async with self._uow(readonly=True) as uow:
            return await uow.users.page(limit, offset)

    async def update_user(
        self,
        actor: User,
        user_id: str,
        *,
        display_name: str | None = None,
        password: str | None = None,
        role: Role | None = None,
        current_password: str | None = None,
        client: str | None = None,
    ) -> User:
        """Only the fields given are written, so a concurrent change of another field is kept. Users
        changing their own password give the current one (checked and throttled like a sign-in), and
        the change is refused (ConflictError) if the password changed meanwhile; an administrator
        resetting someone else's gives none. Changing a password ends every session of that user."""
        target = await self.get_user(actor, user_id)
        if role is not None and not actor.is_admin:
            raise PermissionDeniedError("Only administrators may change roles.")
        name = DisplayName.parse(display_name) if display_name is not None else None
        new_hash = expected = None
        if password is not None:
            check_password_policy(password)
            if actor.id == target.id:
                await self._passwords.check_current(target, current_password, client)
                expected = target.password_hash
            new_hash = await self._passwords.hash_new(password, target.email_normalized, client)
        changes = UserChanges(display_name=name, role=role, password_hash=new_hash, if_password_hash=expected)
        updated = await changes.write(self._uow, actor.id, target.id, self._clock.now())
        await self._users.invalidate(updated.id)
        if new_hash is not None:
            await self._revoke_families(None, target.id)
        return updated

    async def delete_user(self, actor: User, user_id: str) -> None:
        """Delete the user with their projects, generations and sessions."""
        target = await self.get_user(actor, user_id)
        await self._revoke_families(None, target.id)
        async with self._uow() as uow:
            await uow.users.delete(target.id)
            await uow.commit()
        await self._users.invalidate(target.id)
