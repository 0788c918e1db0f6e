"""Territory files: read and check district GeoJSON, write GeoJSON and GeoPackage.

A pure engine: bytes in, dataclasses out, no web framework and no database. Every problem is a
`TerritoryProblem` carrying an English msgid (marked with `N_`) and its parameters, so the caller shows it in
the user's language. Everything is checked before anything is returned: a bad file never half-imports.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from majal.kit.errors import MajalError
from majal.kit.i18n import N_

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_POPULATION = 10_000_000
MAX_NAME_LENGTH = 200
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
GEOPACKAGE_LAYER = "districts"

# RFC 7946 removed `crs`; older exporters still write one. These all mean WGS84 longitude/latitude.
WGS84_CRS_NAMES = frozenset(
    {"URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84", "EPSG:4326", "URN:OGC:DEF:CRS:EPSG::4326"}
)

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


@dataclass(frozen=True)
class CommuneInfo:
    code: str
    name_ar: str
    name_fr: str
    name_en: str
    centre_lon: float | None = None
    centre_lat: float | None = None


@dataclass(frozen=True)
class DistrictFeature:
    code: str
    name_ar: str
    name_fr: str
    name_en: str
    population: int
    geometry: MultiPolygon  # WGS84 lon/lat, valid, exterior rings counter-clockwise (RFC 7946)


@dataclass(frozen=True)
class TerritoryFile:
    commune: CommuneInfo | None
    districts: list[DistrictFeature]


class TerritoryProblem(MajalError):
    """A problem in a territory file. `where` locates it in JSON-path style, e.g. 'features[3].geometry
    (code=D03)', so it needs no translation."""

    code = "invalid_territory"

    def __init__(self, message: str, where: str | None = None, **params: Any) -> None:
        super().__init__(message, where=where, **params)

    def text(self, translate: Callable[[str], str] | None = None) -> str:
        """The message with its parameters filled, translated by `translate` (a gettext) when given."""
        template = translate(self.message) if translate else self.message
        return template % self.params if self.params else template


# ----------------------------------------------------------------------------------------------------
# Reading


def parse_territory(data: bytes) -> TerritoryFile:
    """Parse and check a district FeatureCollection; raise TerritoryProblem on the first problem found."""
    return _parse_document(_load_json(data))


def check_size(size: int) -> None:
    """Refuse an oversized file; callers holding a file check its size before reading it."""
    if size > MAX_FILE_BYTES:
        raise TerritoryProblem(
            N_("The file is %(size_mb)s MB; the largest accepted territory file is %(max_mb)s MB."),
            size_mb=round(size / 1024 / 1024, 1),
            max_mb=MAX_FILE_BYTES // 1024 // 1024,
        )


