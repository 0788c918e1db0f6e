"""Spatial helpers that behave the same on SQLite and PostgreSQL/PostGIS.

Shapes are stored as WKB (a PostGIS `geometry(...,4326)` column on PostgreSQL, a BLOB on SQLite) beside their bounding
box, so both databases can pre-filter by box in SQL; the exact test is done with Shapely (or PostGIS when present).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Dialect, LargeBinary, and_
from sqlalchemy.types import TypeDecorator, UserDefinedType

WGS84_GEOD = Geod(ellps="WGS84")


class PostGISGeometry(UserDefinedType[Any]):
    """The PostGIS column type; values travel as hex EWKB, which PostGIS reads and writes natively."""

    cache_ok = True

    def __init__(self, geometry_type: str = "GEOMETRY") -> None:
        self.geometry_type = geometry_type

    def get_col_spec(self, **_kw: Any) -> str:
        return f"geometry({self.geometry_type},4326)"


class GeometryType(TypeDecorator[BaseGeometry]):
    """A Shapely geometry in EPSG:4326, stored as a PostGIS geometry or, on SQLite, as WKB bytes."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, geometry_type: str = "GEOMETRY") -> None:
        super().__init__()
        self.geometry_type = geometry_type

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(PostGISGeometry(self.geometry_type))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: BaseGeometry | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return shapely.to_wkb(shapely.set_srid(value, 4326), hex=True, include_srid=True)
        return shapely.to_wkb(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> BaseGeometry | None:
        if value is None:
            return None
        if isinstance(value, str):
            return shapely.from_wkb(value)
        return shapely.from_wkb(bytes(value))


def valid_lon_lat(lon: float, lat: float) -> bool:
    return bool(np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90)


def bbox_contains(
    min_lon: Any, min_lat: Any, max_lon: Any, max_lat: Any, lon: float, lat: float
) -> ColumnElement[bool]:
    """SQL pre-filter: rows whose bounding box covers the point (uses the plain indexes on both databases)."""
    return and_(min_lon <= lon, max_lon >= lon, min_lat <= lat, max_lat >= lat)


def first_covering(shapes: Sequence[BaseGeometry], lon: float, lat: float) -> int | None:
    """Index of the first shape that covers the point (boundary included), or None."""
    point = shapely.Point(lon, lat)
    for index, shape in enumerate(shapes):
        if shape.covers(point):
            return index
    return None


def geodesic_area_m2(shape: BaseGeometry) -> float:
    area, _perimeter = WGS84_GEOD.geometry_area_perimeter(shape)
    return abs(area)
