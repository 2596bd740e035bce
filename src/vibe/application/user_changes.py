"""A change to a user's account, written field by field under the actor's rights as they are now.

Writing back a whole row read before (as a slow password hash is computed) would undo whatever
changed meanwhile: a rename could bring back the password it replaced, a rogue administrator's own
edit could undo their demotion. So only the fields given are written, in one statement; the actor is
read again in the same transaction (locked, with the target, in id order so two such changes never
deadlock), so rights taken away meanwhile count; and a user's own password change applies only while
the stored hash is still the one they proved they knew.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from vibe.domain.errors import ConflictError, NotFoundError, PermissionDeniedError
from vibe.domain.ports import UnitOfWorkFactory
from vibe.domain.users import Role, User

__all__ = ["UserChanges"]


class UserChanges(msgspec.Struct, frozen=True, kw_only=True):
    """The fields to write (None: leave as stored), and the password hash the change was based on."""

    display_name: str | None = None
    role: Role | None = None
    password_hash: str | None = None
    if_password_hash: str | None = None

    async def write(self, uow: UnitOfWorkFactory, actor_id: str, target_id: str, now: datetime) -> User:
        async with uow() as work:
            for user_id in sorted({actor_id, target_id}):
                await work.users.lock(user_id)
            actor = await work.users.get(actor_id)
            if actor is None or not actor.can_manage(target_id):
                raise NotFoundError("No such user.")
            if self.role is not None and not actor.is_admin:
                raise PermissionDeniedError("Only administrators may change roles.")
            updated = await work.users.change(
                target_id,
                now,
                display_name=self.display_name,
                role=self.role,
                password_hash=self.password_hash,
                if_password_hash=self.if_password_hash,
            )
            if updated is None and await work.users.get(target_id) is not None:
                raise ConflictError("The password was changed meanwhile; sign in again and retry.")
            if updated is None:
                raise NotFoundError("No such user.")
            await work.commit()
        return updated
