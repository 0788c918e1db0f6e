"""the toy's notes: a branch of its own

Revision ID: t001
Revises:
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "t001"
down_revision = None
branch_labels = ("toy",)
depends_on = "0001"  # after the core's first revision


def upgrade() -> None:
    op.create_table("toy_notes", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("text", sa.String(200), nullable=False),
                    sa.Column("tidy", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_table("toy_notes")
