"""The synthetic demo commune."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point

from majal.territory.demo import BERKANE_CENTRE, DISTRICT_NAMES, build_demo_territory, demo_outline
from majal.territory.formats import TerritoryFile, check_no_overlaps, feature_collection, parse_territory


@pytest.fixture(scope="module")
def demo() -> TerritoryFile:
    return build_demo_territory()


def as_json(territory: TerritoryFile) -> str:
    return json.dumps(feature_collection(territory.districts, territory.commune), ensure_ascii=False)


def test_same_seed_gives_byte_identical_output(demo: TerritoryFile) -> None:
    assert as_json(build_demo_territory(2026)) == as_json(demo)
    assert as_json(build_demo_territory(7)) != as_json(demo)


def test_commune_and_twelve_named_districts(demo: TerritoryFile) -> None:
    assert demo.commune is not None
    assert (demo.commune.code, demo.commune.name_ar, demo.commune.name_fr) == ("BERKANE", "بركان", "Berkane")
    assert (demo.commune.centre_lon, demo.commune.centre_lat) == BERKANE_CENTRE
    assert [d.code for d in demo.districts] == [f"BRK-{n:02d}" for n in range(1, 13)]
    assert [(d.name_ar, d.name_fr, d.name_en) for d in demo.districts] == list(DISTRICT_NAMES)
    assert demo.districts[0].name_fr == "Hay Al Qods"


def test_first_district_lies_north_west_of_the_last(demo: TerritoryFile) -> None:
    first, last = demo.districts[0].geometry.centroid, demo.districts[-1].geometry.centroid
    assert first.x < last.x
    assert first.y > last.y


@pytest.mark.parametrize("seed", [2026, 1, 99])
def test_population_totals_exactly_110000(seed: int) -> None:
    populations = [d.population for d in build_demo_territory(seed).districts]
    assert sum(populations) == 110_000
    assert all(p > 0 for p in populations)


def test_districts_near_the_centre_are_denser(demo: TerritoryFile) -> None:
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32630", always_xy=True)
    densities = []
    for district in demo.districts:
        area = shapely.transform(district.geometry, lambda xy: np.column_stack(to_utm.transform(*xy.T))).area
        densities.append(district.population / area)
    centre = next(i for i, d in enumerate(demo.districts) if d.geometry.covers(Point(BERKANE_CENTRE)))
    assert densities[centre] > float(np.median(densities))


@pytest.mark.parametrize("seed", [2026, 3, 42])
def test_districts_tile_the_outline_without_gaps_or_overlaps(seed: int) -> None:
    geometries = [d.geometry for d in build_demo_territory(seed).districts]
    outline = demo_outline(seed)
    union = shapely.union_all(geometries)
    assert abs(union.area - outline.area) / outline.area < 1e-4
    assert union.symmetric_difference(outline).area / outline.area < 1e-4
    assert shapely.coverage_is_valid(geometries)  # shared edges use identical vertices
    check_no_overlaps(build_demo_territory(seed).districts, tolerance_m2=0.01)


def test_outline_is_about_six_by_four_and_a_half_km_around_the_centre() -> None:
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32630", always_xy=True)
    outline = demo_outline()
    minx, miny, maxx, maxy = shapely.transform(
        outline, lambda xy: np.column_stack(to_utm.transform(*xy.T))
    ).bounds
    assert 5_000 < maxx - minx < 7_500
    assert 3_500 < maxy - miny < 5_500
    assert outline.contains(Point(BERKANE_CENTRE))
    assert not shapely.equals(outline.convex_hull, outline)  # irregular, not an ellipse


def test_exactly_one_district_contains_the_centre(demo: TerritoryFile) -> None:
    assert sum(d.geometry.contains(Point(BERKANE_CENTRE)) for d in demo.districts) == 1


def test_each_district_is_valid_and_counter_clockwise(demo: TerritoryFile) -> None:
    for district in demo.districts:
        assert district.geometry.is_valid, district.code
        assert all(polygon.exterior.is_ccw for polygon in district.geometry.geoms)


def test_demo_passes_its_own_import_checks(demo: TerritoryFile) -> None:
    again = parse_territory(as_json(demo).encode("utf-8"))
    assert again.commune == demo.commune
    assert [(d.code, d.population) for d in again.districts] == [
        (d.code, d.population) for d in demo.districts
    ]
