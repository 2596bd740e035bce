"""Generations remember the version whose files their first prompt listed (the prompt-cache base).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("generations", sa.Column("context_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("generations", "context_version")
