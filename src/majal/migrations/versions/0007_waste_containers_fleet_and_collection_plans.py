"""waste containers, fleet, fill readings and collection plans

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from majal.kit.geo import GeometryType

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cleanliness_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("distance_source", sa.String(length=16), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.Column("weight_kg", sa.Integer(), nullable=False),
        sa.Column("trucks_used", sa.Integer(), nullable=False),
        sa.Column("unserved", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cleanliness_plans")),
    )
    with op.batch_alter_table("cleanliness_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cleanliness_plans_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_cleanliness_plans_status"), ["status"], unique=False)

    op.create_table(
        "cleanliness_roads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("oneway", sa.Boolean(), nullable=False),
        sa.Column("geometry", GeometryType("LINESTRING"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cleanliness_roads")),
    )
    op.create_table(
        "cleanliness_sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("unload_minutes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cleanliness_sites")),
        sa.UniqueConstraint("code", name=op.f("uq_cleanliness_sites_code")),
    )
    op.create_table(
        "cleanliness_trucks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("capacity_kg", sa.Integer(), nullable=False),
        sa.Column("capacity_m3", sa.Float(), nullable=False),
        sa.Column("compaction", sa.Float(), nullable=False),
        sa.Column("shift_start_minutes", sa.Integer(), nullable=False),
        sa.Column("shift_minutes", sa.Integer(), nullable=False),
        sa.Column("depot_id", sa.Integer(), nullable=False),
        sa.Column("landfill_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["depot_id"], ["cleanliness_sites.id"], name=op.f("fk_cleanliness_trucks_depot_id_cleanliness_sites")
        ),
        sa.ForeignKeyConstraint(
            ["landfill_id"], ["cleanliness_sites.id"], name=op.f("fk_cleanliness_trucks_landfill_id_cleanliness_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cleanliness_trucks")),
        sa.UniqueConstraint("code", name=op.f("uq_cleanliness_trucks_code")),
    )
    with op.batch_alter_table("cleanliness_trucks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cleanliness_trucks_depot_id"), ["depot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cleanliness_trucks_landfill_id"), ["landfill_id"], unique=False)

    op.create_table(
        "cleanliness_containers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("volume_l", sa.Integer(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("frequency_days", sa.Integer(), nullable=False),
        sa.Column("window_start_minutes", sa.Integer(), nullable=True),
        sa.Column("window_end_minutes", sa.Integer(), nullable=True),
        sa.Column("last_emptied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_cleanliness_containers_district_id_districts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cleanliness_containers")),
        sa.UniqueConstraint("code", name=op.f("uq_cleanliness_containers_code")),
    )
    with op.batch_alter_table("cleanliness_containers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cleanliness_containers_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cleanliness_containers_status"), ["status"], unique=False)

    op.create_table(
        "cleanliness_plan_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("truck_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.Column("weight_kg", sa.Integer(), nullable=False),
        sa.Column("volume_l", sa.Integer(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("trips", sa.Integer(), nullable=False),
        sa.Column("stops", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["cleanliness_plans.id"],
            name=op.f("fk_cleanliness_plan_routes_plan_id_cleanliness_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["truck_id"], ["cleanliness_trucks.id"], name=op.f("fk_cleanliness_plan_routes_truck_id_cleanliness_trucks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cleanliness_plan_routes")),
    )
    with op.batch_alter_table("cleanliness_plan_routes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cleanliness_plan_routes_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cleanliness_plan_routes_truck_id"), ["truck_id"], unique=False)

    op.create_table(
        "cleanliness_emptyings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("container_id", sa.Integer(), nullable=False),
        sa.Column("truck_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["container_id"],
            ["cleanliness_containers.id"],
            name=op.f("fk_cleanliness_emptyings_container_id_cleanliness_containers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["truck_id"], ["cleanliness_trucks.id"], name=op.f("fk_cleanliness_emptyings_truck_id_cleanliness_trucks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cleanliness_emptyings")),
    )
    with op.batch_alter_table("cleanliness_emptyings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cleanliness_emptyings_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cleanliness_emptyings_container_id"), ["container_id"], unique=False)

    op.create_table(
        "cleanliness_fill_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("container_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fill", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["container_id"],
            ["cleanliness_containers.id"],
            name=op.f("fk_cleanliness_fill_readings_container_id_cleanliness_containers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cleanliness_fill_readings")),
    )
    with op.batch_alter_table("cleanliness_fill_readings", schema=None) as batch_op:
        batch_op.create_index("ix_cleanliness_fill_readings_container_at", ["container_id", "at"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("cleanliness_fill_readings", schema=None) as batch_op:
        batch_op.drop_index("ix_cleanliness_fill_readings_container_at")

    op.drop_table("cleanliness_fill_readings")
    with op.batch_alter_table("cleanliness_emptyings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cleanliness_emptyings_container_id"))
        batch_op.drop_index(batch_op.f("ix_cleanliness_emptyings_at"))

    op.drop_table("cleanliness_emptyings")
    with op.batch_alter_table("cleanliness_plan_routes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cleanliness_plan_routes_truck_id"))
        batch_op.drop_index(batch_op.f("ix_cleanliness_plan_routes_plan_id"))

    op.drop_table("cleanliness_plan_routes")
    with op.batch_alter_table("cleanliness_containers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cleanliness_containers_status"))
        batch_op.drop_index(batch_op.f("ix_cleanliness_containers_district_id"))

    op.drop_table("cleanliness_containers")
    with op.batch_alter_table("cleanliness_trucks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cleanliness_trucks_landfill_id"))
        batch_op.drop_index(batch_op.f("ix_cleanliness_trucks_depot_id"))

    op.drop_table("cleanliness_trucks")
    op.drop_table("cleanliness_sites")
    op.drop_table("cleanliness_roads")
    with op.batch_alter_table("cleanliness_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cleanliness_plans_status"))
        batch_op.drop_index(batch_op.f("ix_cleanliness_plans_day"))

    op.drop_table("cleanliness_plans")
