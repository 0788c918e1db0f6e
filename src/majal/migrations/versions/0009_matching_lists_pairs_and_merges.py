"""matching: person lists, runs, pairs and merges

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_match_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune", sa.String(length=32), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("compared", sa.Integer(), nullable=False),
        sa.Column("linked", sa.Integer(), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_match_runs")),
    )
    with op.batch_alter_table("registry_match_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_match_runs_commune"), ["commune"], unique=False)

    op.create_table(
        "registry_person_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("commune", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=120), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_person_lists")),
    )
    with op.batch_alter_table("registry_person_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_person_lists_commune"), ["commune"], unique=False)

    op.create_table(
        "registry_list_persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("commune", sa.String(length=100), nullable=False),
        sa.Column("national_id_sealed", sa.Text(), nullable=True),
        sa.Column("idcs_digest", sa.String(length=64), nullable=True),
        sa.Column("cnie_digest", sa.String(length=64), nullable=True),
        sa.Column("merged_into_member_id", sa.Integer(), nullable=True),
        sa.Column("merged_into_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["registry_person_lists.id"],
            name=op.f("fk_registry_list_persons_list_id_registry_person_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_member_id"],
            ["registry_members.id"],
            name=op.f("fk_registry_list_persons_merged_into_member_id_registry_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_person_id"],
            ["registry_list_persons.id"],
            name=op.f("fk_registry_list_persons_merged_into_person_id_registry_list_persons"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_list_persons")),
        sa.UniqueConstraint("list_id", "external_id", name=op.f("uq_registry_list_persons_list_id")),
    )
    with op.batch_alter_table("registry_list_persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_list_persons_cnie_digest"), ["cnie_digest"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_list_persons_idcs_digest"), ["idcs_digest"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_list_persons_list_id"), ["list_id"], unique=False)

    op.create_table(
        "registry_match_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("commune", sa.String(length=32), nullable=False),
        sa.Column("left_person_id", sa.Integer(), nullable=True),
        sa.Column("left_member_id", sa.Integer(), nullable=True),
        sa.Column("right_person_id", sa.Integer(), nullable=True),
        sa.Column("right_member_id", sa.Integer(), nullable=True),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("evidence", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["left_member_id"],
            ["registry_members.id"],
            name=op.f("fk_registry_match_pairs_left_member_id_registry_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["left_person_id"],
            ["registry_list_persons.id"],
            name=op.f("fk_registry_match_pairs_left_person_id_registry_list_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["right_member_id"],
            ["registry_members.id"],
            name=op.f("fk_registry_match_pairs_right_member_id_registry_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["right_person_id"],
            ["registry_list_persons.id"],
            name=op.f("fk_registry_match_pairs_right_person_id_registry_list_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["registry_match_runs.id"],
            name=op.f("fk_registry_match_pairs_run_id_registry_match_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_match_pairs")),
    )
    with op.batch_alter_table("registry_match_pairs", schema=None) as batch_op:
        batch_op.create_index("ix_registry_match_pairs_commune_status", ["commune", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_match_pairs_left_person_id"), ["left_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_match_pairs_right_person_id"), ["right_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_match_pairs_run_id"), ["run_id"], unique=False)

    op.create_table(
        "registry_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("into_person_id", sa.Integer(), nullable=True),
        sa.Column("into_member_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_by", sa.String(length=120), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undo_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["into_member_id"],
            ["registry_members.id"],
            name=op.f("fk_registry_merges_into_member_id_registry_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["into_person_id"],
            ["registry_list_persons.id"],
            name=op.f("fk_registry_merges_into_person_id_registry_list_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["registry_match_pairs.id"],
            name=op.f("fk_registry_merges_pair_id_registry_match_pairs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["registry_list_persons.id"],
            name=op.f("fk_registry_merges_person_id_registry_list_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_merges")),
    )
    with op.batch_alter_table("registry_merges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_merges_into_person_id"), ["into_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_merges_pair_id"), ["pair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_merges_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registry_merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_merges_person_id"))
        batch_op.drop_index(batch_op.f("ix_registry_merges_pair_id"))
        batch_op.drop_index(batch_op.f("ix_registry_merges_into_person_id"))

    op.drop_table("registry_merges")
    with op.batch_alter_table("registry_match_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_match_pairs_run_id"))
        batch_op.drop_index(batch_op.f("ix_registry_match_pairs_right_person_id"))
        batch_op.drop_index(batch_op.f("ix_registry_match_pairs_left_person_id"))
        batch_op.drop_index("ix_registry_match_pairs_commune_status")

    op.drop_table("registry_match_pairs")
    with op.batch_alter_table("registry_list_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_list_persons_list_id"))
        batch_op.drop_index(batch_op.f("ix_registry_list_persons_idcs_digest"))
        batch_op.drop_index(batch_op.f("ix_registry_list_persons_cnie_digest"))

    op.drop_table("registry_list_persons")
    with op.batch_alter_table("registry_person_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_person_lists_commune"))

    op.drop_table("registry_person_lists")
    with op.batch_alter_table("registry_match_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_match_runs_commune"))

    op.drop_table("registry_match_runs")
