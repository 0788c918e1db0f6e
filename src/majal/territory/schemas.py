"""Shapes of the territory API's answers, read from the service's records (`model_validate`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class CommuneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str = Field(description="Name in the language of the request")
    name_ar: str
    name_fr: str
    name_en: str
    # A list of two, not tuple[float, float]: the same constraints without OpenAPI 3.1's `prefixItems`, which many
    # clients' generators and schemathesis (4.32) cannot read.
    centre: list[float] = Field(min_length=2, max_length=2, description="[longitude, latitude], WGS84")
    population: int
    district_count: int


class DistrictProperties(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str = Field(description="Name in the language of the request")
    name_ar: str
    name_fr: str
    name_en: str
    population: int
    area_km2: float
    density_per_km2: float


class DistrictFeatureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any]
    properties: DistrictProperties


class DistrictCollectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[DistrictFeatureOut]


class LocateOut(BaseModel):
    lon: float
    lat: float
    district: DistrictProperties
