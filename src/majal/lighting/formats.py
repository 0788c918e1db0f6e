"""Inventory files: streetlights and cabinets as CSV or GeoJSON, read and checked completely, and written back.

A pure engine: bytes in, dataclasses out. Every problem names its row (CSV line or GeoJSON feature) and its field,
in the user's language; nothing is returned until the whole file is valid, so a bad file never half-imports.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from majal.kit.errors import MajalError
from majal.kit.i18n import N_, gettext
from majal.kit.validation import NUL_REFUSED, nul_path

MAX_FILE_BYTES = 50 * 1024 * 1024
CODE_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,40}")
# The lamps a commune's streets use run from ~10 W (small LED) to 1,000 W (metal-halide floodlights); past 2 kW a
# figure is a typing error (kW for W, an extra zero), not a lamp.
MIN_POWER_W, MAX_POWER_W = 1.0, 2000.0
MIN_HEIGHT_M, MAX_HEIGHT_M = 2.0, 40.0
MAX_CABINET_KW = 500.0


class Technology(StrEnum):
    hps = "hps"  # high-pressure sodium
    metal_halide = "metal_halide"
    led = "led"


TECHNOLOGY_LABELS = {
    Technology.hps: N_("High-pressure sodium"),
    Technology.metal_halide: N_("Metal halide"),
    Technology.led: N_("LED"),
}
# The Smart Data Models `Streetlight.locationCategory` values.
LOCATION_CATEGORIES = ("bridge", "centralIsland", "facade", "garden", "park", "parking", "pedestrianPath",
                       "playground", "road", "sidewalk", "tunnel")


class InventoryProblem(MajalError):
    """A refusal that names where in the file it is: 'line 4, rated_power_w: …'."""

    code = "invalid_inventory"

    def __init__(self, message: str, *, row: str, number: int, field: str, **params: Any) -> None:
        super().__init__(message, **params)
        self.row, self.number, self.field = row, number, field

    def translated(self) -> str:
        place = gettext(self.row, number=self.number)
        return f"{place}, {self.field}: {gettext(self.message, **self.params)}"

    def __str__(self) -> str:
        return f"{self.row % {'number': self.number}}, {self.field}: {super().__str__()}"


CSV_ROW = N_("line %(number)s")
FEATURE_ROW = N_("feature %(number)s")


@dataclass(frozen=True)
class StreetlightRecord:
    pole_number: str
    lon: float
    lat: float
    technology: str
    rated_power_w: float
    dimmable: bool
    lantern_height_m: float
    installed_on: date | None
    cabinet: str
    location_category: str


@dataclass(frozen=True)
class CabinetRecord:
    code: str
    name: str
    lon: float
    lat: float
    contracted_power_kw: float
    installed_on: date | None
    programme: str


@dataclass(frozen=True)
class Row:
    """One row of a file, wherever it came from, with the words to name it in an error."""

    label: str
    number: int
    values: dict[str, Any]

    def problem(self, field: str, message: str, **params: Any) -> InventoryProblem:
        return InventoryProblem(message, row=self.label, number=self.number, field=field, **params)


STREETLIGHT_FIELDS = tuple(f.name for f in fields(StreetlightRecord))
CABINET_FIELDS = tuple(f.name for f in fields(CabinetRecord))


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise MajalError(N_("The file is larger than the %(limit)s MB allowed."), limit=MAX_FILE_BYTES // 2**20)


def read_rows(data: bytes, kind: str) -> list[Row]:
    """The rows of a CSV or GeoJSON file (GeoJSON when it starts with `{`); a NUL in a field is refused there."""
    check_size(len(data))
    text = _decode(data)
    if text.lstrip().startswith("{"):
        rows = list(_geojson_rows(text))
    else:
        rows = list(_csv_rows(text, STREETLIGHT_FIELDS if kind == "streetlights" else CABINET_FIELDS))
    for row in rows:
        field = nul_path(row.values)
        if field is not None:
            raise row.problem(field, NUL_REFUSED)
    return rows


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise MajalError(N_("The file is not UTF-8 text.")) from None


def _csv_rows(text: str, expected: Sequence[str]) -> Iterator[Row]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in expected if name not in header and name not in OPTIONAL]
    if missing:
        raise MajalError(N_("The CSV header lacks the columns: %(columns)s."), columns=", ".join(missing))
    for values in reader:
        yield Row(CSV_ROW, reader.line_num, {key: value for key, value in values.items() if key})


def _geojson_rows(text: str) -> Iterator[Row]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise MajalError(N_("The file is not valid JSON (line %(line)s)."), line=error.lineno) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(
            document.get("features"), list):
        raise MajalError(N_("A GeoJSON file must be a FeatureCollection."))
    for number, feature in enumerate(document["features"], start=1):
        row = Row(FEATURE_ROW, number, {})
        if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
            raise row.problem("properties", N_("Each feature needs an object of properties."))
        geometry = feature.get("geometry") or {}
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if geometry.get("type") != "Point" or not isinstance(coordinates, list) or len(coordinates) < 2:
            raise row.problem("geometry", N_("The geometry must be a Point with longitude and latitude."))
        yield Row(FEATURE_ROW, number, {**feature["properties"], "lon": coordinates[0], "lat": coordinates[1]})


Parsed = TypeVar("Parsed")
OPTIONAL = frozenset({"dimmable", "installed_on", "name", "programme", "contracted_power_kw", "location_category"})


def parse_streetlights(rows: Iterable[Row]) -> list[StreetlightRecord]:
    return _each_once(rows, _streetlight, "pole_number", "pole",
                      N_("The pole number %(pole)s already appears in row %(first)s."))


def parse_cabinets(rows: Iterable[Row]) -> list[CabinetRecord]:
    return _each_once(rows, _cabinet, "code", "code", N_("The cabinet code %(code)s already appears in row %(first)s."))


def _each_once(rows: Iterable[Row], parse: Callable[[Row], Parsed], key: str, placeholder: str,
               repeated: str) -> list[Parsed]:
    """Parse every row, refusing the second row that repeats `key` (the message names the first)."""
    records, seen = [], dict[str, int]()
    for row in rows:
        record = parse(row)
        value = getattr(record, key)
        if value in seen:
            raise row.problem(key, repeated, first=seen[value], **{placeholder: value})
        seen[value] = row.number
        records.append(record)
    return records


def _streetlight(row: Row) -> StreetlightRecord:
    technology = _choice(row, "technology", [t.value for t in Technology])
    return StreetlightRecord(
        pole_number=_code(row, "pole_number"),
        lon=_number(row, "lon", -180, 180),
        lat=_number(row, "lat", -90, 90),
        technology=technology,
        rated_power_w=_power(row),
        dimmable=_flag(row, "dimmable", default=technology == Technology.led),
        lantern_height_m=_number(row, "lantern_height_m", MIN_HEIGHT_M, MAX_HEIGHT_M),
        installed_on=_date(row, "installed_on"),
        cabinet=_code(row, "cabinet"),
        location_category=_choice(row, "location_category", LOCATION_CATEGORIES, default="road"),
    )


def _cabinet(row: Row) -> CabinetRecord:
    name = _text(row, "name")
    if len(name) > 200:
        raise row.problem("name", N_("Must be at most %(limit)s characters long."), limit=200)
    programme = _text(row, "programme")
    if programme and not CODE_PATTERN.fullmatch(programme):
        raise row.problem("programme", N_("Use 1 to 40 letters, digits, dots, dashes or underscores."))
    return CabinetRecord(
        code=_code(row, "code"),
        name=name,
        lon=_number(row, "lon", -180, 180),
        lat=_number(row, "lat", -90, 90),
        contracted_power_kw=_number(row, "contracted_power_kw", 0, MAX_CABINET_KW) if _text(
            row, "contracted_power_kw") else 0.0,
        installed_on=_date(row, "installed_on"),
        programme=programme,
    )


def _text(row: Row, field: str) -> str:
    value = row.values.get(field)
    return "" if value is None else str(value).strip()


def _code(row: Row, field: str) -> str:
    value = _text(row, field)
    if not value:
        raise row.problem(field, N_("This field is required."))
    if not CODE_PATTERN.fullmatch(value):
        raise row.problem(field, N_("Use 1 to 40 letters, digits, dots, dashes or underscores."))
    return value


def _number(row: Row, field: str, low: float, high: float) -> float:
    raw = row.values.get(field)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise row.problem(field, N_("This field is required."))
    if isinstance(raw, bool):
        raise row.problem(field, N_("Enter a number."))
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise row.problem(field, N_("Enter a number.")) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise row.problem(field, N_("%(value)s is outside the allowed range, %(low)s to %(high)s."),
                          value=raw, low=f"{low:g}", high=f"{high:g}")
    return value


def _power(row: Row) -> float:
    value = _number(row, "rated_power_w", -math.inf, math.inf)
    if value <= 0:
        raise row.problem("rated_power_w", N_("A lamp's power must be more than 0 W (it is %(value)s W)."),
                          value=f"{value:g}")
    if not MIN_POWER_W <= value <= MAX_POWER_W:
        raise row.problem("rated_power_w", N_("%(value)s W is not a plausible streetlight power: a lamp draws "
                                              "%(low)s to %(high)s W. Was it written in kW or with an extra zero?"),
                          value=f"{value:g}", low=f"{MIN_POWER_W:g}", high=f"{MAX_POWER_W:g}")
    return value


def _choice(row: Row, field: str, allowed: Sequence[str], default: str | None = None) -> str:
    value = _text(row, field)
    if not value and default is not None:
        return default
    if value not in allowed:
        raise row.problem(field, N_("%(value)s is not one of: %(allowed)s."), value=value or "—",
                          allowed=", ".join(allowed))
    return value


def _flag(row: Row, field: str, default: bool) -> bool:
    raw = row.values.get(field)
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise row.problem(field, N_("Enter true or false."))


def _date(row: Row, field: str) -> date | None:
    text = _text(row, field)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise row.problem(field, N_("Enter a date as YYYY-MM-DD.")) from None


# --- Writing ---------------------------------------------------------------------------------------------------

def _plain(record: Any) -> dict[str, Any]:
    values = asdict(record)
    return {key: (value.isoformat() if isinstance(value, date) else value) for key, value in values.items()}


def write_csv(records: Sequence[Any], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for record in records:
        values = _plain(record)
        writer.writerow({key: ("" if value is None else str(value).lower() if isinstance(value, bool) else value)
                         for key, value in values.items()})
    return out.getvalue()


def feature_collection(records: Sequence[Any], key: Callable[[Any], str]) -> dict[str, Any]:
    features = []
    for record in records:
        properties = _plain(record)
        lon, lat = properties.pop("lon"), properties.pop("lat")
        features.append({"type": "Feature", "id": key(record),
                         "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
                         "properties": properties})
    return {"type": "FeatureCollection", "features": features}
