"""The inventory: containers, trucks, sites and the road graph, imported and exported as files; the demo
commune's inventory and sensor history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import LineString
from shapely.strtree import STRtree
from sqlalchemy.orm import Session

from majal.cleanliness import inventory, repository
from majal.cleanliness.inventory import InventoryRecords
from majal.cleanliness.models import Container, Road, Site, Truck
from majal.kit import audit
from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.territory import service as territory


@dataclass(frozen=True)
class ImportResult:
    kind: str
    created: int
    updated: int


def import_inventory(db: Session, kind: str, data: bytes, filename: str, actor: str) -> ImportResult:
    """Check a whole file, then add or update its rows by code (roads replace the road graph), in one transaction."""
    locate = district_locator(db) if kind == "containers" else None
    if kind == "containers" and locate is None:
        raise MajalError(N_("Import the commune's districts first: containers are placed in them."))
    rows = inventory.parse(kind, data, filename, locate)
    if kind == "roads":
        repository.delete_roads(db)
        db.add_all(Road(name=row.name, oneway=row.oneway, geometry=LineString(row.coordinates)) for row in rows)
        result = ImportResult(kind, len(rows), 0)
    else:
        result = _upsert(db, kind, rows, filename)
    db.flush()
    audit.record(db, actor, f"cleanliness.import.{kind}", "inventory", filename[:80],
                 {"created": result.created, "updated": result.updated})
    return result


def _upsert(db: Session, kind: str, rows: list[Any], filename: str) -> ImportResult:
    model: Any = {"containers": Container, "trucks": Truck, "sites": Site}[kind]
    existing = repository.records_by_code(db, model)
    sites = {site.code: site for site in repository.sites(db)}
    created = 0
    for number, row in enumerate(rows, start=1):
        record = existing.get(row.code)
        if record is None:
            record = model(code=row.code)
            db.add(record)
            created += 1
        if kind == "containers":
            _fill_container(record, row)
        elif kind == "sites":
            record.kind, record.name, record.lon, record.lat = row.kind, row.name, row.lon, row.lat
            record.unload_minutes = row.unload_minutes
        else:
            _fill_truck(record, row, sites, f"{filename}: {number}")
    return ImportResult(kind, created, len(rows) - created)


def _fill_container(record: Container, row: inventory.ContainerRow) -> None:
    record.kind, record.volume_l, record.lon, record.lat = row.kind, row.volume_l, row.lon, row.lat
    record.district_id, record.status, record.street = row.district_id, row.status, row.street
    record.frequency_days = row.frequency_days
    record.window_start_minutes = inventory.minutes(row.window_start)
    record.window_end_minutes = inventory.minutes(row.window_end)


def _fill_truck(record: Truck, row: inventory.TruckRow, sites: dict[str, Site], where: str) -> None:
    for field, code, kinds in (("depot", row.depot, ("depot",)), ("landfill", row.landfill,
                                                                  ("landfill", "transfer"))):
        site = sites.get(code)
        if site is None or site.kind not in kinds:
            raise MajalError(N_("%(field)s: there is no %(kinds)s with the code %(code)s; import the sites first."),
                             where=where, field=field, kinds=" / ".join(kinds), code=code)
    record.name, record.capacity_kg, record.capacity_m3 = row.name, row.capacity_kg, row.capacity_m3
    record.compaction = row.compaction
    record.shift_start_minutes = inventory.minutes(row.shift_start) or 0
    record.shift_minutes = round(row.shift_hours * 60)
    record.depot_id, record.landfill_id = sites[row.depot].id, sites[row.landfill].id
    record.active = True


def district_locator(db: Session) -> Callable[[float, float], int | None] | None:
    """A function giving the id of the district a point lies in (None outside the commune), or None without
    districts. One spatial index for a whole file, rather than one query per row."""
    districts = territory.overview(db).districts
    if not districts:
        return None
    tree = STRtree([district.geometry for district in districts])
    ids = [district.id for district in districts]

    def locate(lon: float, lat: float) -> int | None:
        hits = tree.query(shapely.Point(lon, lat), predicate="covered_by")
        return ids[int(min(hits))] if len(hits) else None

    return locate


def export_inventory(db: Session, kind: str, fmt: str) -> bytes:
    rows: list[Any]
    if kind == "containers":
        rows = [inventory.ContainerRow(c.code, c.kind, c.volume_l, c.lon, c.lat, c.district_id, c.status, c.street,
                                       c.frequency_days, inventory.clock(c.window_start_minutes),
                                       inventory.clock(c.window_end_minutes)) for c in repository.containers(db)]
    elif kind == "trucks":
        rows = [inventory.TruckRow(t.code, t.name, t.capacity_kg, t.capacity_m3, t.compaction,
                                   inventory.clock(t.shift_start_minutes), t.shift_minutes / 60, t.depot.code,
                                   t.landfill.code) for t in repository.trucks(db)]
    elif kind == "sites":
        rows = [inventory.SiteRow(s.code, s.kind, s.name, s.lon, s.lat, s.unload_minutes)
                for s in repository.sites(db)]
    elif kind == "roads":
        rows = [inventory.RoadRow(r.name, r.oneway, [(float(x), float(y)) for x, y in r.geometry.coords])
                for r in repository.roads(db)]
    else:
        raise MajalError(N_("Unknown inventory kind %(kind)s: use one of %(choices)s."), kind=kind[:20],
                         choices=", ".join(inventory.KINDS))
    if fmt == "geojson":
        return inventory.to_geojson(kind, rows)
    if kind == "roads":
        raise MajalError(N_("Roads are exported as GeoJSON lines only."))
    return inventory.to_csv(kind, rows)


@dataclass(frozen=True)
class InventoryCounts:
    sites: int
    trucks: int
    containers: int
    roads: int


def counts(db: Session) -> InventoryCounts:
    return InventoryCounts(repository.count(db, Site), repository.count(db, Truck), repository.count(db, Container),
                           repository.count(db, Road))


def store_inventory(db: Session, built: InventoryRecords, actor: str) -> None:
    """An inventory given as records with its sensor history (the demo's), stored in one go."""
    sites = {}
    for row in built.sites:
        site = Site(code=row.code, kind=row.kind, name=row.name, lon=row.lon, lat=row.lat,
                    unload_minutes=row.unload_minutes)
        db.add(site)
        sites[row.code] = site
    db.flush()
    for truck_row in built.trucks:
        truck = Truck(code=truck_row.code)
        _fill_truck(truck, truck_row, sites, "demo")
        db.add(truck)
    records = []
    for container_row in built.containers:
        record = Container(code=container_row.code)
        _fill_container(record, container_row)
        record.last_emptied_at = built.emptied.get(container_row.code)
        records.append(record)
    db.add_all(records)
    db.flush()
    ids = {record.code: record.id for record in records}
    repository.insert_readings(db, [
        {"container_id": ids[code], "at": at, "fill": fill, "source": "demo"}
        for code, series in built.readings.items() for at, fill in series])
    db.add_all(Road(name=row.name, oneway=row.oneway, geometry=LineString(row.coordinates)) for row in built.roads)
    repository.insert_emptyings(db, [
        {"container_id": ids[code], "truck_id": None, "at": at, "weight_kg": None, "source": "demo"}
        for code, at in built.emptied.items()])
    audit.record(db, actor, "cleanliness.inventory.store", "inventory", actor, {"containers": len(records)})
