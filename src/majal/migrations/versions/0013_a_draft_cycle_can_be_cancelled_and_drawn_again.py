"""a draft cycle can be cancelled and its month drawn again: one live cycle per programme and period

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

LIVE = sa.text("status != 'cancelled'")


def upgrade() -> None:
    with op.batch_alter_table("registry_cycles") as batch:
        batch.drop_constraint("uq_registry_cycles_programme", type_="unique")
    op.create_index("uq_registry_cycles_programme_period", "registry_cycles", ["programme", "period"], unique=True,
                    sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    op.drop_index("uq_registry_cycles_programme_period", table_name="registry_cycles")
    op.execute("DELETE FROM registry_cycles WHERE status = 'cancelled'")  # their entitlements went when cancelled
    with op.batch_alter_table("registry_cycles") as batch:
        batch.create_unique_constraint("uq_registry_cycles_programme", ["programme", "period"])