def _load_json(data: bytes) -> Any:
    # Size first: never decode or parse a file we are going to refuse anyway.
    check_size(len(data))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if not data.strip():
        raise TerritoryProblem(N_("The file is empty."))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(data, exc.start)
        raise TerritoryProblem(
            N_(
                "The file is not UTF-8 text: the byte at line %(line)s, column %(column)s cannot be read. "
                "Save the file again with UTF-8 encoding."
            ),
            line=line,
            column=column,
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TerritoryProblem(
            N_("The file is not valid JSON: %(detail)s at line %(line)s, column %(column)s."),
            detail=exc.msg,
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise TerritoryProblem(
            N_("The file is not valid GeoJSON: its arrays are nested too deeply.")
        ) from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise TerritoryProblem(N_("The file is not valid JSON: a number has far too many digits.")) from None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _parse_document(document: Any) -> TerritoryFile:
    if not isinstance(document, dict):
        raise TerritoryProblem(N_("The file must contain one GeoJSON object, a FeatureCollection."))
    if document.get("type") != "FeatureCollection":
        raise TerritoryProblem(
            N_('The file\'s "type" must be "FeatureCollection", not %(found)s.'),
            where="type",
            found=_show(document.get("type")),
        )
    _check_crs(document.get("crs"))
    commune = _parse_commune(document["commune"]) if document.get("commune") is not None else None
    features = document.get("features")
    if not isinstance(features, list | tuple):
        raise TerritoryProblem(N_('The file has no "features" list.'), where="features")
    if not features:
        raise TerritoryProblem(N_('The file has no districts: "features" is empty.'), where="features")
    districts = [_parse_feature(index, feature) for index, feature in enumerate(features)]
    _check_unique_codes(districts)
    check_no_overlaps(districts)
    return TerritoryFile(commune=commune, districts=districts)


def _show(value: Any) -> str:
    """A short, safe rendering of an unexpected value for a message."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_crs(crs: Any) -> None:
    if crs is None:
        return
    name = _crs_name(crs)
    if name is not None and name.strip().upper() in WGS84_CRS_NAMES:
        return
    raise TerritoryProblem(
        N_(
            "The file declares the coordinate reference system %(crs)s. Coordinates must be WGS84 "
            "longitude/latitude (EPSG:4326): export the layer again in EPSG:4326."
        ),
        where="crs",
        crs=name if name is not None else _show(crs),
    )


def _crs_name(crs: Any) -> str | None:
    if not isinstance(crs, dict) or not isinstance(crs.get("properties"), dict):
        return None
    properties = crs["properties"]
    if crs.get("type") == "name" and isinstance(properties.get("name"), str):
        return str(properties["name"])
    if crs.get("type") == "EPSG" and isinstance(properties.get("code"), int | str):  # GeoJSON 2008 style
        return f"EPSG:{properties['code']}"
    return None


def _parse_commune(raw: Any) -> CommuneInfo:
    if not isinstance(raw, dict):
        raise TerritoryProblem(N_('"commune" must be an object with code and names.'), where="commune")
    code = _code(raw.get("code"), "commune.code")
    name_fr = _name(raw.get("name_fr"), "commune.name_fr", "name_fr")
    name_ar = _name(raw.get("name_ar"), "commune.name_ar", "name_ar")
    name_en = _optional_name(raw.get("name_en"), "commune.name_en") or name_fr
    lon, lat = _centre(raw.get("centre"))
    return CommuneInfo(code, name_ar, name_fr, name_en, centre_lon=lon, centre_lat=lat)


def _centre(raw: Any) -> tuple[float | None, float | None]:
    if raw is None:
        return None, None
    where = "commune.centre"
    if not isinstance(raw, list | tuple) or len(raw) not in (2, 3) or not all(map(_is_number, raw)):
        raise TerritoryProblem(N_("The commune centre must be [longitude, latitude]."), where=where)
    lon, lat = float(raw[0]), float(raw[1])
    _check_lon_lat(lon, lat, where)
    return lon, lat


def _parse_feature(index: int, feature: Any) -> DistrictFeature:
    where = f"features[{index}]"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise TerritoryProblem(N_('Each item of "features" must be a GeoJSON Feature.'), where=where)
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        raise TerritoryProblem(
            N_("The district has no properties; it needs code, name_fr, name_ar and population."),
            where=f"{where}.properties",
        )
    code = _code(properties.get("code"), f"{where}.properties.code")
    prefix = f"{where}.properties"
    suffix = f" (code={code})"
    name_fr = _name(properties.get("name_fr"), f"{prefix}.name_fr{suffix}", "name_fr")
    name_ar = _name(properties.get("name_ar"), f"{prefix}.name_ar{suffix}", "name_ar")
    name_en = _optional_name(properties.get("name_en"), f"{prefix}.name_en{suffix}") or name_fr
    population = _population(properties.get("population"), f"{prefix}.population{suffix}")
    geometry = _parse_geometry(feature.get("geometry"), f"{where}.geometry", suffix)
    return DistrictFeature(code, name_ar, name_fr, name_en, population, geometry)


# ----------------------------------------------------------------------------------------------------
# Properties


def _code(raw: Any, where: str) -> str:
    if raw is None or raw == "":
        raise TerritoryProblem(
            N_('The "code" property is missing; every district needs a code.'), where=where
        )
    if not isinstance(raw, str) or not CODE_PATTERN.fullmatch(raw):
        raise TerritoryProblem(
            N_(
                'The "code" property %(found)s is not valid: use 1 to 32 letters, digits, "-" or "_" '
                "(no spaces)."
            ),
            where=where,
            found=_show(raw),
        )
    return raw


def _name(raw: Any, where: str, field: str) -> str:
    value = _optional_name(raw, where)
    if value is None:
        raise TerritoryProblem(N_('The "%(field)s" property is missing or empty.'), where=where, field=field)
    return value


def _optional_name(raw: Any, where: str) -> str | None:
    """A name stored as given (surrounding spaces trimmed); None when absent or blank."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise TerritoryProblem(N_("A name must be text, not %(found)s."), where=where, found=_show(raw))
    value = raw.strip()
    if len(value) > MAX_NAME_LENGTH:
        raise TerritoryProblem(
            N_("A name is %(length)s characters long; the limit is %(limit)s."),
            where=where,
            length=len(value),
            limit=MAX_NAME_LENGTH,
        )
    # Control characters (NUL, escape ...) break CSV exports and terminals and are never part of a real name.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise TerritoryProblem(N_("A name contains control characters."), where=where)
    return value or None


def _population(raw: Any, where: str) -> int:
    if raw is None:
        raise TerritoryProblem(
            N_('The "population" property is missing; give the number of inhabitants.'), where=where
        )
    # Many GIS tools write whole numbers as 1200.0; that is accepted, 1200.5 is not.
    whole = isinstance(raw, int) or (isinstance(raw, float) and raw.is_integer())
    if isinstance(raw, bool) or not whole:
        raise TerritoryProblem(
            N_('The "population" property must be a whole number, not %(found)s.'),
            where=where,
            found=_show(raw),
        )
    population = int(raw)
    if not 0 <= population <= MAX_POPULATION:
        raise TerritoryProblem(
            N_('The "population" property is %(found)s; it must be between 0 and %(limit)s.'),
            where=where,
            found=population,
            limit=MAX_POPULATION,
        )
    return population


def _check_unique_codes(districts: Sequence[DistrictFeature]) -> None:
    seen: dict[str, int] = {}
    for index, district in enumerate(districts):
        first = seen.setdefault(district.code, index)
        if first != index:
            raise TerritoryProblem(
                N_("District code %(code)s appears more than once (features %(first)s and %(second)s)."),
                where=f"features[{index}].properties.code",
                code=district.code,
                first=first,
                second=index,
            )


# ----------------------------------------------------------------------------------------------------
# Geometry


def _parse_geometry(raw: Any, where: str, suffix: str) -> MultiPolygon:
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
            kind=_show(kind),
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
            found=_show(position),
        )
    if not all(map(_is_number, position)):
        raise TerritoryProblem(
            N_("A position must contain finite numbers only, not %(found)s."),
            where=where,
            found=_show(position),
        )


def _is_number(value: Any) -> bool:
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
        _check_lon_lat(float(xy[index, 0]), float(xy[index, 1]), f"{where}[{index}]{suffix}")


def _check_lon_lat(lon: float, lat: float, where: str) -> None:
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


# ----------------------------------------------------------------------------------------------------
# Overlaps


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


# ----------------------------------------------------------------------------------------------------
# Writing


def feature_collection(
    districts: list[DistrictFeature], commune: CommuneInfo | None = None
) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection, coordinates rounded to 7 decimals (about 1 cm)."""
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if commune is not None:
        collection["commune"] = _commune_member(commune)
    collection["features"] = [_feature(district) for district in districts]
    return collection


def _commune_member(commune: CommuneInfo) -> dict[str, Any]:
    member: dict[str, Any] = {
        "code": commune.code,
        "name_ar": commune.name_ar,
        "name_fr": commune.name_fr,
        "name_en": commune.name_en,
    }
    if commune.centre_lon is not None and commune.centre_lat is not None:
        member["centre"] = [round(commune.centre_lon, 7), round(commune.centre_lat, 7)]
    return member


def _feature(district: DistrictFeature) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": _properties(district),
        "geometry": {
            "type": "MultiPolygon",
            "coordinates": [_polygon_coordinates(polygon) for polygon in district.geometry.geoms],
        },
    }


def _properties(district: DistrictFeature) -> dict[str, Any]:
    return {
        "code": district.code,
        "name_ar": district.name_ar,
        "name_fr": district.name_fr,
        "name_en": district.name_en,
        "population": district.population,
    }


def _polygon_coordinates(polygon: Polygon) -> list[list[list[float]]]:
    rings = [polygon.exterior, *polygon.interiors]
    return [[[round(x, 7), round(y, 7)] for x, y, *_ in ring.coords] for ring in rings]


def write_geopackage(path: str | Path, districts: list[DistrictFeature]) -> None:
    """Write a GeoPackage with one layer, "districts" (EPSG:4326, MultiPolygon), replacing any such file."""
    import pyogrio.raw  # imported here: GDAL loads slowly and most callers never write GeoPackages

    Path(path).unlink(missing_ok=True)
    pyogrio.raw.write(
        str(path),
        geometry=np.array([shapely.to_wkb(d.geometry) for d in districts], dtype=object),
        field_data=[
            np.array([d.code for d in districts], dtype=object),
            np.array([d.name_ar for d in districts], dtype=object),
            np.array([d.name_fr for d in districts], dtype=object),
            np.array([d.name_en for d in districts], dtype=object),
            np.array([d.population for d in districts], dtype=np.int64),
        ],
        fields=["code", "name_ar", "name_fr", "name_en", "population"],
        layer=GEOPACKAGE_LAYER,
        driver="GPKG",
        geometry_type="MultiPolygon",
        crs="EPSG:4326",
        encoding="UTF-8",
    )


def read_geopackage(path: str | Path) -> list[DistrictFeature]:
    """Read the "districts" layer of a GeoPackage and check it exactly like a GeoJSON file."""
    import pyogrio.raw

    meta, _fids, geometries, fields = pyogrio.raw.read(str(path), layer=GEOPACKAGE_LAYER)
    _check_crs({"type": "name", "properties": {"name": meta.get("crs") or "unknown"}})
    columns = {name: values.tolist() for name, values in zip(meta["fields"], fields, strict=True)}
    shapes = shapely.from_wkb(geometries)
    features = [
        {
            "type": "Feature",
            "properties": {name: values[i] for name, values in columns.items()},
            "geometry": shapely.geometry.mapping(shape) if shape is not None else None,
        }
        for i, shape in enumerate(shapes)
    ]
    return _parse_document({"type": "FeatureCollection", "features": features}).districts
