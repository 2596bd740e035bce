"""An in-memory database behind the repository ports, with real transactions.

A writing unit of work takes the one write lock (as SQLite's BEGIN IMMEDIATE does), works on a copy of
the state and swaps it in on commit; readers see committed state only. Every table is a flat dict of
immutable values, so a copy is one shallow copy per table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from types import TracebackType
from typing import Self, TypeVar

import msgspec

from vibe.domain.auth import RefreshToken, TokenFamily
from vibe.domain.errors import ConflictError, NotFoundError
from vibe.domain.events import Event, StoredEvent, encode
from vibe.domain.generations import UNFINISHED, Generation, GenerationStatus
from vibe.domain.ports import (
    EventStore,
    GenerationRepository,
    GenerationTotals,
    Page,
    ProjectRepository,
    TokenRepository,
    UnitOfWork,
    UnitOfWorkFactory,
    UserRepository,
)
from vibe.domain.projects import FileEntry, Project, Version, content_type_for, sha256_hex
from vibe.domain.reference_images import ReferenceImage
from vibe.domain.sites import PublishedSite
from vibe.domain.usage import Usage
from vibe.domain.users import Role, User
from vibe.testing.memory_budgets import InMemoryBudgets
from vibe.testing.memory_sites import InMemorySites

__all__ = ["InMemoryDatabase", "InMemoryUnitOfWork", "InMemoryUnitOfWorkFactory"]


@dataclass
class _State:
    users: dict[str, User] = field(default_factory=dict)
    families: dict[str, TokenFamily] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    versions: dict[tuple[str, int], Version] = field(default_factory=dict)
    files: dict[tuple[str, int, str], FileEntry] = field(default_factory=dict)
    blobs: dict[tuple[str, str], bytes] = field(default_factory=dict)
    generations: dict[str, Generation] = field(default_factory=dict)
    last_seq: dict[str, int] = field(default_factory=dict)
    events: dict[tuple[str, int], StoredEvent] = field(default_factory=dict)
    spend: dict[tuple[str, datetime], Usage] = field(default_factory=dict)
    budgets: dict[str, int] = field(default_factory=dict)
    images: dict[str, tuple[ReferenceImage, ...]] = field(default_factory=dict)
    sites: dict[str, PublishedSite] = field(default_factory=dict)

    def copy(self) -> _State:
        return replace(self, **{f.name: dict(getattr(self, f.name)) for f in fields(self)})


class InMemoryDatabase:
    def __init__(self) -> None:
        self.state = _State()
        self._lock: asyncio.Lock | None = None

    @property
    def lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock


T = TypeVar("T")


def _page(items: list[T], limit: int, offset: int) -> Page[T]:
    return Page(items=items[offset : offset + limit], total=len(items))


def _drop_generations(s: _State, ids: set[str]) -> None:
    s.generations = {k: g for k, g in s.generations.items() if k not in ids}
    s.last_seq = {k: n for k, n in s.last_seq.items() if k not in ids}
    s.events = {k: e for k, e in s.events.items() if k[0] not in ids}
    s.images = {k: i for k, i in s.images.items() if k not in ids}


class _Users(UserRepository):
    def __init__(self, s: _State) -> None:
        self.s = s

    async def add(self, user: User) -> None:
        if any(u.email_normalized == user.email_normalized for u in self.s.users.values()):
            raise ConflictError("An account with this email already exists.")
        self.s.users[user.id] = user

    async def get(self, user_id: str) -> User | None:
        return self.s.users.get(user_id)

    async def get_by_email(self, email_normalized: str) -> User | None:
        return next((u for u in self.s.users.values() if u.email_normalized == email_normalized), None)

    async def page(self, limit: int, offset: int) -> Page[User]:
        return _page(sorted(self.s.users.values(), key=lambda u: (u.created_at, u.id)), limit, offset)

    async def change(
        self,
        user_id: str,
        now: datetime,
        *,
        display_name: str | None = None,
        role: Role | None = None,
        password_hash: str | None = None,
        if_password_hash: str | None = None,
    ) -> User | None:
        user = self.s.users.get(user_id)
        if user is None or (if_password_hash is not None and user.password_hash != if_password_hash):
            return None
        changed = user.with_changes(now, display_name=display_name, role=role, password_hash=password_hash)
        self.s.users[user_id] = changed
        return changed

    async def delete(self, user_id: str) -> None:
        self.s.users.pop(user_id, None)
        for project_id in [p.id for p in self.s.projects.values() if p.owner_id == user_id]:
            await _Projects(self.s).delete(project_id)
        self.s.families = {k: f for k, f in self.s.families.items() if f.user_id != user_id}
        self.s.refresh_tokens = {k: t for k, t in self.s.refresh_tokens.items() if t.user_id != user_id}
        _drop_generations(self.s, {g.id for g in self.s.generations.values() if g.user_id == user_id})
        for key in [k for k in self.s.spend if k[0] == user_id]:
            del self.s.spend[key]  # in place: this unit of work's budgets repository holds the dict
        self.s.budgets.pop(user_id, None)

    async def lock(self, user_id: str) -> None:
        return None  # the unit of work already holds the one write lock


class _Tokens(TokenRepository):
    def __init__(self, s: _State) -> None:
        self.s = s

    async def add_family(self, family: TokenFamily) -> None:
        self.s.families[family.id] = family

    async def get_family(self, family_id: str) -> TokenFamily | None:
        return self.s.families.get(family_id)

    async def add_token(self, token: RefreshToken) -> None:
        self.s.refresh_tokens[token.token_hash] = token

    async def get_token(self, token_hash: str) -> RefreshToken | None:
        return self.s.refresh_tokens.get(token_hash)

    async def consume(self, token_hash: str, now: datetime) -> bool:
        token = self.s.refresh_tokens.get(token_hash)
        if token is None or token.used_at is not None:
            return False
        self.s.refresh_tokens[token_hash] = msgspec.structs.replace(token, used_at=now)
        return True

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        family = self.s.families.get(family_id)
        if family is not None and family.revoked_at is None:
            self.s.families[family_id] = msgspec.structs.replace(family, revoked_at=now)

    async def revoke_user(self, user_id: str, now: datetime) -> list[str]:
        live = [f.id for f in self.s.families.values() if f.user_id == user_id and f.alive(now)]
        for family_id in live:
            await self.revoke_family(family_id, now)
        return live

    async def revoked_since(self, since: datetime) -> list[tuple[str, datetime]]:
        return [
            (f.id, f.revoked_at) for f in self.s.families.values() if f.revoked_at and f.revoked_at > since
        ]


class _Projects(ProjectRepository):
    def __init__(self, s: _State) -> None:
        self.s = s

    async def add(self, project: Project) -> None:
        self.s.projects[project.id] = project

    async def get(self, project_id: str) -> Project | None:
        return self.s.projects.get(project_id)

    async def update(self, project: Project) -> None:
        current = self.s.projects.get(project.id)
        if current is not None:
            self.s.projects[project.id] = msgspec.structs.replace(
                project, current_version=current.current_version
            )

    async def delete(self, project_id: str) -> None:
        self.s.projects.pop(project_id, None)
        self.s.versions = {k: v for k, v in self.s.versions.items() if k[0] != project_id}
        self.s.files = {k: v for k, v in self.s.files.items() if k[0] != project_id}
        self.s.blobs = {k: v for k, v in self.s.blobs.items() if k[0] != project_id}
        self.s.sites.pop(project_id, None)  # in place: this unit of work's sites repository holds the dict
        _drop_generations(self.s, {g.id for g in self.s.generations.values() if g.project_id == project_id})

    async def page(self, owner_id: str, limit: int, offset: int) -> Page[Project]:
        mine = [p for p in self.s.projects.values() if p.owner_id == owner_id]
        return _page(sorted(mine, key=lambda p: (p.created_at, p.id), reverse=True), limit, offset)

    def _next_version(
        self, project_id: str, summary: str, generation_id: str | None, now: datetime
    ) -> Version | None:
        current = self.s.projects.get(project_id)
        if current is None:
            return None
        number = current.current_version + 1
        self.s.projects[project_id] = msgspec.structs.replace(current, current_version=number, updated_at=now)
        version = Version(number=number, generation_id=generation_id, created_at=now, summary=summary)
        self.s.versions[(project_id, number)] = version
        return version

    def _put(self, project_id: str, number: int, entry: FileEntry, data: bytes) -> None:
        self.s.blobs.setdefault((project_id, entry.sha256), data)
        self.s.files[(project_id, number, entry.path)] = entry

    def _entries(self, project_id: str, number: int) -> list[FileEntry]:
        return [f for (p, n, _), f in self.s.files.items() if p == project_id and n == number]

    async def add_version(
        self,
        project_id: str,
        files: Mapping[str, str],
        summary: str,
        generation_id: str | None,
        now: datetime,
        *,
        keep_assets: bool = False,
    ) -> Version | None:
        version = self._next_version(project_id, summary, generation_id, now)
        if version is None:
            return None
        for path, content in files.items():
            data = content.encode("utf-8")
            entry = FileEntry(
                path=path, size=len(data), content_type=content_type_for(path), sha256=sha256_hex(data)
            )
            self._put(project_id, version.number, entry, data)
        if keep_assets:
            for entry in self._entries(project_id, version.number - 1):
                if entry.is_asset and entry.path not in files:
                    self.s.files[(project_id, version.number, entry.path)] = entry
        return version

    async def change_files(
        self,
        project_id: str,
        put: Sequence[tuple[FileEntry, bytes]],
        remove: Collection[str],
        summary: str,
        now: datetime,
        base: int | None = None,
    ) -> Version | None:
        current = self.s.projects.get(project_id)
        if current is None:
            return None
        previous = current.current_version
        if base is not None and previous != base:
            raise ConflictError(
                f"The project is at version {previous} now, not {base}: reload and try again."
            )
        before = {e.path: e for e in self._entries(project_id, previous)}
        if missing := sorted(set(remove) - set(before)):
            raise NotFoundError(f"No file '{missing[0]}' in version {previous}.")
        version = self._next_version(project_id, summary, None, now)
        assert version is not None
        changed = {e.path for e, _ in put} | set(remove)
        for path, entry in before.items():
            if path not in changed:
                self.s.files[(project_id, version.number, path)] = entry
        for entry, data in put:
            self._put(project_id, version.number, entry, data)
        return version

    async def copy_version(
        self,
        project_id: str,
        source_project_id: str,
        source_version: int,
        summary: str,
        now: datetime,
        generation_id: str | None = None,
    ) -> Version | None:
        version = self._next_version(project_id, summary, generation_id, now)
        if version is None:
            return None
        for entry in self._entries(source_project_id, source_version):
            self._put(project_id, version.number, entry, self.s.blobs[(source_project_id, entry.sha256)])
        return version

    async def file_entry(self, project_id: str, version: int, path: str) -> FileEntry | None:
        return self.s.files.get((project_id, version, path))

    async def read_blob(self, project_id: str, sha256: str) -> bytes | None:
        return self.s.blobs.get((project_id, sha256))

    async def versions(self, project_id: str) -> list[Version]:
        found = [v for (p, _), v in self.s.versions.items() if p == project_id]
        return sorted(found, key=lambda v: v.number, reverse=True)

    async def files(self, project_id: str, version: int) -> list[FileEntry]:
        found = [f for (p, n, _), f in self.s.files.items() if p == project_id and n == version]
        return sorted(found, key=lambda f: f.path)

    async def read_file(self, project_id: str, version: int, path: str) -> tuple[FileEntry, bytes] | None:
        entry = self.s.files.get((project_id, version, path))
        return (entry, self.s.blobs[(project_id, entry.sha256)]) if entry else None

    async def read_all(self, project_id: str, version: int) -> dict[str, str]:
        return {
            f.path: self.s.blobs[(project_id, f.sha256)].decode("utf-8")
            for f in await self.files(project_id, version)
            if not f.is_asset
        }


class _Generations(GenerationRepository):
    def __init__(self, s: _State) -> None:
        self.s = s

    async def add_images(self, generation_id: str, images: Sequence[ReferenceImage]) -> None:
        self.s.images[generation_id] = self.s.images.get(generation_id, ()) + tuple(images)

    async def images(self, generation_id: str) -> tuple[ReferenceImage, ...]:
        return self.s.images.get(generation_id, ())

    async def add_within_limit(self, generation: Generation, limit: int) -> bool:
        running = [
            g for g in self.s.generations.values() if g.user_id == generation.user_id and not g.finished
        ]
        if len(running) >= limit:
            return False
        self.s.generations[generation.id] = generation
        self.s.last_seq[generation.id] = 0
        return True

    async def get(self, generation_id: str) -> Generation | None:
        return self.s.generations.get(generation_id)

    async def page(
        self,
        user_id: str,
        limit: int,
        offset: int,
        project_id: str | None = None,
        status: GenerationStatus | None = None,
    ) -> Page[Generation]:
        found = [
            g
            for g in self.s.generations.values()
            if g.user_id == user_id
            and (project_id is None or g.project_id == project_id)
            and (status is None or g.status is status)
        ]
        return _page(sorted(found, key=lambda g: (g.created_at, g.id), reverse=True), limit, offset)

    async def save(self, generation: Generation, expected_attempt: int) -> bool:
        stored = self.s.generations.get(generation.id)
        if stored is None or stored.attempt != expected_attempt or stored.finished:
            return False
        self.s.generations[generation.id] = msgspec.structs.replace(generation, usage=stored.usage)
        return True

    async def last_context(self, project_id: str) -> tuple[int, datetime] | None:
        found = [
            g
            for g in self.s.generations.values()
            if g.project_id == project_id and g.context_version is not None and g.started_at is not None
        ]
        if not found:
            return None
        latest = max(found, key=lambda g: (g.started_at, g.id))
        assert latest.context_version is not None
        assert latest.started_at is not None
        return latest.context_version, latest.started_at

    async def add_usage(self, generation_id: str, usage: Usage) -> None:
        stored = self.s.generations.get(generation_id)
        if stored is not None:
            self.s.generations[generation_id] = stored.add_usage(usage)

    async def totals(self) -> GenerationTotals:
        counts: dict[str, int] = {}
        usage: dict[str, Usage] = {}
        for generation in self.s.generations.values():
            counts[generation.status.value] = counts.get(generation.status.value, 0) + 1
            usage[generation.model] = usage.get(generation.model, Usage()) + generation.usage
        return GenerationTotals(by_status=counts, usage_by_model=usage)

    async def renew(self, generation_id: str, attempt: int, lease_until: datetime) -> bool:
        stored = self.s.generations.get(generation_id)
        if stored is None or stored.attempt != attempt or stored.status is not GenerationStatus.RUNNING:
            return False
        self.s.generations[generation_id] = msgspec.structs.replace(stored, lease_until=lease_until)
        return True

    async def unfinished(self, lease_expired_before: datetime | None = None) -> list[Generation]:
        found = [g for g in self.s.generations.values() if g.status in UNFINISHED]
        if lease_expired_before is not None:
            found = [
                g
                for g in found
                if (g.status is GenerationStatus.QUEUED and g.created_at < lease_expired_before)
                or (
                    g.status is GenerationStatus.RUNNING
                    and (g.lease_until is None or g.lease_until < lease_expired_before)
                )
            ]
        return sorted(found, key=lambda g: g.created_at)


class _Events(EventStore):
    def __init__(self, s: _State) -> None:
        self.s = s

    async def append(
        self, generation_id: str, attempt: int, events: Sequence[Event]
    ) -> list[StoredEvent] | None:
        generation = self.s.generations.get(generation_id)
        if generation is None or generation.attempt != attempt or generation.finished:
            return None
        first = self.s.last_seq.get(generation_id, 0) + 1
        stored = [StoredEvent(first + i, *encode(event)) for i, event in enumerate(events)]
        for event in stored:
            self.s.events[(generation_id, event.seq)] = event
        self.s.last_seq[generation_id] = first + len(events) - 1
        return stored

    async def after(self, generation_id: str, after: int, limit: int = 1000) -> list[StoredEvent]:
        last = self.s.last_seq.get(generation_id, 0)
        found = (self.s.events.get((generation_id, seq)) for seq in range(after + 1, last + 1))
        return [e for e in found if e is not None][:limit]


class InMemoryUnitOfWork(UnitOfWork):
    def __init__(self, database: InMemoryDatabase, *, readonly: bool = False) -> None:
        self._db = database
        self._readonly = readonly
        self._state: _State | None = None

    async def __aenter__(self) -> Self:
        if not self._readonly:
            await self._db.lock.acquire()
            self._state = self._db.state.copy()
        self._bind(self._state or self._db.state)
        return self

    def _bind(self, state: _State) -> None:
        self.users = _Users(state)
        self.tokens = _Tokens(state)
        self.projects = _Projects(state)
        self.generations = _Generations(state)
        self.events = _Events(state)
        self.budgets = InMemoryBudgets(state.users, state.spend, state.budgets)
        self.sites = InMemorySites(state.sites)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._readonly:
            self._state = None
            self._db.lock.release()

    async def commit(self) -> None:
        if self._state is not None:
            self._db.state = self._state
            self._state = self._db.state.copy()
            self._bind(self._state)

    async def rollback(self) -> None:
        if self._state is not None:
            self._state = self._db.state.copy()
            self._bind(self._state)


class InMemoryUnitOfWorkFactory(UnitOfWorkFactory):
    def __init__(self, database: InMemoryDatabase | None = None) -> None:
        self.database = database or InMemoryDatabase()

    def __call__(self, *, readonly: bool = False) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.database, readonly=readonly)
