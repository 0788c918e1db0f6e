"""A district's geometry: well-formed GeoJSON (Multi)Polygons in WGS84 degrees, valid as GEOS sees them, with
the usual mistakes (projected metres, swapped axes, self-crossings) named in words."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from majal.kit.i18n import N_
from majal.territory.formats.records import TerritoryProblem, shown

# GEOS validity reasons a GIS officer meets most often, reworded; others are shown as GEOS words them.
_VALIDITY_MESSAGES = {
    "Self-intersection": N_("The outline crosses itself near longitude %(lon)s, latitude %(lat)s."),
    "Ring Self-intersection": N_("A ring touches itself near longitude %(lon)s, latitude %(lat)s."),
    "Hole lies outside shell": N_(
        "A hole lies outside its polygon near longitude %(lon)s, latitude %(lat)s."
    ),
    "Nested shells": N_(
        "One polygon of the shape lies inside another near longitude %(lon)s, latitude %(lat)s."
    ),
    "Interior is disconnected": N_(
        "Holes cut the polygon into pieces near longitude %(lon)s, latitude %(lat)s."
    ),
    "Too few points": N_("A ring has too few distinct points near longitude %(lon)s, latitude %(lat)s."),
}
_REASON_PATTERN = re.compile(r"^(?P<kind>[^\[]*)\[(?P<x>\S+) (?P<y>\S+)\]$")


def parse_geometry(raw: Any, where: str, suffix: str) -> MultiPolygon:
    if not isinstance(raw, dict) or raw.get("type") is None:
        raise TerritoryProblem(N_("The district has no geometry."), where=where + suffix)
    kind = raw["type"]
    coordinates = raw.get("coordinates")
    path = f"{where}.coordinates"
    if kind == "Polygon":
        polygons = [_polygon(coordinates, path, suffix)]
    elif kind == "MultiPolygon":
        parts = _array(
            coordinates,
            path + suffix,
            N_("The coordinates are not well-formed: a MultiPolygon needs a list of polygons."),
        )
        polygons = [_polygon(part, f"{path}[{i}]", suffix) for i, part in enumerate(parts)]
    else:
        raise TerritoryProblem(
            N_("The district's geometry is a %(kind)s; only Polygon and MultiPolygon describe an area."),
            where=where + suffix,
            kind=shown(kind),
        )
    shape = MultiPolygon(polygons)
    _check_valid(shape, where + suffix)
    return MultiPolygon([orient(polygon, sign=1.0) for polygon in polygons])


def _array(raw: Any, where: str, message: str) -> Sequence[Any]:
    """A non-empty JSON array, or the problem `message`."""
    if not isinstance(raw, list | tuple) or not raw:
        raise TerritoryProblem(message, where=where)
    return raw


def _polygon(raw: Any, where: str, suffix: str) -> Polygon:
    rings = _array(
        raw, where + suffix, N_("The coordinates are not well-formed: a polygon needs a list of rings.")
    )
    coords = [_ring(ring, f"{where}[{i}]", suffix) for i, ring in enumerate(rings)]
    return Polygon(coords[0], coords[1:])


def _ring(raw: Any, where: str, suffix: str) -> np.ndarray:
    message = N_("The coordinates are not well-formed: a ring needs a list of positions.")
    positions = _array(raw, where + suffix, message)
    for i, position in enumerate(positions):
        _check_position(position, f"{where}[{i}]{suffix}")
    if len(positions) < 4:
        raise TerritoryProblem(
            N_(
                "A ring has %(count)s positions; a closed ring needs at least 4 (the last repeats the first)."
            ),
            where=where + suffix,
            count=len(positions),
        )
    xy = np.array([position[:2] for position in positions], dtype=float)
    if not np.array_equal(xy[0], xy[-1]):
        raise TerritoryProblem(
            N_("A ring is not closed: its last position must repeat its first position."),
            where=where + suffix,
        )
    _check_ranges(xy, where, suffix)
    return xy


def _check_position(position: Any, where: str) -> None:
    if not isinstance(position, list | tuple) or len(position) not in (2, 3):
        raise TerritoryProblem(
            N_("A position must be [longitude, latitude] (optionally with a height), not %(found)s."),
            where=where,
            found=shown(position),
        )
    if not all(map(is_number, position)):
        raise TerritoryProblem(
            N_("A position must contain finite numbers only, not %(found)s."),
            where=where,
            found=shown(position),
        )


def is_number(value: Any) -> bool:
    # bool is an int in Python but never a coordinate; huge ints overflow float and are not finite either.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _check_ranges(xy: np.ndarray, where: str, suffix: str) -> None:
    bad = np.flatnonzero((np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90))
    if bad.size:
        index = int(bad[0])
        check_lon_lat(float(xy[index, 0]), float(xy[index, 1]), f"{where}[{index}]{suffix}")


def check_lon_lat(lon: float, lat: float, where: str) -> None:
    if abs(lon) <= 180 and abs(lat) <= 90:
        return
    if abs(lon) > 1000 or abs(lat) > 1000:
        message = N_(
            "The position (%(lon)s, %(lat)s) looks like projected metres (for example Lambert or UTM), not "
            "degrees. Coordinates must be WGS84 longitude/latitude: export the layer again in EPSG:4326."
        )
    elif abs(lon) <= 90 and abs(lat) <= 180:
        message = N_(
            "The position (%(lon)s, %(lat)s) is out of range: latitude must be between -90 and 90. "
            "Longitude and latitude may be swapped; GeoJSON puts longitude first."
        )
    else:
        message = N_(
            "The position (%(lon)s, %(lat)s) is out of range: longitude must be between -180 and 180 and "
            "latitude between -90 and 90."
        )
    raise TerritoryProblem(message, where=where, lon=lon, lat=lat)


def _check_valid(shape: MultiPolygon, where: str) -> None:
    reason = shapely.is_valid_reason(shape)
    if reason == "Valid Geometry":
        return
    match = _REASON_PATTERN.match(reason)
    if match is None:
        raise TerritoryProblem(
            N_("The district's shape is not valid: %(reason)s."), where=where, reason=reason
        )
    kind, lon, lat = match["kind"].strip(), match["x"], match["y"]
    message = _VALIDITY_MESSAGES.get(kind)
    if message is None:
        message = N_(
            "The district's shape is not valid: %(reason)s near longitude %(lon)s, latitude %(lat)s."
        )
    raise TerritoryProblem(message, where=where, reason=kind, lon=lon, lat=lat)
