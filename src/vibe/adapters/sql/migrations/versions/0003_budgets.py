"""Monthly token budgets: each user's spend per calendar month, and budgets set for one user.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Frozen here rather than imported, so this migration never changes when the code does.
UTC_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")
MYSQL: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spend",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("period_start", UTC_DATETIME, nullable=False),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_creation_input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_read_input_tokens", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_spend_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "period_start", name=op.f("pk_spend")),
        **MYSQL,
    )
    with op.batch_alter_table("spend", schema=None) as batch_op:
        batch_op.create_index("ix_spend_period", ["period_start"], unique=False)
    op.create_table(
        "budgets",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("monthly_tokens", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_budgets_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_budgets")),
        **MYSQL,
    )


def downgrade() -> None:
    op.drop_table("budgets")
    with op.batch_alter_table("spend", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_period")
    op.drop_table("spend")
