"""Writing districts as GeoJSON and GeoPackage, and reading them back."""

from __future__ import annotations

import json
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon

from majal.territory.formats import (
    CommuneInfo,
    DistrictFeature,
    feature_collection,
    parse_territory,
    read_geopackage,
    write_geopackage,
)
from tests.territory.formats.builders import LAT, LON, collection, encode, feature, square, two_neighbours


def test_feature_collection_round_trips_through_parse() -> None:
    territory = parse_territory(encode(two_neighbours()))
    commune = CommuneInfo("BERKANE", "بركان", "Berkane", "Berkane", LON, LAT)
    document = feature_collection(territory.districts, commune)
    assert document["type"] == "FeatureCollection"
    assert document["commune"]["centre"] == [LON, LAT]
    assert set(document["features"][0]["properties"]) == {
        "code",
        "name_ar",
        "name_fr",
        "name_en",
        "population",
    }
    again = parse_territory(json.dumps(document).encode())
    assert again.commune == commune
    for before, after in zip(territory.districts, again.districts, strict=True):
        assert (before.code, before.name_ar, before.population) == (
            after.code,
            after.name_ar,
            after.population,
        )
        assert shapely.equals_exact(before.geometry, after.geometry, tolerance=1e-7)


def test_feature_collection_rounds_coordinates_to_seven_decimals() -> None:
    ring = [[LON + 0.123456789, LAT], [LON + 1, LAT], [LON + 1, LAT + 1], [LON + 0.123456789, LAT]]
    district = DistrictFeature("D", "د", "D", "D", 1, MultiPolygon([Polygon(ring)]))
    coordinates = feature_collection([district])["features"][0]["geometry"]["coordinates"]
    assert coordinates[0][0][0] == [round(LON + 0.123456789, 7), LAT]
    assert "commune" not in feature_collection([district])


def test_geopackage_round_trip(tmp_path: Any) -> None:
    districts = parse_territory(encode(collection(
        feature("D01", name_fr="Hay Al Qods", name_ar="حي القدس", name_en="Al Qods", population=9730),
        feature("D02", [square(LON + 0.01)], population=0),
    ))).districts  # fmt: skip
    path = tmp_path / "districts.gpkg"
    write_geopackage(path, districts)
    write_geopackage(path, districts)  # writing again replaces the file rather than appending
    again = read_geopackage(path)
    assert [(d.code, d.name_ar, d.name_fr, d.name_en, d.population) for d in again] == [
        (d.code, d.name_ar, d.name_fr, d.name_en, d.population) for d in districts
    ]
    for before, after in zip(districts, again, strict=True):
        assert isinstance(after.geometry, MultiPolygon)
        assert before.geometry.equals_exact(after.geometry, tolerance=0)
