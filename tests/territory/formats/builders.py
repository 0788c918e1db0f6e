"""Small territory files for the format tests: squares, features and collections."""

from __future__ import annotations

import json
from typing import Any

import pytest

from majal.territory.formats import TerritoryProblem, parse_territory

LON, LAT = -2.32, 34.92


def square(
    lon: float = LON, lat: float = LAT, size: float = 0.01, clockwise: bool = False
) -> list[list[float]]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return ring[::-1] if clockwise else ring


def feature(code: str = "D01", rings: list[Any] | None = None, **properties: Any) -> dict[str, Any]:
    props = {"code": code, "name_fr": f"Quartier {code}", "name_ar": f"حي {code}", "population": 1000}
    props.update(properties)
    return {
        "type": "Feature",
        "properties": {key: value for key, value in props.items() if value is not MISSING},
        "geometry": {"type": "Polygon", "coordinates": rings if rings is not None else [square()]},
    }


MISSING: Any = object()


def collection(*features: dict[str, Any], **members: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", **members, "features": list(features) or [feature()]}


def encode(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def problem_for(data: bytes) -> TerritoryProblem:
    with pytest.raises(TerritoryProblem) as caught:
        parse_territory(data)
    return caught.value


def two_neighbours() -> dict[str, Any]:
    return collection(feature("D01"), feature("D02", [square(LON + 0.01)]))
