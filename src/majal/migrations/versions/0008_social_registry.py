"""social registry

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("commune", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("model_version", sa.String(length=80), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("comparator", sa.String(length=2), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("amount_table", sa.String(length=80), nullable=True),
        sa.Column("beneficiaries", sa.Integer(), nullable=False),
        sa.Column("total_amount", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_by", sa.String(length=120), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_cycles")),
        sa.UniqueConstraint("programme", "period", name=op.f("uq_registry_cycles_programme")),
    )
    op.create_table(
        "registry_households",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tracking_code", sa.String(length=16), nullable=False),
        sa.Column("milieu", sa.String(length=8), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("commune", sa.String(length=32), nullable=True),
        sa.Column("district", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=400), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("rooms", sa.Integer(), nullable=False),
        sa.Column("dwelling", sa.String(length=24), nullable=False),
        sa.Column("owner", sa.Boolean(), nullable=False),
        sa.Column("electricity", sa.Boolean(), nullable=False),
        sa.Column("piped_water", sa.Boolean(), nullable=False),
        sa.Column("sewer", sa.Boolean(), nullable=False),
        sa.Column("toilet", sa.Boolean(), nullable=False),
        sa.Column("bathroom", sa.Boolean(), nullable=False),
        sa.Column("kitchen", sa.Boolean(), nullable=False),
        sa.Column("phones", sa.Integer(), nullable=False),
        sa.Column("cars", sa.Integer(), nullable=False),
        sa.Column("motorcycles", sa.Integer(), nullable=False),
        sa.Column("cows", sa.Integer(), nullable=False),
        sa.Column("laptop", sa.Boolean(), nullable=False),
        sa.Column("fridge", sa.Boolean(), nullable=False),
        sa.Column("washing_machine", sa.Boolean(), nullable=False),
        sa.Column("internet", sa.Boolean(), nullable=False),
        sa.Column("land_ha", sa.Float(), nullable=False),
        sa.Column("spend_butane", sa.Float(), nullable=False),
        sa.Column("spend_water_electricity", sa.Float(), nullable=False),
        sa.Column("spend_telecom", sa.Float(), nullable=False),
        sa.Column("contact_sealed", sa.Text(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_households")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_registry_households_tracking_code")),
    )
    with op.batch_alter_table("registry_households", schema=None) as batch_op:
        batch_op.create_index("ix_registry_households_commune_verified", ["commune", "verified_at"], unique=False)

    op.create_table(
        "registry_entitlements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("monthly_amount", sa.Float(), nullable=False),
        sa.Column("birth_grant", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["registry_cycles.id"],
            name=op.f("fk_registry_entitlements_cycle_id_registry_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["registry_households.id"],
            name=op.f("fk_registry_entitlements_household_id_registry_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_entitlements")),
        sa.UniqueConstraint("cycle_id", "household_id", name=op.f("uq_registry_entitlements_cycle_id")),
    )
    with op.batch_alter_table("registry_entitlements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_entitlements_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_entitlements_household_id"), ["household_id"], unique=False)

    op.create_table(
        "registry_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("idcs_sealed", sa.Text(), nullable=False),
        sa.Column("idcs_digest", sa.String(length=64), nullable=False),
        sa.Column("cnie_sealed", sa.Text(), nullable=True),
        sa.Column("cnie_digest", sa.String(length=64), nullable=True),
        sa.Column("first_name_ar", sa.String(length=100), nullable=False),
        sa.Column("last_name_ar", sa.String(length=100), nullable=False),
        sa.Column("first_name_latin", sa.String(length=100), nullable=False),
        sa.Column("last_name_latin", sa.String(length=100), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("education", sa.String(length=16), nullable=False),
        sa.Column("diploma", sa.Boolean(), nullable=False),
        sa.Column("schooling", sa.String(length=8), nullable=False),
        sa.Column("occupation", sa.String(length=16), nullable=False),
        sa.Column("disability", sa.Boolean(), nullable=False),
        sa.Column("marital_status", sa.String(length=16), nullable=False),
        sa.Column("pension", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["registry_households.id"],
            name=op.f("fk_registry_members_household_id_registry_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_members")),
        sa.UniqueConstraint("cnie_digest", name=op.f("uq_registry_members_cnie_digest")),
        sa.UniqueConstraint("household_id", "position", name=op.f("uq_registry_members_household_id")),
        sa.UniqueConstraint("idcs_digest", name=op.f("uq_registry_members_idcs_digest")),
    )
    with op.batch_alter_table("registry_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_members_household_id"), ["household_id"], unique=False)

    op.create_table(
        "registry_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("opened_by", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("contact_sealed", sa.Text(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=120), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["registry_households.id"],
            name=op.f("fk_registry_reviews_household_id_registry_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_reviews")),
    )
    with op.batch_alter_table("registry_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_reviews_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_reviews_status"), ["status"], unique=False)

    op.create_table(
        "registry_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.String(length=400), nullable=True),
        sa.Column("new_value", sa.String(length=400), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["registry_households.id"],
            name=op.f("fk_registry_changes_household_id_registry_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["registry_members.id"],
            name=op.f("fk_registry_changes_member_id_registry_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["registry_reviews.id"],
            name=op.f("fk_registry_changes_review_id_registry_reviews"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_changes")),
    )
    with op.batch_alter_table("registry_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_changes_household_id"), ["household_id"], unique=False)

    op.create_table(
        "registry_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(length=80), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("drivers", sa.JSON(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["registry_households.id"],
            name=op.f("fk_registry_scores_household_id_registry_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["registry_reviews.id"],
            name=op.f("fk_registry_scores_review_id_registry_reviews"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_scores")),
    )
    with op.batch_alter_table("registry_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_scores_household_id"), ["household_id"], unique=False)

    op.create_table(
        "registry_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("score_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("programme", sa.String(length=16), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("comparator", sa.String(length=2), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("monthly_amount", sa.Float(), nullable=False),
        sa.Column("birth_grant", sa.Float(), nullable=False),
        sa.Column("amount_table", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["registry_households.id"],
            name=op.f("fk_registry_decisions_household_id_registry_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["score_id"],
            ["registry_scores.id"],
            name=op.f("fk_registry_decisions_score_id_registry_scores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_decisions")),
        sa.UniqueConstraint("score_id", "programme", name=op.f("uq_registry_decisions_score_id")),
    )
    with op.batch_alter_table("registry_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_decisions_household_id"), ["household_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registry_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_decisions_household_id"))

    op.drop_table("registry_decisions")
    with op.batch_alter_table("registry_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_scores_household_id"))

    op.drop_table("registry_scores")
    with op.batch_alter_table("registry_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_changes_household_id"))

    op.drop_table("registry_changes")
    with op.batch_alter_table("registry_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_reviews_status"))
        batch_op.drop_index(batch_op.f("ix_registry_reviews_household_id"))

    op.drop_table("registry_reviews")
    with op.batch_alter_table("registry_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_members_household_id"))

    op.drop_table("registry_members")
    with op.batch_alter_table("registry_entitlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_entitlements_household_id"))
        batch_op.drop_index(batch_op.f("ix_registry_entitlements_cycle_id"))

    op.drop_table("registry_entitlements")
    with op.batch_alter_table("registry_households", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_households_commune_verified")

    op.drop_table("registry_households")
    op.drop_table("registry_cycles")
