"""streetlights, cabinets, dimming programmes, readings and work orders

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lighting_programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lighting_programmes")),
        sa.UniqueConstraint("code", name=op.f("uq_lighting_programmes_code")),
    )
    op.create_table(
        "lighting_cabinets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("contracted_power_kw", sa.Float(), nullable=False),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_lighting_cabinets_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["lighting_programmes.id"],
            name=op.f("fk_lighting_cabinets_programme_id_lighting_programmes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lighting_cabinets")),
        sa.UniqueConstraint("code", name=op.f("uq_lighting_cabinets_code")),
    )
    with op.batch_alter_table("lighting_cabinets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lighting_cabinets_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lighting_cabinets_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "lighting_streetlights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pole_number", sa.String(length=40), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("technology", sa.String(length=16), nullable=False),
        sa.Column("rated_power_w", sa.Float(), nullable=False),
        sa.Column("dimmable", sa.Boolean(), nullable=False),
        sa.Column("lantern_height_m", sa.Float(), nullable=False),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("cabinet_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("location_category", sa.String(length=24), nullable=False),
        sa.Column("state_on", sa.Boolean(), nullable=True),
        sa.Column("state_level", sa.Float(), nullable=True),
        sa.Column("state_power_w", sa.Float(), nullable=True),
        sa.Column("state_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cabinet_id"], ["lighting_cabinets.id"], name=op.f("fk_lighting_streetlights_cabinet_id_lighting_cabinets")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_lighting_streetlights_district_id_districts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lighting_streetlights")),
        sa.UniqueConstraint("pole_number", name=op.f("uq_lighting_streetlights_pole_number")),
    )
    with op.batch_alter_table("lighting_streetlights", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lighting_streetlights_cabinet_id"), ["cabinet_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lighting_streetlights_district_id"), ["district_id"], unique=False)
        batch_op.create_index("ix_lighting_streetlights_lon_lat", ["lon", "lat"], unique=False)
        batch_op.create_index(batch_op.f("ix_lighting_streetlights_technology"), ["technology"], unique=False)

    op.create_table(
        "lighting_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("streetlight_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on", sa.Boolean(), nullable=False),
        sa.Column("level", sa.Float(), nullable=False),
        sa.Column("power_w", sa.Float(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["streetlight_id"],
            ["lighting_streetlights.id"],
            name=op.f("fk_lighting_readings_streetlight_id_lighting_streetlights"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lighting_readings")),
    )
    with op.batch_alter_table("lighting_readings", schema=None) as batch_op:
        batch_op.create_index("ix_lighting_readings_streetlight_at", ["streetlight_id", "at"], unique=False)

    op.create_table(
        "lighting_work_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("streetlight_id", sa.Integer(), nullable=False),
        sa.Column("fault", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["streetlight_id"],
            ["lighting_streetlights.id"],
            name=op.f("fk_lighting_work_orders_streetlight_id_lighting_streetlights"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lighting_work_orders")),
    )
    with op.batch_alter_table("lighting_work_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lighting_work_orders_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_lighting_work_orders_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_lighting_work_orders_streetlight_id"), ["streetlight_id"], unique=False)

    op.create_table(
        "lighting_work_order_requests",
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("service_request_id", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_request_id"],
            ["service_requests.id"],
            name=op.f("fk_lighting_work_order_requests_service_request_id_service_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["lighting_work_orders.id"],
            name=op.f("fk_lighting_work_order_requests_work_order_id_lighting_work_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_order_id", "service_request_id", name=op.f("pk_lighting_work_order_requests")),
    )
    with op.batch_alter_table("lighting_work_order_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lighting_work_order_requests_service_request_id"), ["service_request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lighting_work_order_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lighting_work_order_requests_service_request_id"))

    op.drop_table("lighting_work_order_requests")
    with op.batch_alter_table("lighting_work_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lighting_work_orders_streetlight_id"))
        batch_op.drop_index(batch_op.f("ix_lighting_work_orders_status"))
        batch_op.drop_index(batch_op.f("ix_lighting_work_orders_opened_at"))

    op.drop_table("lighting_work_orders")
    with op.batch_alter_table("lighting_readings", schema=None) as batch_op:
        batch_op.drop_index("ix_lighting_readings_streetlight_at")

    op.drop_table("lighting_readings")
    with op.batch_alter_table("lighting_streetlights", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lighting_streetlights_technology"))
        batch_op.drop_index("ix_lighting_streetlights_lon_lat")
        batch_op.drop_index(batch_op.f("ix_lighting_streetlights_district_id"))
        batch_op.drop_index(batch_op.f("ix_lighting_streetlights_cabinet_id"))

    op.drop_table("lighting_streetlights")
    with op.batch_alter_table("lighting_cabinets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lighting_cabinets_programme_id"))
        batch_op.drop_index(batch_op.f("ix_lighting_cabinets_district_id"))

    op.drop_table("lighting_cabinets")
    op.drop_table("lighting_programmes")
