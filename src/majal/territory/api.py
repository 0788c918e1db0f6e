"""Territory JSON API: the commune, its districts as GeoJSON, and point → district."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from majal.kit.openapi import error_responses
from majal.kit.web import DB
from majal.territory import service
from majal.territory.schemas import (
    CommuneOut,
    DistrictCollectionOut,
    DistrictFeatureOut,
    DistrictProperties,
    LocateOut,
)

router = APIRouter(prefix="/api/v1/territory", tags=["territory"])


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


@router.get("/commune", response_model=CommuneOut, responses=error_responses(404))
def commune(db: DB) -> CommuneOut:
    return CommuneOut.model_validate(service.commune_summary(db))


@router.get("/districts", response_model=DistrictCollectionOut, response_class=GeoJSONResponse)
def districts(db: DB) -> DistrictCollectionOut:
    """The commune's districts as an RFC 7946 FeatureCollection (WGS84 longitude/latitude)."""
    return DistrictCollectionOut(features=[DistrictFeatureOut.model_validate(shape)
                                           for shape in service.district_shapes(db)])


@router.get("/locate", response_model=LocateOut, responses=error_responses(404))
def locate(
    db: DB,
    lat: Annotated[float, Query(ge=-90, le=90, description="Latitude, WGS84 degrees", examples=[34.92])],
    lon: Annotated[float, Query(ge=-180, le=180, description="Longitude, WGS84 degrees", examples=[-2.32])],
) -> LocateOut:
    district = service.locate(db, lon, lat)
    return LocateOut(lon=lon, lat=lat, district=DistrictProperties.model_validate(service.district_figures(district)))
