"""Reading a territory file: what is accepted, the file as a whole, each district's properties, and the problem
raised."""

from __future__ import annotations

import codecs
from typing import Any

import pytest
from shapely.geometry import MultiPolygon

from majal.territory.formats import MAX_FILE_BYTES, CommuneInfo, TerritoryProblem, parse_territory
from tests.territory.formats.builders import (
    LAT,
    LON,
    MISSING,
    collection,
    encode,
    feature,
    problem_for,
    square,
    two_neighbours,
)

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


# --- properties


@pytest.mark.parametrize(("code", "expected"), [(MISSING, "missing"), ("", "missing"), ("D 01", "not valid"),
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
@pytest.mark.parametrize("value", [MISSING, "", "   ", None])
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
        (MISSING, "missing"),
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


# --- the problem itself


def test_problem_text_fills_parameters_and_can_be_translated() -> None:
    problem = TerritoryProblem(
        "District code %(code)s appears more than once.", where="features[2]", code="D9"
    )
    assert str(problem) == "features[2]: District code D9 appears more than once."
    french = {"District code %(code)s appears more than once.": "Le code %(code)s apparaît plusieurs fois."}
    assert problem.text(french.__getitem__) == "Le code D9 apparaît plusieurs fois."
