"""Territory GeoJSON checks, and GeoJSON / GeoPackage writing."""

from __future__ import annotations

import codecs
import json
from typing import Any

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from majal.territory.formats import (
    MAX_FILE_BYTES,
    CommuneInfo,
    DistrictFeature,
    TerritoryProblem,
    check_no_overlaps,
    feature_collection,
    parse_territory,
    read_geopackage,
    write_geopackage,
)

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
        "properties": {key: value for key, value in props.items() if value is not _MISSING},
        "geometry": {"type": "Polygon", "coordinates": rings if rings is not None else [square()]},
    }


_MISSING: Any = object()


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


# --- accepted files


def test_valid_file_gives_districts_with_every_property() -> None:
    territory = parse_territory(encode(two_neighbours()))
    assert territory.commune is None
    assert [d.code for d in territory.districts] == ["D01", "D02"]
    first = territory.districts[0]
    assert (first.name_fr, first.name_ar, first.name_en, first.population) == (
        "Quartier D01",
        "حي D01",
        "Quartier D01",  # name_en falls back to name_fr
        1000,
    )


def test_polygon_is_normalized_to_multipolygon_with_counter_clockwise_exterior() -> None:
    hole = [[LON + 0.003, LAT + 0.003], [LON + 0.003, LAT + 0.006], [LON + 0.006, LAT + 0.006],
            [LON + 0.006, LAT + 0.003], [LON + 0.003, LAT + 0.003]]  # fmt: skip
    district = parse_territory(encode(collection(feature(rings=[square(clockwise=True), hole])))).districts[0]
    assert isinstance(district.geometry, MultiPolygon)
    polygon = district.geometry.geoms[0]
    assert polygon.exterior.is_ccw
    assert not polygon.interiors[0].is_ccw
    assert polygon.area == pytest.approx(0.01**2 - 0.003**2)


def test_multipolygon_is_accepted() -> None:
    geometry = {"type": "MultiPolygon", "coordinates": [[square()], [square(LON + 0.02)]]}
    document = collection({**feature(), "geometry": geometry})
    assert len(parse_territory(encode(document)).districts[0].geometry.geoms) == 2


def test_byte_order_mark_is_accepted() -> None:
    territory = parse_territory(codecs.BOM_UTF8 + encode(two_neighbours()))
    assert len(territory.districts) == 2


def test_positions_with_height_are_accepted_and_flattened() -> None:
    ring = [[*position, 120.5] for position in square()]
    district = parse_territory(encode(collection(feature(rings=[ring])))).districts[0]
    assert not district.geometry.has_z


def test_whole_float_population_is_accepted() -> None:
    district = parse_territory(encode(collection(feature(population=1200.0)))).districts[0]
    assert district.population == 1200
    assert isinstance(district.population, int)


def test_hostile_looking_names_are_kept_as_data_unchanged() -> None:
    html, sql = "<script>alert('x')</script>", "Robert'); DROP TABLE districts;--"
    district = parse_territory(encode(collection(feature(name_fr=html, name_ar=sql, name_en="%(code)s {0}"))))
    assert (district.districts[0].name_fr, district.districts[0].name_ar) == (html, sql)
    assert district.districts[0].name_en == "%(code)s {0}"


def test_commune_member_is_read() -> None:
    commune = {"code": "BERKANE", "name_ar": "بركان", "name_fr": "Berkane", "centre": [LON, LAT]}
    territory = parse_territory(encode(collection(feature(), commune=commune)))
    assert territory.commune == CommuneInfo("BERKANE", "بركان", "Berkane", "Berkane", LON, LAT)


@pytest.mark.parametrize(
    "name",
    [
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "EPSG:4326",
        "urn:ogc:def:crs:EPSG::4326",
    ],
)
def test_wgs84_crs_member_is_accepted(name: str) -> None:
    crs = {"type": "name", "properties": {"name": name}}
    assert len(parse_territory(encode(collection(feature(), crs=crs))).districts) == 1


# --- the file as a whole


@pytest.mark.parametrize("data", [b"", b"   \n\t  \r\n", codecs.BOM_UTF8])
def test_empty_file_is_refused(data: bytes) -> None:
    assert problem_for(data).message == "The file is empty."


def test_too_large_file_is_refused_before_decoding() -> None:
    # Invalid UTF-8 throughout: only a size check made before decoding reports the size.
    problem = problem_for(b"\xff" * (MAX_FILE_BYTES + 1))
    assert "largest accepted" in problem.message
    assert problem.params["max_mb"] == 50


