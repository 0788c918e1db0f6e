"""The inventory: cabinets and streetlights imported from CSV or GeoJSON (checked whole before anything is
written), exported again, and looked up."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from sqlalchemy.orm import Session

from majal.kit import audit
from majal.kit.errors import MajalError, NotFound
from majal.kit.i18n import N_
from majal.lighting import formats, repository
from majal.lighting.models import Cabinet, Streetlight
from majal.territory import service as territory


class Layer:
    streetlights = "streetlights"
    cabinets = "cabinets"


@dataclass(frozen=True)
class ImportResult:
    layer: str
    created: int
    updated: int


def import_inventory(db: Session, data: bytes, layer: str, actor: str) -> ImportResult:
    """Check the whole file (fields, duplicates, cabinets and programmes that exist, points inside the commune),
    then add or update every row in the caller's transaction."""
    rows = formats.read_rows(data, layer)
    if not rows:
        raise MajalError(N_("The file has no rows."))
    result = _import_cabinets(db, rows) if layer == Layer.cabinets else _import_streetlights(db, rows)
    audit.record(db, actor, "lighting.import", layer, None, {"created": result.created, "updated": result.updated})
    return result


def _import_cabinets(db: Session, rows: list[formats.Row]) -> ImportResult:
    return save_cabinets(db, rows, formats.parse_cabinets(rows))


def save_cabinets(db: Session, rows: list[formats.Row], records: list[formats.CabinetRecord]) -> ImportResult:
    """Parsed cabinets (an import's, or the demo's), checked against the programmes and districts, then stored."""
    known_programmes = {p.code: p.id for p in repository.programmes(db)}
    for row, record in zip(rows, records, strict=True):
        if record.programme and record.programme not in known_programmes:
            raise row.problem("programme", N_("There is no dimming programme %(code)s."), code=record.programme)
    districts = _districts_of(db, rows, np.array([r.lon for r in records]), np.array([r.lat for r in records]))
    existing = {cabinet.code: cabinet for cabinet in repository.cabinets(db)}
    created = 0
    for record, district_id in zip(records, districts, strict=True):
        cabinet = existing.get(record.code)
        if cabinet is None:
            cabinet = Cabinet(code=record.code)
            db.add(cabinet)
            created += 1
        cabinet.name, cabinet.lon, cabinet.lat = record.name, record.lon, record.lat
        cabinet.contracted_power_kw, cabinet.installed_on = record.contracted_power_kw, record.installed_on
        cabinet.district_id = district_id
        if record.programme:
            cabinet.programme_id = known_programmes[record.programme]
    db.flush()
    return ImportResult(Layer.cabinets, created, len(records) - created)


def _import_streetlights(db: Session, rows: list[formats.Row]) -> ImportResult:
    return save_streetlights(db, rows, formats.parse_streetlights(rows))


def save_streetlights(db: Session, rows: list[formats.Row], records: list[formats.StreetlightRecord]
                      ) -> ImportResult:
    """Parsed lamps (an import's, or the demo's), checked against the cabinets and districts, then stored."""
    cabinets = repository.cabinet_ids_by_code(db)
    for row, record in zip(rows, records, strict=True):
        if record.cabinet not in cabinets:
            raise row.problem("cabinet", N_("There is no cabinet %(code)s: import the cabinets first."),
                              code=record.cabinet)
    districts = _districts_of(db, rows, np.array([r.lon for r in records]), np.array([r.lat for r in records]))
    existing = repository.streetlights_by_pole(db, [record.pole_number for record in records])
    fresh = []
    for record, district_id in zip(records, districts, strict=True):
        values = _streetlight_values(record, cabinets[record.cabinet], district_id)
        light = existing.get(record.pole_number)
        if light is None:
            fresh.append(values)
        else:
            for key, value in values.items():
                setattr(light, key, value)
    repository.insert_streetlights(db, fresh)
    db.flush()
    return ImportResult(Layer.streetlights, len(fresh), len(records) - len(fresh))


def _streetlight_values(record: formats.StreetlightRecord, cabinet_id: int, district_id: int | None
                        ) -> dict[str, Any]:
    return {"pole_number": record.pole_number, "lon": record.lon, "lat": record.lat,
            "technology": record.technology, "rated_power_w": record.rated_power_w, "dimmable": record.dimmable,
            "lantern_height_m": record.lantern_height_m, "installed_on": record.installed_on,
            "cabinet_id": cabinet_id, "district_id": district_id, "location_category": record.location_category}


def _districts_of(db: Session, rows: list[formats.Row], lons: np.ndarray, lats: np.ndarray) -> list[int]:
    """The district of every point, all at once; the first point outside the commune is refused by its row."""
    districts = territory.overview(db).districts
    if not districts:
        raise MajalError(N_("No commune has been set up yet: import its districts first."))
    found = np.full(lons.size, -1, dtype=np.int64)
    for district in districts:
        inside = shapely.contains_xy(district.geometry, lons, lats) | shapely.intersects_xy(
            district.geometry.boundary, lons, lats)
        found = np.where((found < 0) & inside, district.id, found)
    outside = np.flatnonzero(found < 0)
    if outside.size:
        row = rows[int(outside[0])]
        raise row.problem("lon, lat", N_("The point %(lon)s, %(lat)s is outside the commune's districts."),
                          lon=f"{lons[outside[0]]:.6f}", lat=f"{lats[outside[0]]:.6f}")
    return [int(value) for value in found]


def streetlight_records(db: Session) -> list[formats.StreetlightRecord]:
    codes = {cabinet.id: cabinet.code for cabinet in repository.cabinets(db)}
    return [formats.StreetlightRecord(light.pole_number, light.lon, light.lat, light.technology,
                                      light.rated_power_w, light.dimmable, light.lantern_height_m,
                                      light.installed_on, codes[light.cabinet_id], light.location_category)
            for light in repository.streetlights(db)]


def cabinet_records(db: Session) -> list[formats.CabinetRecord]:
    return [formats.CabinetRecord(cabinet.code, cabinet.name, cabinet.lon, cabinet.lat,
                                  cabinet.contracted_power_kw, cabinet.installed_on,
                                  cabinet.programme.code if cabinet.programme else "")
            for cabinet in repository.cabinets(db)]


def export_inventory(db: Session, layer: str, file_format: str) -> str:
    if layer == Layer.cabinets:
        records: list[Any] = cabinet_records(db)
        columns, key = formats.CABINET_FIELDS, lambda record: record.code
    else:
        records = streetlight_records(db)
        columns, key = formats.STREETLIGHT_FIELDS, lambda record: record.pole_number
    if file_format == "csv":
        return formats.write_csv(records, columns)
    return json.dumps(formats.feature_collection(records, key), ensure_ascii=False)


def cabinet_list(db: Session) -> list[Cabinet]:
    return repository.cabinets(db)


def streetlight_count(db: Session) -> int:
    return repository.count_streetlights(db)


def cabinet(db: Session, cabinet_id: int) -> Cabinet:
    found = repository.cabinet_by_id(db, cabinet_id)
    if found is None:
        raise NotFound(N_("There is no cabinet %(code)s."), code=cabinet_id)
    return found


def cabinet_streetlights(db: Session, cabinet_id: int) -> list[Streetlight]:
    return repository.streetlights(db, cabinet_id=cabinet_id)


def streetlight_by_pole(db: Session, pole: str) -> Streetlight:
    found = repository.streetlights_by_pole(db, [pole]).get(pole)
    if found is None:
        raise NotFound(N_("There is no lamp %(pole)s."), pole=pole)
    return found
