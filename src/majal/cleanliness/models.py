"""Waste collection: sites (garages, landfills, transfer stations), trucks, containers, fill readings, the road
graph, daily plans with their routes, and the emptyings actually done."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from majal.db import Base
from majal.kit.audit import utcnow
from majal.kit.geo import GeometryType


class Site(Base):
    __tablename__ = "cleanliness_sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # depot | landfill | transfer
    name: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    unload_minutes: Mapped[int] = mapped_column(Integer, default=0)  # weighing and tipping a truck


class Truck(Base):
    __tablename__ = "cleanliness_trucks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    capacity_kg: Mapped[int] = mapped_column(Integer)
    capacity_m3: Mapped[float] = mapped_column(Float)  # body volume
    compaction: Mapped[float] = mapped_column(Float, default=1.0)  # loose volume a compactor packs into 1 m³
    shift_start_minutes: Mapped[int] = mapped_column(Integer)  # minutes after midnight
    shift_minutes: Mapped[int] = mapped_column(Integer)
    depot_id: Mapped[int] = mapped_column(ForeignKey("cleanliness_sites.id"), index=True)
    landfill_id: Mapped[int] = mapped_column(ForeignKey("cleanliness_sites.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    depot: Mapped[Site] = relationship(foreign_keys=[depot_id], lazy="joined")
    landfill: Mapped[Site] = relationship(foreign_keys=[landfill_id], lazy="joined")


class Container(Base):
    __tablename__ = "cleanliness_containers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(24))  # see inventory.CONTAINER_KINDS
    volume_l: Mapped[int] = mapped_column(Integer)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)  # active | damaged | removed
    street: Mapped[str] = mapped_column(String(200), default="")
    frequency_days: Mapped[int] = mapped_column(Integer, default=0)  # 0: when its fill forecast says so
    window_start_minutes: Mapped[int | None] = mapped_column(Integer)  # e.g. a market street: before 07:00
    window_end_minutes: Mapped[int | None] = mapped_column(Integer)
    last_emptied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FillReading(Base):
    __tablename__ = "cleanliness_fill_readings"
    __table_args__ = (Index("ix_cleanliness_fill_readings_container_at", "container_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    container_id: Mapped[int] = mapped_column(ForeignKey("cleanliness_containers.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fill: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(8))  # mqtt | http | demo


class Road(Base):
    __tablename__ = "cleanliness_roads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    oneway: Mapped[bool] = mapped_column(Boolean, default=False)
    geometry: Mapped[BaseGeometry] = mapped_column(GeometryType("LINESTRING"))


class CollectionPlan(Base):
    """A day's plan, computed in the background: queued → running → done (or failed)."""

    __tablename__ = "cleanliness_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    seconds: Mapped[float] = mapped_column(Float)  # search time asked for
    threshold: Mapped[float] = mapped_column(Float)  # forecast fill from which a container is due
    requested_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str] = mapped_column(Text, default="")
    distance_source: Mapped[str] = mapped_column(String(16), default="")  # roads | great_circle
    due: Mapped[int] = mapped_column(Integer, default=0)
    served: Mapped[int] = mapped_column(Integer, default=0)
    distance_m: Mapped[int] = mapped_column(Integer, default=0)
    weight_kg: Mapped[int] = mapped_column(Integer, default=0)
    trucks_used: Mapped[int] = mapped_column(Integer, default=0)
    unserved: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{container_id, code, reason}]

    routes: Mapped[list[PlanRoute]] = relationship(back_populates="plan", order_by="PlanRoute.number",
                                                   cascade="all, delete-orphan")

    @property
    def distance_km(self) -> float:
        return round(self.distance_m / 1000, 3)


class PlanRoute(Base):
    __tablename__ = "cleanliness_plan_routes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("cleanliness_plans.id", ondelete="CASCADE"), index=True)
    truck_id: Mapped[int] = mapped_column(ForeignKey("cleanliness_trucks.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    distance_m: Mapped[int] = mapped_column(Integer)
    weight_kg: Mapped[int] = mapped_column(Integer)
    volume_l: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[int] = mapped_column(Integer)
    trips: Mapped[int] = mapped_column(Integer)
    # In order: {"kind": depot|container|landfill, "id", "code", "lon", "lat", "arrival_s", "load_kg", "trip"}
    stops: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    plan: Mapped[CollectionPlan] = relationship(back_populates="routes")
    truck: Mapped[Truck] = relationship(lazy="joined")


class Emptying(Base):
    """A container actually emptied (reported by the truck's crew or its on-board unit): the plan's 'actual'."""

    __tablename__ = "cleanliness_emptyings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    container_id: Mapped[int] = mapped_column(ForeignKey("cleanliness_containers.id", ondelete="CASCADE"),
                                              index=True)
    truck_id: Mapped[int | None] = mapped_column(ForeignKey("cleanliness_trucks.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(8))  # http | demo