def test_file_at_the_size_limit_is_read() -> None:
    document = encode(two_neighbours())
    assert len(parse_territory(document + b" " * (MAX_FILE_BYTES - len(document))).districts) == 2


def test_latin1_file_is_refused_with_its_position() -> None:
    data = (
        encode(collection(feature(name_fr="Hay Él Amal", name_ar="Amal"))).decode("utf-8").encode("latin-1")
    )
    problem = problem_for(data)
    assert "UTF-8" in problem.message
    line = next(n for n, text in enumerate(data.split(b"\n"), start=1) if b"name_fr" in text)
    assert problem.params["line"] == line
    assert data.split(b"\n")[line - 1][problem.params["column"] - 1] == 0xC9  # latin-1 "É"


def test_malformed_json_gives_line_and_column() -> None:
    problem = problem_for(b'{"type": "FeatureCollection",\n  "features": [}')
    assert "not valid JSON" in problem.message
    assert (problem.params["line"], problem.params["column"]) == (2, 16)
    assert "line 2, column 16" in str(problem)


def test_deeply_nested_arrays_are_refused_cleanly() -> None:
    assert "nested too deeply" in problem_for(b"[" * 200_000).message


def test_number_with_thousands_of_digits_is_refused_cleanly() -> None:
    assert "too many digits" in problem_for(b'{"type": ' + b"9" * 5000 + b"}").message


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], "one GeoJSON object"),
        ({"type": "Feature"}, '"FeatureCollection"'),
        ({"type": "FeatureCollection"}, '"features" list'),
        ({"type": "FeatureCollection", "features": {}}, '"features" list'),
        ({"type": "FeatureCollection", "features": []}, "is empty"),
    ],
)
def test_top_level_structure_is_checked(document: Any, expected: str) -> None:
    assert expected in problem_for(encode(document)).message


def test_projected_crs_member_is_refused_naming_it() -> None:
    crs = {"type": "name", "properties": {"name": "EPSG:26191"}}
    problem = problem_for(encode(collection(feature(), crs=crs)))
    assert problem.params["crs"] == "EPSG:26191"
    assert "WGS84 longitude/latitude" in problem.message
    assert problem.where == "crs"


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


# --- properties


@pytest.mark.parametrize(("code", "expected"), [(_MISSING, "missing"), ("", "missing"), ("D 01", "not valid"),
                                                ("X" * 33, "not valid"), (12, "not valid")])  # fmt: skip
def test_bad_code_is_refused(code: Any, expected: str) -> None:
    problem = problem_for(encode(collection(feature(code))))
    assert expected in problem.message
    assert problem.where == "features[0].properties.code"


def test_duplicate_codes_are_refused_naming_the_code() -> None:
    document = collection(feature("D01"), feature("D02", [square(LON + 0.01)]), feature("D01", [square(LAT)]))
    problem = problem_for(encode(document))
    assert problem.params == {"code": "D01", "first": 0, "second": 2}
    assert problem.where == "features[2].properties.code"


@pytest.mark.parametrize("field", ["name_fr", "name_ar"])
@pytest.mark.parametrize("value", [_MISSING, "", "   ", None])
def test_missing_required_name_is_refused(field: str, value: Any) -> None:
    problem = problem_for(encode(collection(feature(**{field: value}))))
    assert problem.params == {"field": field}
    assert problem.where == f"features[0].properties.{field} (code=D01)"


@pytest.mark.parametrize("value", ["x" * 201, 42, "Hay\x00Salam"])
def test_unusable_name_is_refused(value: Any) -> None:
    assert (
        problem_for(encode(collection(feature(name_fr=value)))).where
        == "features[0].properties.name_fr (code=D01)"
    )


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (_MISSING, "missing"),
        (None, "missing"),
        (-1, "between 0 and"),
        (10_000_001, "between 0 and"),
        (12.5, "whole number"),
        (True, "whole number"),
        ("1200", "whole number"),
    ],
)
def test_bad_population_is_refused(population: Any, expected: str) -> None:
    problem = problem_for(encode(collection(feature(population=population))))
    assert expected in problem.message
    assert problem.where == "features[0].properties.population (code=D01)"


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


# --- the problem itself


def test_problem_text_fills_parameters_and_can_be_translated() -> None:
    problem = TerritoryProblem(
        "District code %(code)s appears more than once.", where="features[2]", code="D9"
    )
    assert str(problem) == "features[2]: District code D9 appears more than once."
    french = {"District code %(code)s appears more than once.": "Le code %(code)s apparaît plusieurs fois."}
    assert problem.text(french.__getitem__) == "Le code D9 apparaît plusieurs fois."


# --- writing


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
