"""Inventory files: containers, trucks and sites as CSV or GeoJSON, road lines as GeoJSON. A pure engine: bytes in,
checked records out, or a `MajalError` naming the row (CSV line or GeoJSON feature) and the field of the first
problem. Everything is checked before anything is returned, so a bad file never half-imports.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

import numpy as np

from majal.kit.errors import MajalError
from majal.kit.geo import valid_lon_lat
from majal.kit.i18n import N_
from majal.kit.validation import NUL_REFUSED, nul_path

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
CODE = re.compile(r"[A-Za-z0-9_.-]{1,32}")
CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")

# Container kinds: nominal volume (litres) and the time a crew takes to empty one (seconds).
CONTAINER_KINDS: dict[str, tuple[int, int]] = {
    "bin_240": (240, 40),
    "bin_660": (660, 60),
    "bin_1100": (1100, 75),
    "underground_3000": (3000, 240),
}
CONTAINER_STATUSES = ("active", "damaged", "removed")
SITE_KINDS = ("depot", "landfill", "transfer")
KINDS = ("containers", "trucks", "sites", "roads")


@dataclass(frozen=True)
class ContainerRow:
    code: str
    kind: str
    volume_l: int
    lon: float
    lat: float
    district_id: int
    status: str = "active"
    street: str = ""
    frequency_days: int = 0
    window_start: str = ""
    window_end: str = ""


@dataclass(frozen=True)
class TruckRow:
    code: str
    name: str
    capacity_kg: int
    capacity_m3: float
    compaction: float
    shift_start: str
    shift_hours: float
    depot: str
    landfill: str


@dataclass(frozen=True)
class SiteRow:
    code: str
    kind: str
    name: str
    lon: float
    lat: float
    unload_minutes: int = 0


@dataclass(frozen=True)
class RoadRow:
    name: str
    oneway: bool
    coordinates: list[tuple[float, float]]


Locate = Callable[[float, float], "int | None"]


class InventoryError(MajalError):
    code = "invalid_inventory"


def minutes(clock: str) -> int | None:
    """Minutes after midnight of an HH:MM time, None for an empty one."""
    if not clock:
        return None
    match = CLOCK.fullmatch(clock)
    assert match, clock
    return int(match.group(1)) * 60 + int(match.group(2))


def clock(minutes_after_midnight: int | None) -> str:
    if minutes_after_midnight is None:
        return ""
    return f"{minutes_after_midnight // 60:02d}:{minutes_after_midnight % 60:02d}"


# ----------------------------------------------------------------------------------------------------
# Reading


@dataclass
class _Row:
    where: str
    values: dict[str, Any]

    def text(self, field: str, required: bool = True, limit: int = 200) -> str:
        raw = self.values.get(field)
        value = "" if raw is None else str(raw).strip()
        if required and not value:
            raise InventoryError(N_("%(field)s is missing."), where=self.where, field=field)
        if len(value) > limit:
            raise InventoryError(N_("%(field)s is longer than %(limit)s characters."), where=self.where,
                                 field=field, limit=limit)
        return value

    def code(self, field: str = "code") -> str:
        value = self.text(field)
        if not CODE.fullmatch(value):
            raise InventoryError(
                N_("%(field)s must be 1 to 32 letters, digits, dots, dashes or underscores, not %(value)s."),
                where=self.where, field=field, value=value[:40])
        return value

    def number(self, field: str, low: float, high: float, whole: bool = False, default: float | None = None,
               above: bool = False) -> float:
        raw = self.text(field, required=default is None)
        if not raw:
            assert default is not None
            return default
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        ok = math.isfinite(value) and (value > low if above else value >= low) and value <= high
        if not ok or (whole and not value.is_integer()):
            message = (N_("%(field)s must be a whole number from %(low)s to %(high)s, not %(value)s.") if whole
                       else N_("%(field)s must be a number above %(low)s and at most %(high)s, not %(value)s.")
                       if above else N_("%(field)s must be a number from %(low)s to %(high)s, not %(value)s."))
            shown_low = low + 1 if whole and above else low
            raise InventoryError(message, where=self.where, field=field, low=_show(shown_low), high=_show(high),
                                 value=raw[:40])
        return value

    def choice(self, field: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.text(field, required=default is None) or (default or "")
        if value not in choices:
            raise InventoryError(N_("%(field)s must be one of %(choices)s, not %(value)s."), where=self.where,
                                 field=field, choices=", ".join(choices), value=value[:40])
        return value

    def clock(self, field: str, required: bool = False) -> str:
        value = self.text(field, required=required, limit=5)
        if value and not CLOCK.fullmatch(value):
            raise InventoryError(N_("%(field)s must be a time of day as HH:MM, not %(value)s."), where=self.where,
                                 field=field, value=value[:40])
        return value


def _show(value: float) -> str:
    return f"{value:g}"


def parse(kind: str, data: bytes, filename: str, locate: Locate | None = None) -> list[Any]:
    """Check a whole file of `kind` (CSV, or GeoJSON when it starts with `{` ) and return its rows."""
    if kind not in KINDS:
        raise InventoryError(N_("Unknown inventory kind %(kind)s: use one of %(choices)s."), kind=kind[:20],
                             choices=", ".join(KINDS))
    if len(data) > MAX_FILE_BYTES:
        raise InventoryError(N_("The file is larger than the %(limit_mb)s MB allowed."), where=filename,
                             limit_mb=MAX_FILE_BYTES // 1024 // 1024)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InventoryError(N_("The file is not UTF-8 text."), where=filename) from None
    geojson = text.lstrip().startswith("{")
    if kind == "roads":
        if not geojson:
            raise InventoryError(N_("Roads are imported from GeoJSON lines only."), where=filename)
        rows: list[Any] = [_road(row) for row in _without_nul(_features(text, filename, point=False))]
    else:
        if kind == "trucks" and geojson:
            raise InventoryError(N_("Trucks have no place on a map: import them from CSV."), where=filename)
        source = _features(text, filename, point=True) if geojson else _csv_rows(text, filename)
        reader = {"containers": lambda row: _container(row, locate), "trucks": _truck, "sites": _site}[kind]
        rows = [reader(row) for row in _without_nul(source)]
    if not rows:
        raise InventoryError(N_("The file holds no rows."), where=filename)
    if kind != "roads":
        _unique_codes(rows, filename)
    return rows


def _without_nul(rows: Iterator[_Row]) -> Iterator[_Row]:
    for row in rows:
        field = nul_path(row.values)
        if field is not None:
            raise InventoryError(NUL_REFUSED, where=f"{row.where}: {field}" if field else row.where)
        yield row


def _csv_rows(text: str, filename: str) -> Iterator[_Row]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise InventoryError(N_("The file holds no rows."), where=filename)
    for count, values in enumerate(reader, start=1):
        if count > MAX_ROWS:
            raise InventoryError(N_("The file has more than %(limit)s rows."), where=filename, limit=MAX_ROWS)
        if None in values:
            raise InventoryError(N_("This row has more values than the header has columns."),
                                 where=f"{filename}:{reader.line_num}")
        yield _Row(f"{filename}:{reader.line_num}", values)


def _features(text: str, filename: str, point: bool) -> Iterator[_Row]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InventoryError(N_("The file is not valid JSON (line %(line)s, column %(column)s)."), where=filename,
                             line=error.lineno, column=error.colno) from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise InventoryError(N_("A GeoJSON FeatureCollection with a features list is expected."), where=filename)
    if len(features) > MAX_ROWS:
        raise InventoryError(N_("The file has more than %(limit)s rows."), where=filename, limit=MAX_ROWS)
    for index, feature in enumerate(features):
        where = f"{filename}: features[{index}]"
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        properties = feature.get("properties") if isinstance(feature, dict) else None
        expected = "Point" if point else "LineString"
        if not isinstance(geometry, dict) or geometry.get("type") != expected:
            raise InventoryError(N_("geometry must be a %(type)s."), where=where, type=expected)
        values = dict(properties) if isinstance(properties, dict) else {}
        coordinates = geometry.get("coordinates")
        if point:
            if not (isinstance(coordinates, list) and len(coordinates) >= 2):
                raise InventoryError(N_("geometry must be a %(type)s."), where=where, type=expected)
            values["lon"], values["lat"] = coordinates[0], coordinates[1]
        else:
            values["coordinates"] = coordinates
        yield _Row(where, values)


def _container(row: _Row, locate: Locate | None) -> ContainerRow:
    kind = row.choice("kind", tuple(CONTAINER_KINDS))
    volume = int(row.number("volume_l", 1, 50_000, whole=True, default=CONTAINER_KINDS[kind][0]))
    lon, lat = _position(row)
    district = locate(lon, lat) if locate else 0
    if district is None:
        raise InventoryError(N_("This container lies outside the commune (longitude %(lon)s, latitude %(lat)s)."),
                             where=row.where, lon=_show(lon), lat=_show(lat))
    start, end = row.clock("window_start"), row.clock("window_end")
    if bool(start) != bool(end):
        raise InventoryError(N_("A time window needs both window_start and window_end."), where=row.where)
    if start and (minutes(start) or 0) >= (minutes(end) or 0):
        raise InventoryError(N_("window_end must come after window_start."), where=row.where)
    return ContainerRow(
        code=row.code(), kind=kind, volume_l=volume, lon=lon, lat=lat, district_id=district,
        status=row.choice("status", CONTAINER_STATUSES, default="active"), street=row.text("street", False),
        frequency_days=int(row.number("frequency_days", 0, 31, whole=True, default=0)),
        window_start=start, window_end=end,
    )


def _truck(row: _Row) -> TruckRow:
    return TruckRow(
        code=row.code(), name=row.text("name"),
        capacity_kg=int(row.number("capacity_kg", 0, 100_000, whole=True, above=True)),
        capacity_m3=row.number("capacity_m3", 0, 100, above=True),
        compaction=row.number("compaction", 1, 8, default=1.0),
        shift_start=row.clock("shift_start", required=True),
        shift_hours=row.number("shift_hours", 0, 24, above=True),
        depot=row.code("depot"), landfill=row.code("landfill"),
    )


def _site(row: _Row) -> SiteRow:
    lon, lat = _position(row)
    return SiteRow(code=row.code(), kind=row.choice("kind", SITE_KINDS), name=row.text("name"), lon=lon, lat=lat,
                   unload_minutes=int(row.number("unload_minutes", 0, 240, whole=True, default=0)))


def _position(row: _Row) -> tuple[float, float]:
    lon, lat = row.number("lon", -180, 180), row.number("lat", -90, 90)
    if not valid_lon_lat(lon, lat):
        raise InventoryError(N_("%(field)s must be a number from %(low)s to %(high)s, not %(value)s."),
                             where=row.where, field="lon", low="-180", high="180", value=_show(lon))
    return lon, lat


def _road(row: _Row) -> RoadRow:
    raw = row.values.get("coordinates")
    try:
        points = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        points = np.zeros((0, 2))
    if points.ndim != 2 or points.shape[0] < 2 or points.shape[1] < 2 or not np.isfinite(points).all():
        raise InventoryError(N_("geometry must be a %(type)s."), where=row.where, type="LineString")
    if (np.abs(points[:, 0]) > 180).any() or (np.abs(points[:, 1]) > 90).any():
        raise InventoryError(N_("Longitude must be between -180 and 180 and latitude between -90 and 90."),
                             where=row.where)
    oneway = row.values.get("oneway") in (True, "yes", "true", "1", 1)
    return RoadRow(row.text("name", required=False), oneway, [(float(x), float(y)) for x, y in points[:, :2]])


def _unique_codes(rows: list[Any], filename: str) -> None:
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        if row.code in seen:
            raise InventoryError(N_("The code %(code)s appears twice."), where=f"{filename}: {index}",
                                 code=row.code)
        seen.add(row.code)


# ----------------------------------------------------------------------------------------------------
# Writing


def columns(kind: str) -> list[str]:
    row_type = {"containers": ContainerRow, "trucks": TruckRow, "sites": SiteRow}[kind]
    return [f.name for f in fields(row_type) if f.name != "district_id"]


def to_csv(kind: str, rows: list[Any]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(kind), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(asdict(row))
    return out.getvalue().encode("utf-8")


def to_geojson(kind: str, rows: list[Any]) -> bytes:
    if kind == "trucks":
        raise InventoryError(N_("Trucks have no place on a map: export them as CSV."))
    features = []
    for row in rows:
        if isinstance(row, RoadRow):
            geometry = {"type": "LineString", "coordinates": row.coordinates}
            properties: dict[str, Any] = {"name": row.name, "oneway": row.oneway}
        else:
            values = asdict(row)
            geometry = {"type": "Point", "coordinates": [values.pop("lon"), values.pop("lat")]}
            values.pop("district_id", None)
            properties = values
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    document = {"type": "FeatureCollection", "features": features}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


@dataclass(frozen=True)
class InventoryRecords:
    """A whole inventory as records, with the containers' sensor history (what the demo builds)."""

    sites: list[SiteRow]
    trucks: list[TruckRow]
    containers: list[ContainerRow]
    readings: dict[str, list[tuple[datetime, float]]]  # container code → readings, oldest first
    emptied: dict[str, datetime]  # container code → last emptying
    roads: list[RoadRow]
