"""A district's geometry (rings, positions, validity) and overlaps between districts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from shapely.geometry import MultiPolygon, Polygon

from majal.territory.formats import DistrictFeature, TerritoryProblem, check_no_overlaps
from tests.territory.formats.builders import LAT, LON, collection, encode, feature, problem_for, square

# --- features and geometry


def test_item_that_is_not_a_feature_is_refused() -> None:
    problem = problem_for(encode(collection(feature("D01"), {"type": "Polygon", "coordinates": [square()]})))
    assert problem.where == "features[1]"


def test_point_geometry_is_refused_naming_its_type() -> None:
    document = collection({**feature("D07"), "geometry": {"type": "Point", "coordinates": [LON, LAT]}})
    problem = problem_for(encode(document))
    assert problem.params["kind"] == '"Point"'
    assert "Polygon and MultiPolygon" in problem.message
    assert problem.where == "features[0].geometry (code=D07)"


def test_missing_geometry_is_refused() -> None:
    assert "no geometry" in problem_for(encode(collection({**feature(), "geometry": None}))).message


def test_problem_names_feature_index_and_code() -> None:
    document = collection(feature("D01"), feature("D02", [square(LON + 0.01)[:-1]]))
    problem = problem_for(encode(document))
    assert problem.where == "features[1].geometry.coordinates[0] (code=D02)"
    assert str(problem).startswith("features[1].geometry.coordinates[0] (code=D02): ")


def test_self_intersecting_bow_tie_is_refused_with_its_location() -> None:
    bow_tie = [[LON, LAT], [LON + 0.01, LAT + 0.01], [LON + 0.01, LAT], [LON, LAT + 0.01], [LON, LAT]]
    problem = problem_for(encode(collection(feature(rings=[bow_tie]))))
    assert "crosses itself" in problem.message
    assert float(problem.params["lon"]) == pytest.approx(LON + 0.005)
    assert float(problem.params["lat"]) == pytest.approx(LAT + 0.005)


def test_overlapping_parts_of_a_multipolygon_are_refused() -> None:
    geometry = {"type": "MultiPolygon", "coordinates": [[square()], [square(LON + 0.005)]]}
    problem = problem_for(encode(collection({**feature(), "geometry": geometry})))
    assert problem.where == "features[0].geometry (code=D01)"
    assert (float(problem.params["lon"]), float(problem.params["lat"])) == pytest.approx(
        (LON + 0.005, LAT + 0.01)
    )


def test_unclosed_ring_is_refused_not_repaired() -> None:
    problem = problem_for(encode(collection(feature(rings=[square()[:-1]]))))
    assert "not closed" in problem.message


def test_ring_with_three_positions_is_refused() -> None:
    ring = [[LON, LAT], [LON + 0.01, LAT], [LON, LAT]]
    problem = problem_for(encode(collection(feature(rings=[ring]))))
    assert problem.params["count"] == 3


@pytest.mark.parametrize(
    "position",
    [
        ["-2.32", 34.92],
        [True, 34.92],
        [-2.32],
        [-2.32, 34.92, 0, 0],
        None,
        [-2.32, float("nan")],
        [10**400, 0],
    ],
)
def test_malformed_positions_are_refused(position: Any) -> None:
    ring = square()
    ring[1] = position
    problem = problem_for(json.dumps(collection(feature(rings=[ring]))).encode())
    assert problem.where == "features[0].geometry.coordinates[0][1] (code=D01)"
    assert "position" in problem.message


@pytest.mark.parametrize(
    ("coordinates", "path"),
    [
        (None, ""),
        ([], ""),
        ("POLYGON ((0 0))", ""),
        ([[]], "[0]"),
        ([[[[LON, LAT]]]], "[0][0]"),  # one level too deep, as a MultiPolygon labelled Polygon
    ],
)
def test_malformed_coordinate_arrays_are_refused(coordinates: Any, path: str) -> None:
    document = collection({**feature(), "geometry": {"type": "Polygon", "coordinates": coordinates}})
    problem = problem_for(encode(document))
    assert problem.where == f"features[0].geometry.coordinates{path} (code=D01)"


def test_longitude_out_of_range_is_refused() -> None:
    problem = problem_for(encode(collection(feature(rings=[square(lon=179.995)]))))
    assert "out of range" in problem.message
    assert problem.params["lon"] == pytest.approx(180.005)


def test_swapped_latitude_and_longitude_get_a_hint() -> None:
    problem = problem_for(encode(collection(feature(rings=[square(lon=34.92, lat=120.0)]))))
    assert "swapped" in problem.message


def test_projected_metres_get_a_hint() -> None:
    problem = problem_for(
        encode(collection(feature(rings=[square(lon=580_000.0, lat=3_864_000.0, size=500)])))
    )
    assert "projected metres" in problem.message
    assert "EPSG:4326" in problem.message


# --- overlaps


def test_overlapping_districts_are_refused_naming_both_codes() -> None:
    problem = problem_for(encode(collection(feature("D01"), feature("D02", [square(LON + 0.005)]))))
    assert (problem.params["first"], problem.params["second"]) == ("D01", "D02")
    assert "overlap" in problem.message
    # 0.005° x 0.01° at 35° N is about 456 m x 1,110 m.
    assert int(problem.params["area"].replace(",", "")) == pytest.approx(506_000, rel=0.02)


def test_district_inside_another_is_an_overlap() -> None:
    inner = [[LON + 0.002, LAT + 0.002], [LON + 0.004, LAT + 0.002], [LON + 0.004, LAT + 0.004],
             [LON + 0.002, LAT + 0.004], [LON + 0.002, LAT + 0.002]]  # fmt: skip
    problem = problem_for(encode(collection(feature("OUT"), feature("IN", [inner]))))
    assert {problem.params["first"], problem.params["second"]} == {"OUT", "IN"}


def test_overlap_below_the_tolerance_is_allowed() -> None:
    sliver = 1e-7  # about 1 cm x 1.1 km = 11 m²
    a = DistrictFeature("A", "أ", "A", "A", 1, MultiPolygon([Polygon(square())]))
    b = DistrictFeature("B", "ب", "B", "B", 1, MultiPolygon([Polygon(square(LON + 0.01 - sliver))]))
    check_no_overlaps([a, b], tolerance_m2=20.0)
    with pytest.raises(TerritoryProblem):
        check_no_overlaps([a, b], tolerance_m2=5.0)
