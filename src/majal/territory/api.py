"""Territory JSON API: the commune, its districts as GeoJSON, and point → district."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from majal.kit.errors import NotFound
from majal.kit.i18n import N_, localized_name
from majal.kit.openapi import error_responses
from majal.kit.web import DB
from majal.territory import service
from majal.territory.schemas import CommuneOut, DistrictCollectionOut, LocateOut

router = APIRouter(prefix="/api/v1/territory", tags=["territory"])


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


@router.get("/commune", response_model=CommuneOut, responses=error_responses(404))
def commune(db: DB) -> dict[str, Any]:
    current = service.overview(db)
    if current.commune is None:
        raise NotFound(N_("No commune has been set up yet."))
    c = current.commune
    return {
        "code": c.code,
        "name": localized_name({"name_ar": c.name_ar, "name_fr": c.name_fr, "name_en": c.name_en}),
        "name_ar": c.name_ar,
        "name_fr": c.name_fr,
        "name_en": c.name_en,
        "centre": (c.centre_lon, c.centre_lat),
        "population": current.population,
        "district_count": len(current.districts),
    }


@router.get("/districts", response_model=DistrictCollectionOut, response_class=GeoJSONResponse)
def districts(db: DB) -> dict[str, Any]:
    """The commune's districts as an RFC 7946 FeatureCollection (WGS84 longitude/latitude)."""
    return service.districts_geojson(db)


@router.get("/locate", response_model=LocateOut, responses=error_responses(404))
def locate(
    db: DB,
    lat: Annotated[float, Query(ge=-90, le=90, description="Latitude, WGS84 degrees", examples=[34.92])],
    lon: Annotated[float, Query(ge=-180, le=180, description="Longitude, WGS84 degrees", examples=[-2.32])],
) -> dict[str, Any]:
    district = service.locate(db, lon, lat)
    return {"lon": lon, "lat": lat, "district": service.district_properties(district)}
