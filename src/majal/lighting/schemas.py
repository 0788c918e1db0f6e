"""Shapes of public lighting's messages, forms and API answers."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class LampState(BaseModel):
    """What a lamp's controller publishes on `majal/lighting/lamps/{pole number}/state`."""

    model_config = ConfigDict(extra="ignore", strict=True)

    on: bool
    level: float = Field(ge=0, le=100, description="Light level, percent of full output")
    power_w: float = Field(ge=0, le=5000, description="Power drawn, W")
    at: AwareDatetime = Field(strict=False, description="When the controller measured it (ISO 8601 with a time zone)")


class EntityOut(BaseModel):
    """An NGSI-LD entity (Smart Data Models `Streetlight` or `StreetlightControlCabinet`): its attributes are those
    of its type, as Properties, GeoProperties and Relationships (normalized) or plain values (keyValues)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="urn:ngsi-ld:{type}:{code}")
    type: str


class LampPoint(BaseModel):
    type: str = "Point"
    coordinates: list[float] = Field(description="[longitude, latitude], WGS84")


class LampProperties(BaseModel):
    pole_number: str
    state: str = Field(description="working, fault or repair")
    technology: str
    rated_power_w: float
    cabinet_id: int


class LampFeature(BaseModel):
    type: str = "Feature"
    id: int
    geometry: LampPoint
    properties: LampProperties


class LampCollection(BaseModel):
    type: str = "FeatureCollection"
    features: list[LampFeature]


@dataclass(frozen=True)
class PastWorkOrder:
    """A past fault of a lamp (by its position in the inventory), as a history to load gives it."""

    lamp_index: int
    fault: str
    opened_hours_ago: float
    repair_hours: float | None  # None: still open
    started: bool
