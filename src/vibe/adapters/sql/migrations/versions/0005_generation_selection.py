"""Generations remember the elements picked in the preview that scope them (docs/api.md "Pointing at
the page"): a JSON list of ``{path, selector, html}``, null for an unscoped generation.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("generations", sa.Column("selection", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("generations", "selection")
