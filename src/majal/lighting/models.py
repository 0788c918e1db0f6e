"""Public lighting: control cabinets, streetlights, dimming programmes, telemetry readings and work orders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from majal.db import Base
from majal.kit.audit import utcnow


class DimmingProgramme(Base):
    """Steps from dusk to dawn, each at a light level; a cabinet runs one programme for all its lamps."""

    __tablename__ = "lighting_programmes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"start": "dusk", "end": "23:00", "level": 100}]


class Cabinet(Base):
    """A control cabinet (feeder pillar): one meter, one switching clock, the lamps of its circuits."""

    __tablename__ = "lighting_cabinets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("lighting_programmes.id"), index=True)
    contracted_power_kw: Mapped[float] = mapped_column(Float, default=0.0)
    installed_on: Mapped[date | None] = mapped_column(Date)

    programme: Mapped[DimmingProgramme | None] = relationship(lazy="joined")


class Streetlight(Base):
    __tablename__ = "lighting_streetlights"
    __table_args__ = (Index("ix_lighting_streetlights_lon_lat", "lon", "lat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pole_number: Mapped[str] = mapped_column(String(40), unique=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    technology: Mapped[str] = mapped_column(String(16), index=True)  # hps, metal_halide, led
    rated_power_w: Mapped[float] = mapped_column(Float)
    dimmable: Mapped[bool] = mapped_column(Boolean, default=False)
    lantern_height_m: Mapped[float] = mapped_column(Float)
    installed_on: Mapped[date | None] = mapped_column(Date)
    cabinet_id: Mapped[int] = mapped_column(ForeignKey("lighting_cabinets.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    location_category: Mapped[str] = mapped_column(String(24))
    # The last state the controller reported (readings keep the history).
    state_on: Mapped[bool | None] = mapped_column(Boolean)
    state_level: Mapped[float | None] = mapped_column(Float)
    state_power_w: Mapped[float | None] = mapped_column(Float)
    state_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    cabinet: Mapped[Cabinet] = relationship(lazy="joined")


class Reading(Base):
    """One state message from a lamp's controller."""

    __tablename__ = "lighting_readings"
    __table_args__ = (Index("ix_lighting_readings_streetlight_at", "streetlight_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    streetlight_id: Mapped[int] = mapped_column(ForeignKey("lighting_streetlights.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    on: Mapped[bool] = mapped_column(Boolean)
    level: Mapped[float] = mapped_column(Float)
    power_w: Mapped[float] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


OPEN_WORK_ORDERS = ("open", "in_progress")  # a lamp with one of these waits for its repair


class WorkOrder(Base):
    """A fault to repair on one lamp: opened by a rule or a citizen report, closed when repaired."""

    __tablename__ = "lighting_work_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    streetlight_id: Mapped[int] = mapped_column(ForeignKey("lighting_streetlights.id", ondelete="CASCADE"),
                                                index=True)
    fault: Mapped[str] = mapped_column(String(24))  # out_at_night, lit_by_day, power_deviation, citizen_report
    status: Mapped[str] = mapped_column(String(16), index=True)  # open, in_progress, repaired, cancelled
    detail: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")

    streetlight: Mapped[Streetlight] = relationship(lazy="joined")
    links: Mapped[list[WorkOrderRequest]] = relationship(back_populates="work_order", cascade="all, delete-orphan",
                                                         lazy="selectin")


class WorkOrderRequest(Base):
    """A citizen's service request about the same pole, joined to the work order that repairs it."""

    __tablename__ = "lighting_work_order_requests"

    work_order_id: Mapped[int] = mapped_column(ForeignKey("lighting_work_orders.id", ondelete="CASCADE"),
                                               primary_key=True)
    service_request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"),
                                                    primary_key=True, index=True)
    distance_m: Mapped[float] = mapped_column(Float)

    work_order: Mapped[WorkOrder] = relationship(back_populates="links")
