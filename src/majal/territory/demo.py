"""The synthetic demo commune: twelve districts of an imaginary Berkane, the same for the same seed.

The urban area is a smooth, irregular outline around the real centre of Berkane; districts are the Voronoi
cells of well-spread points (Lloyd relaxation), clipped to that outline. All geometry is built in metres
(UTM 30N) and brought back to lon/lat vertex by vertex with one transformer, so a vertex shared by two
districts stays the same number in both and the districts tile the outline exactly.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from sqlalchemy.orm import Session

from majal.config import Settings
from majal.territory import service
from majal.territory.formats import CommuneInfo, DistrictFeature, TerritoryFile

BERKANE_CENTRE = (-2.32, 34.92)  # lon, lat
DEMO_POPULATION = 110_000
HALF_WIDTH_M = 3000.0  # the urban area is about 6 km east-west ...
HALF_HEIGHT_M = 2250.0  # ... by 4.5 km north-south
OUTLINE_VERTICES = 96
LLOYD_ITERATIONS = 40

COMMUNE = CommuneInfo(
    code="BERKANE",
    name_ar="بركان",
    name_fr="Berkane",
    name_en="Berkane",
    centre_lon=BERKANE_CENTRE[0],
    centre_lat=BERKANE_CENTRE[1],
)

DISTRICT_NAMES: tuple[tuple[str, str, str], ...] = (  # (ar, fr, en), from north-west to south-east
    ("حي القدس", "Hay Al Qods", "Al Qods"),
    ("حي المسيرة", "Hay Al Massira", "Al Massira"),
    ("الحي الحسني", "Hay Hassani", "Hassani"),
    ("حي الأندلس", "Hay Al Andalous", "Al Andalous"),
    ("حي السلام", "Hay Salam", "Salam"),
    ("حي الأمل", "Hay Al Amal", "Al Amal"),
    ("حي النهضة", "Hay Ennahda", "Ennahda"),
    ("حي الفرح", "Hay Al Farah", "Al Farah"),
    ("حي التقدم", "Hay Takadoum", "Takadoum"),
    ("حي الوحدة", "Hay Al Wahda", "Al Wahda"),
    ("حي واد الناشف", "Hay Oued Nachef", "Oued Nachef"),
    ("الحي المحمدي", "Hay Mohammadi", "Mohammadi"),
)


def build_demo_territory(seed: int = 2026) -> TerritoryFile:
    """Twelve districts tiling the demo urban area, 110,000 inhabitants in all."""
    rng = np.random.default_rng(seed)
    outline = _outline_m(rng)
    cells = _ordered_north_west_first(_lloyd_cells(outline, rng, len(DISTRICT_NAMES)))
    populations = _populations(cells, rng)
    districts = [
        DistrictFeature(
            code=f"BRK-{number:02d}",
            name_ar=ar,
            name_fr=fr,
            name_en=en,
            population=population,
            geometry=_to_multipolygon(_to_lon_lat(cell)),
        )
        for number, (cell, population, (ar, fr, en)) in enumerate(
            zip(cells, populations, DISTRICT_NAMES, strict=True), start=1
        )
    ]
    return TerritoryFile(commune=COMMUNE, districts=districts)


def demo_outline(seed: int = 2026) -> Polygon:
    """The urban-area outline (lon/lat) that the districts of `build_demo_territory(seed)` tile."""
    outline = _to_lon_lat(_outline_m(np.random.default_rng(seed)))
    assert isinstance(outline, Polygon)
    return outline


# ----------------------------------------------------------------------------------------------------
# Geometry in metres


@cache
def _to_utm() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:32630", always_xy=True)


@cache
def _from_utm() -> Transformer:
    return Transformer.from_crs("EPSG:32630", "EPSG:4326", always_xy=True)


def _centre_m() -> tuple[float, float]:
    x, y = _to_utm().transform(*BERKANE_CENTRE)
    return float(x), float(y)


def _outline_m(rng: np.random.Generator) -> Polygon:
    """An ellipse bent by a few random low harmonics: irregular like a town, but smooth and star-shaped."""
    angles = np.linspace(0.0, 2.0 * np.pi, OUTLINE_VERTICES, endpoint=False)
    a, b = HALF_WIDTH_M, HALF_HEIGHT_M
    radius = a * b / np.hypot(b * np.cos(angles), a * np.sin(angles))
    bend = np.ones_like(angles)
    for harmonic in range(2, 7):
        amplitude = rng.uniform(0.02, 0.09) / harmonic**0.5
        bend += amplitude * np.cos(harmonic * angles + rng.uniform(0.0, 2.0 * np.pi))
    cx, cy = _centre_m()
    ring = np.column_stack([cx + radius * bend * np.cos(angles), cy + radius * bend * np.sin(angles)])
    return Polygon(ring)


def _lloyd_cells(outline: Polygon, rng: np.random.Generator, count: int) -> list[BaseGeometry]:
    """Voronoi cells clipped to the outline, after moving each seed to its cell's centroid a fixed number
    of times (Lloyd relaxation), which spreads the districts evenly."""
    points = _random_points_inside(outline, rng, count)
    cells = _clipped_cells(points, outline)
    for _ in range(LLOYD_ITERATIONS):
        points = [cell.centroid for cell in cells]
        cells = _clipped_cells(points, outline)
    return cells


def _random_points_inside(outline: Polygon, rng: np.random.Generator, count: int) -> list[Point]:
    minx, miny, maxx, maxy = outline.bounds
    points: list[Point] = []
    while len(points) < count:
        point = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if outline.contains(point):
            points.append(point)
    return points


def _clipped_cells(points: list[Point], outline: Polygon) -> list[BaseGeometry]:
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=outline)
    return [cell.intersection(outline) for cell in cells.geoms]


def _ordered_north_west_first(cells: list[BaseGeometry]) -> list[BaseGeometry]:
    # Project each centroid on the north-west -> south-east diagonal; x - y grows towards the south-east.
    return sorted(cells, key=lambda cell: (cell.centroid.x - cell.centroid.y, cell.centroid.x))


def _populations(cells: list[BaseGeometry], rng: np.random.Generator) -> list[int]:
    """Inhabitants per district: area times a density that falls away from the centre, with seeded noise."""
    cx, cy = _centre_m()
    areas = np.array([cell.area for cell in cells])
    distances = np.array([np.hypot(cell.centroid.x - cx, cell.centroid.y - cy) for cell in cells])
    density = np.exp(-distances / 2500.0) * rng.uniform(0.75, 1.25, size=len(cells))
    return _largest_remainder(areas * density, DEMO_POPULATION)


def _largest_remainder(weights: np.ndarray, total: int) -> list[int]:
    """Integers proportional to `weights` that sum exactly to `total` (Hamilton's method)."""
    quotas = weights / weights.sum() * total
    shares = np.floor(quotas).astype(np.int64)
    # A stable sort keeps ties in district order, so the result never depends on the platform's sort.
    by_remainder = np.argsort(-(quotas - shares), kind="stable")
    shares[by_remainder[: total - int(shares.sum())]] += 1
    return [int(share) for share in shares]


# ----------------------------------------------------------------------------------------------------
# Back to lon/lat


def _to_lon_lat(geometry: BaseGeometry) -> BaseGeometry:
    transformer = _from_utm()

    def transform(xy: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, transform)


def _to_multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    # A clip can also leave slivers of lower dimension in a collection; only the areas are the district.
    polygons = [part for part in shapely.get_parts(geometry) if isinstance(part, Polygon)]
    return MultiPolygon([orient(polygon, sign=1.0) for polygon in polygons])


def load(db: Session, _settings: Settings) -> bool:
    """The demo commune and its districts, once."""
    if service.overview(db).commune is not None:
        return False
    service.save_territory(db, build_demo_territory(), actor="demo")
    return True
