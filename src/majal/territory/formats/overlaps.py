"""Neighbouring districts may share edges, not area."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer

from majal.kit.i18n import N_
from majal.territory.formats.records import DistrictFeature, TerritoryProblem


def check_no_overlaps(districts: list[DistrictFeature], tolerance_m2: float = 1.0) -> None:
    """Raise when two districts share more than `tolerance_m2` of area; shared edges and corners are fine."""
    geometries = np.array([district.geometry for district in districts], dtype=object)
    if len(geometries) < 2:
        return
    left, right = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    pairs = sorted((int(i), int(j)) for i, j in zip(left, right, strict=True) if i < j)
    if not pairs:
        return
    first, second = (np.array(side) for side in zip(*pairs, strict=True))
    overlaps = shapely.intersection(geometries[first], geometries[second])
    # Degrees² are cheap to test; only the rare real overlaps are measured in square metres.
    for k in np.flatnonzero(shapely.area(overlaps) > 0):
        area_m2 = _area_m2(overlaps[k])
        if area_m2 > tolerance_m2:
            _raise_overlap(districts[first[k]], districts[second[k]], overlaps[k], area_m2)


def _raise_overlap(a: DistrictFeature, b: DistrictFeature, overlap: Any, area_m2: float) -> None:
    point = overlap.representative_point()
    raise TerritoryProblem(
        N_(
            "Districts %(first)s and %(second)s overlap by about %(area)s m² near longitude %(lon)s, "
            "latitude %(lat)s; neighbouring districts may share edges but not area."
        ),
        first=a.code,
        second=b.code,
        area=f"{area_m2:,.0f}" if area_m2 >= 10 else f"{area_m2:.1f}",
        lon=round(point.x, 6),
        lat=round(point.y, 6),
    )


def _area_m2(geometry: Any) -> float:
    """Area in m², in a Lambert azimuthal equal-area projection centred on the geometry."""
    centre = geometry.centroid
    transformer = _equal_area_transformer(round(centre.x, 1), round(centre.y, 1))

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return float(shapely.transform(geometry, project).area)


@cache
def _equal_area_transformer(lon: float, lat: float) -> Transformer:
    crs = CRS.from_proj4(f"+proj=laea +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m +no_defs")
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)
