"""Pydantic models of the cleanliness API; answers are read from the service's records (`model_validate`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FillIn(BaseModel):
    """A fill-level sensor reading, as the MQTT topic `majal/cleanliness/containers/{id}/fill` also carries it."""

    fill: float = Field(ge=0, le=1, description="0 = empty, 1 = full", examples=[0.62])
    at: datetime = Field(description="When it was measured (ISO 8601; UTC when no offset is given)",
                         examples=["2026-11-23T06:15:00+01:00"])


class ReadingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    container_id: int
    fill: float
    at: datetime


class EmptyingIn(BaseModel):
    """A container emptied by a crew (its truck's on-board unit or the driver's phone)."""

    at: datetime = Field(description="When it was emptied (ISO 8601)", examples=["2026-11-23T06:40:00+01:00"])
    truck: str | None = Field(default=None, max_length=32, description="The truck's code", examples=["BOM-01"])
    weight_kg: float | None = Field(default=None, ge=0, le=20_000, description="Weighed load, when the truck weighs")


class EmptyingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    container_id: int
    at: datetime


class ForecastOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    container_id: int
    code: str
    fill: float | None = Field(description="Expected fill at `at`, 0..1; null without readings")
    rate_per_day: float | None = Field(description="Fill gained per day since the last emptying")
    at: datetime
    last_fill: float | None
    last_reading_at: datetime | None
    emptied_at: datetime | None


class PlanStatusOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    day: date
    status: str = Field(description="queued, running, done or failed")
    progress: float = Field(description="0..1")
    due: int
    served: int
    distance_km: float
    weight_kg: int
    trucks_used: int
    error: str


class PlanMapOut(BaseModel):
    """The plan's routes as a GeoJSON FeatureCollection: one LineString per route (garage, containers, landfill
    visits in order) and one Point per stop, with the route number for its colour."""

    type: str = "FeatureCollection"
    features: list[dict[str, Any]]
