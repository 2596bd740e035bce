"""TokenRepository: the fake and SQL agree on families and refresh tokens: a token is consumed once,
revoking is idempotent, ``revoke_user`` ends exactly the live families, ``revoked_since`` is strict."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from tests.contract.side_by_side import MISSING, STEPS, SideBySide, run_machine, ticks
from vibe.domain.auth import RefreshToken, TokenFamily
from vibe.domain.ports import UnitOfWork
from vibe.domain.users import User

# Short next to the clock's steps, so families expire while the machine runs (and exactly at a step).
lifetimes = st.one_of(st.sampled_from(STEPS[2:]), st.timedeltas(timedelta(microseconds=1), timedelta(days=5)))


def by_id(pairs: list[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
    return sorted(pairs)  # the port promises no order


class Tokens(SideBySide):
    @initialize()
    def make_people(self) -> None:
        self.people: list[User] = [self.new_user(), self.new_user()]
        self.families: list[str] = []
        self.tokens: list[str] = []
        self.moments: list[datetime] = [self.now]

    def _family(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from([*self.families, MISSING]))

    @rule(delta=ticks)
    def time_passes(self, delta: timedelta) -> None:
        self.moments.append(self.tick(delta))

    @rule(data=st.data(), lifetime=lifetimes)
    def add_family(self, data: st.DataObject, lifetime: timedelta) -> None:
        owner = data.draw(st.sampled_from(self.people))
        family = TokenFamily(
            id=self.ids.new_id(), user_id=owner.id, created_at=self.now, expires_at=self.now + lifetime
        )
        assert self.both(lambda uow: uow.tokens.add_family(family)).ok
        self.families.append(family.id)

    @precondition(lambda self: self.families)
    @rule(data=st.data(), used=st.booleans())
    def add_token(self, data: st.DataObject, used: bool) -> None:
        family_id = data.draw(st.sampled_from(self.families))
        family = self.read(lambda uow: uow.tokens.get_family(family_id))
        token = RefreshToken(
            token_hash=f"{len(self.tokens):064x}",
            family_id=family_id,
            user_id=family.user_id,
            created_at=self.now,
            used_at=self.now if used else None,
        )
        assert self.both(lambda uow: uow.tokens.add_token(token)).ok
        self.tokens.append(token.token_hash)

    @rule(data=st.data())
    def consume(self, data: st.DataObject) -> None:
        token_hash = data.draw(st.sampled_from([*self.tokens, "f" * 64]))
        before = self.read(lambda uow: uow.tokens.get_token(token_hash))
        consumed = self.both(lambda uow: uow.tokens.consume(token_hash, self.now))
        assert consumed.value == (before is not None and before.used_at is None)

    @rule(data=st.data())
    def revoke_family(self, data: st.DataObject) -> None:
        family_id = self._family(data)
        assert self.both(lambda uow: uow.tokens.revoke_family(family_id, self.now)).ok

    @rule(data=st.data())
    def revoke_user(self, data: st.DataObject) -> None:
        user_id = data.draw(st.sampled_from([u.id for u in self.people] + [MISSING]))
        alive = [f for f in self.read(self._all_families) if f.user_id == user_id and f.alive(self.now)]
        revoked = self.both(lambda uow: uow.tokens.revoke_user(user_id, self.now), normalise=sorted)
        assert revoked.value == sorted(f.id for f in alive)

    @rule(data=st.data())
    def revoked_since(self, data: st.DataObject) -> None:
        since = data.draw(st.sampled_from(self.moments))
        found = self.read(lambda uow: uow.tokens.revoked_since(since), normalise=by_id)
        assert all(at > since for _, at in found)

    async def _all_families(self, uow: UnitOfWork) -> list[TokenFamily]:
        found = [await uow.tokens.get_family(i) for i in self.families]
        return [f for f in found if f is not None]

    def snapshot(self) -> None:
        if not hasattr(self, "people"):
            return

        async def everything(uow: UnitOfWork) -> object:
            return (
                [await uow.tokens.get_family(i) for i in [*self.families, MISSING]],
                [await uow.tokens.get_token(h) for h in self.tokens],
                by_id(await uow.tokens.revoked_since(self.moments[0] - timedelta(1))),
            )

        families, tokens, revoked = self.read(everything)
        assert None not in families[:-1]
        assert families[-1] is None
        assert None not in tokens
        assert revoked == sorted((f.id, f.revoked_at) for f in families[:-1] if f.revoked_at)


def test_the_fake_and_sql_token_stores_agree(database_url: str) -> None:
    run_machine(lambda: Tokens(database_url))
