"""Writing districts as an RFC 7946 FeatureCollection."""

from __future__ import annotations

from typing import Any

from shapely.geometry import Polygon

from majal.territory.formats.records import CommuneInfo, DistrictFeature


def feature_collection(
    districts: list[DistrictFeature], commune: CommuneInfo | None = None
) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection, coordinates rounded to 7 decimals (about 1 cm)."""
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if commune is not None:
        collection["commune"] = _commune_member(commune)
    collection["features"] = [_feature(district) for district in districts]
    return collection


def _commune_member(commune: CommuneInfo) -> dict[str, Any]:
    member: dict[str, Any] = {
        "code": commune.code,
        "name_ar": commune.name_ar,
        "name_fr": commune.name_fr,
        "name_en": commune.name_en,
    }
    if commune.centre_lon is not None and commune.centre_lat is not None:
        member["centre"] = [round(commune.centre_lon, 7), round(commune.centre_lat, 7)]
    return member


def _feature(district: DistrictFeature) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": _properties(district),
        "geometry": {
            "type": "MultiPolygon",
            "coordinates": [_polygon_coordinates(polygon) for polygon in district.geometry.geoms],
        },
    }


def _properties(district: DistrictFeature) -> dict[str, Any]:
    return {
        "code": district.code,
        "name_ar": district.name_ar,
        "name_fr": district.name_fr,
        "name_en": district.name_en,
        "population": district.population,
    }


def _polygon_coordinates(polygon: Polygon) -> list[list[list[float]]]:
    rings = [polygon.exterior, *polygon.interiors]
    return [[[round(x, 7), round(y, 7)] for x, y, *_ in ring.coords] for ring in rings]
