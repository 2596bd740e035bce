"""Published sites: a project's chosen version served at its own host name.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Frozen here rather than imported, so this migration never changes when the code does.
UTC_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")
EXACT_63 = sa.String(63).with_variant(mysql.VARCHAR(63, charset="utf8mb4", collation="utf8mb4_bin"), "mysql")
MYSQL: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_sites",
        sa.Column("project_id", sa.String(length=26), nullable=False),
        sa.Column("owner_id", sa.String(length=26), nullable=False),
        sa.Column("slug", EXACT_63, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_published_sites_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_published_sites")),
        sa.UniqueConstraint("slug", name=op.f("uq_published_sites_slug")),
        **MYSQL,
    )
    with op.batch_alter_table("published_sites", schema=None) as batch_op:
        batch_op.create_index("ix_published_sites_published_at", ["published_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("published_sites", schema=None) as batch_op:
        batch_op.drop_index("ix_published_sites_published_at")
    op.drop_table("published_sites")
