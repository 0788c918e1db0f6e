"""surveys with measured consumption, loaded by the programme for the targeting dashboard

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=120), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_surveys")),
    )
    op.create_table(
        "registry_survey_households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("consumption_pc", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["registry_surveys.id"],
                                name=op.f("fk_registry_survey_households_survey_id_registry_surveys"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_survey_households")),
    )
    with op.batch_alter_table("registry_survey_households", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_survey_households_survey_id"), ["survey_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registry_survey_households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_survey_households_survey_id"))
    op.drop_table("registry_survey_households")
    op.drop_table("registry_surveys")
