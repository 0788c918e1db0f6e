"""Reading a district GeoJSON file: bytes, JSON, the FeatureCollection, its commune and each district's
properties. Everything is checked before anything is returned."""

from __future__ import annotations

import codecs
import json
import unicodedata
from collections.abc import Sequence
from typing import Any

from majal.kit.i18n import N_
from majal.territory.formats.geometry import check_lon_lat, is_number, parse_geometry
from majal.territory.formats.overlaps import check_no_overlaps
from majal.territory.formats.records import (
    CODE_PATTERN,
    MAX_FILE_BYTES,
    MAX_NAME_LENGTH,
    MAX_POPULATION,
    CommuneInfo,
    DistrictFeature,
    TerritoryFile,
    TerritoryProblem,
    shown,
)

# RFC 7946 removed `crs`; older exporters still write one. These all mean WGS84 longitude/latitude.
WGS84_CRS_NAMES = frozenset(
    {"URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84", "EPSG:4326", "URN:OGC:DEF:CRS:EPSG::4326"}
)


def parse_territory(data: bytes) -> TerritoryFile:
    """Parse and check a district FeatureCollection; raise TerritoryProblem on the first problem found."""
    return parse_document(_load_json(data))


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


def parse_document(document: Any) -> TerritoryFile:
    if not isinstance(document, dict):
        raise TerritoryProblem(N_("The file must contain one GeoJSON object, a FeatureCollection."))
    if document.get("type") != "FeatureCollection":
        raise TerritoryProblem(
            N_('The file\'s "type" must be "FeatureCollection", not %(found)s.'),
            where="type",
            found=shown(document.get("type")),
        )
    check_crs(document.get("crs"))
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


def check_crs(crs: Any) -> None:
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
        crs=name if name is not None else shown(crs),
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
    if not isinstance(raw, list | tuple) or len(raw) not in (2, 3) or not all(map(is_number, raw)):
        raise TerritoryProblem(N_("The commune centre must be [longitude, latitude]."), where=where)
    lon, lat = float(raw[0]), float(raw[1])
    check_lon_lat(lon, lat, where)
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
    geometry = parse_geometry(feature.get("geometry"), f"{where}.geometry", suffix)
    return DistrictFeature(code, name_ar, name_fr, name_en, population, geometry)


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
            found=shown(raw),
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
        raise TerritoryProblem(N_("A name must be text, not %(found)s."), where=where, found=shown(raw))
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
            found=shown(raw),
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
