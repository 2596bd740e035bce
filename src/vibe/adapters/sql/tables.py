"""The SQL schema as SQLAlchemy Core tables, the same on SQLite and MySQL/MariaDB.

Domain Structs are never mapped; repositories translate rows. Constraint names are stable because
IntegrityError is turned into ConflictError by constraint name. On MySQL, columns that must compare
exactly (the normalised email, file paths) use a binary collation: MySQL's default collations fold
case and accents, which would make ``Index.html`` and ``index.html`` the same file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.types import DateTime

__all__ = [
    "blobs",
    "budgets",
    "generation_events",
    "generation_images",
    "generations",
    "metadata",
    "projects",
    "published_sites",
    "refresh_tokens",
    "spend",
    "token_families",
    "users",
    "version_files",
    "versions",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
MYSQL: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; stored naive UTC with microseconds."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "mysql":
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _exact(length: int) -> Any:
    """A VARCHAR that compares byte for byte on every backend."""
    return String(length).with_variant(
        mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql"
    )


ID = String(26)
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql")
LongBlob = LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql")

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("email_normalized", _exact(254), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("email_normalized"),
    **MYSQL,
)

token_families = Table(
    "token_families",
    metadata,
    Column("id", ID, primary_key=True),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    **MYSQL,
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("family_id", ID, ForeignKey("token_families.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
    **MYSQL,
)

projects = Table(
    "projects",
    metadata,
    Column("id", ID, primary_key=True),
    Column("owner_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("description", Text(), nullable=False),
    Column("visibility", String(16), nullable=False),
    Column("current_version", Integer(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_projects_owner_created", "owner_id", "created_at", "id"),
    **MYSQL,
)

# File contents, stored once per (project, SHA-256). Scoped by project so deleting a project frees them
# through the foreign key, and so no project can learn whether another holds the same bytes.
blobs = Table(
    "blobs",
    metadata,
    Column("project_id", ID, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer(), nullable=False),
    Column("content", LongBlob, nullable=False),
    PrimaryKeyConstraint("project_id", "sha256"),
    **MYSQL,
)

versions = Table(
    "versions",
    metadata,
    Column("project_id", ID, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer(), nullable=False),
    Column("generation_id", ID, nullable=True),
    Column("summary", Text(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("project_id", "number"),
    **MYSQL,
)

version_files = Table(
    "version_files",
    metadata,
    Column("project_id", ID, nullable=False),
    Column("version", Integer(), nullable=False),
    Column("path", _exact(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer(), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("width", Integer(), nullable=True),  # pixels, for images (assets), so listing needs no bytes
    Column("height", Integer(), nullable=True),
    PrimaryKeyConstraint("project_id", "version", "path"),
    ForeignKeyConstraint(
        ["project_id", "version"],
        ["versions.project_id", "versions.number"],
        ondelete="CASCADE",
        name="fk_version_files_versions",
    ),
    ForeignKeyConstraint(
        ["project_id", "sha256"],
        ["blobs.project_id", "blobs.sha256"],
        ondelete="CASCADE",
        name="fk_version_files_blobs",
    ),
    **MYSQL,
)

generations = Table(
    "generations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", ID, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("prompt", LongText, nullable=False),
    Column("status", String(16), nullable=False),
    Column("model", String(100), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("version", Integer(), nullable=True),
    Column("error", Text(), nullable=True),
    Column("error_code", String(64), nullable=True),
    Column("input_tokens", Integer(), nullable=False, default=0),
    Column("output_tokens", Integer(), nullable=False, default=0),
    Column("cache_creation_input_tokens", Integer(), nullable=False, default=0),
    Column("cache_read_input_tokens", Integer(), nullable=False, default=0),
    Column("checks", JSON(), nullable=False),
    Column("attempt", Integer(), nullable=False, default=0),
    Column("last_seq", Integer(), nullable=False, default=0),
    Column("lease_until", UTCDateTime(), nullable=True),
    Column("context_version", Integer(), nullable=True),
    Column("selection", JSON(), nullable=True),
    Index("ix_generations_user_status", "user_id", "status"),
    Index("ix_generations_user_created", "user_id", "created_at", "id"),
    Index("ix_generations_project_created", "project_id", "created_at"),
    Index("ix_generations_status_lease", "status", "lease_until"),
    **MYSQL,
)

generation_events = Table(
    "generation_events",
    metadata,
    Column("generation_id", ID, ForeignKey("generations.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer(), nullable=False),
    Column("name", String(32), nullable=False),
    Column("data", LongBlob, nullable=False),
    PrimaryKeyConstraint("generation_id", "seq"),
    **MYSQL,
)

# Reference images sent with a generation's prompt (docs/api.md, "Files you bring"): kept with the session
# so a retry or a takeover sends them again; never part of the site.
generation_images = Table(
    "generation_images",
    metadata,
    Column("generation_id", ID, ForeignKey("generations.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer(), nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("data", LongBlob, nullable=False),
    PrimaryKeyConstraint("generation_id", "position"),
    **MYSQL,
)

# A month's spend: one row per user and calendar month (UTC), added to in the transaction that records
# a call's usage on its session (domain.budgets).
spend = Table(
    "spend",
    metadata,
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("period_start", UTCDateTime(), nullable=False),
    Column("input_tokens", BigInteger(), nullable=False, default=0),
    Column("output_tokens", BigInteger(), nullable=False, default=0),
    Column("cache_creation_input_tokens", BigInteger(), nullable=False, default=0),
    Column("cache_read_input_tokens", BigInteger(), nullable=False, default=0),
    PrimaryKeyConstraint("user_id", "period_start"),
    Index("ix_spend_period", "period_start"),
    **MYSQL,
)

# A user's own monthly budget; no row: the default (VIBE_MONTHLY_TOKEN_BUDGET) applies.
budgets = Table(
    "budgets",
    metadata,
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("monthly_tokens", BigInteger(), nullable=False),
    **MYSQL,
)

# A project's published site (at most one): the version it serves at ``<slug>.<sites domain>``.
published_sites = Table(
    "published_sites",
    metadata,
    Column("project_id", ID, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("owner_id", ID, nullable=False),
    Column("slug", _exact(63), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("published_at", UTCDateTime(), nullable=False),
    UniqueConstraint("slug"),
    Index("ix_published_sites_published_at", "published_at"),
    **MYSQL,
)
