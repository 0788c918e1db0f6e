"""The demo commune's waste collection: a garage, a landfill out of town, eight trucks of three kinds, about 800
containers spread over the districts by population, three market streets emptied before 07:00, four days of sensor
readings, and a street grid (every 150 m, cut at each crossing) with a road out to the landfill. The same for the same
seed."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points
from sqlalchemy.orm import Session

from majal.cleanliness import service
from majal.cleanliness.inventory import ContainerRow, InventoryRecords, RoadRow, SiteRow, TruckRow
from majal.config import Settings
from majal.kit.clock import to_utc, utcnow
from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.territory import service as territory

CONTAINERS = 800
PEOPLE_PER_CONTAINER_SHARE = 1.0
KIND_SHARES = {"bin_660": 0.6, "bin_1100": 0.25, "bin_240": 0.1, "underground_3000": 0.05}
SENSOR_SHARE = 0.7  # the others are emptied on a fixed frequency
READING_DAYS = 4
READINGS_PER_DAY = 3
METRES_PER_DEGREE = 111_320.0

TRUCKS = (  # code, name, kg, m³, compaction, shift start, hours
    ("BOM-01", "Benne tasseuse 16 m³ n° 1", 8000, 16.0, 3.0, "05:00", 7.0),
    ("BOM-02", "Benne tasseuse 16 m³ n° 2", 8000, 16.0, 3.0, "05:00", 7.0),
    ("BOM-03", "Benne tasseuse 16 m³ n° 3", 8000, 16.0, 3.0, "05:00", 7.0),
    ("BOM-04", "Benne tasseuse 16 m³ n° 4", 8000, 16.0, 3.0, "05:00", 7.0),
    ("BOM-05", "Benne tasseuse 12 m³ n° 5", 6000, 12.0, 3.0, "05:00", 7.0),
    ("BOM-06", "Benne tasseuse 12 m³ n° 6", 6000, 12.0, 3.0, "05:00", 7.0),
    ("MINI-07", "Mini-benne 7 m³ n° 7", 3000, 7.0, 2.0, "06:00", 6.0),
    ("MINI-08", "Mini-benne 7 m³ n° 8", 3000, 7.0, 2.0, "06:00", 6.0),
)
MARKETS = (("Souk Al Had", 0), ("Marché central", 5), ("Souk Lakhmis", 9))  # street, district index
MARKET_BINS = 8
STREET_SPACING_M = 150.0


def build(district_shapes: list[BaseGeometry], district_ids: list[int], populations: list[int], now: datetime,
          seed: int = 2026) -> InventoryRecords:
    rng = np.random.default_rng(seed)
    union = shapely.union_all(district_shapes)
    west, south, east, north = union.bounds
    garage = union.point_on_surface() if not union.contains(shapely.Point(west + (east - west) * 0.3, south + (
        north - south) * 0.25)) else shapely.Point(west + (east - west) * 0.3, south + (north - south) * 0.25)
    sites = [
        SiteRow("GARAGE", "depot", "Garage municipal", round(garage.x, 6), round(garage.y, 6), 0),
        SiteRow("DECHARGE", "landfill", "Décharge contrôlée", round(east + 0.045, 6), round((south + north) / 2, 6),
                15),
    ]
    trucks = [TruckRow(code, name, kg, m3, ratio, start, hours, "GARAGE", "DECHARGE")
              for code, name, kg, m3, ratio, start, hours in TRUCKS]
    containers = _market_bins(district_shapes, district_ids, rng)
    counts = _shares(np.asarray(populations, dtype=float), CONTAINERS - len(containers))
    kinds, shares = list(KIND_SHARES), np.array(list(KIND_SHARES.values()))
    number = 0
    for shape, district_id, count in zip(district_shapes, district_ids, counts, strict=True):
        for lon, lat in _points_inside(shape, int(count), rng):
            number += 1
            kind = str(rng.choice(kinds, p=shares))
            frequency = 0 if rng.random() < SENSOR_SHARE else int(rng.choice([1, 2]))
            containers.append(ContainerRow(f"C{number:04d}", kind, _volume(kind), lon, lat, district_id,
                                           street="", frequency_days=frequency))
    readings, emptied = _history(containers, now, rng)
    roads = _street_grid(union, (sites[1].lon, sites[1].lat))
    return InventoryRecords(sites, trucks, containers, readings, emptied, roads)


def _street_grid(town: BaseGeometry, landfill: tuple[float, float]) -> list[RoadRow]:
    """Streets every 150 m each way inside the town, cut into segments where they cross (so they share vertices),
    and a road from the town's eastern edge out to the landfill."""
    west, south, east, north = town.bounds
    mid_lat = (south + north) / 2
    step_lon = STREET_SPACING_M / (METRES_PER_DEGREE * np.cos(np.radians(mid_lat)))
    step_lat = STREET_SPACING_M / METRES_PER_DEGREE
    lines = [shapely.LineString([(x, south), (x, north)]) for x in np.arange(west, east, step_lon)]
    lines += [shapely.LineString([(west, y), (east, y)]) for y in np.arange(south, north, step_lat)]
    streets = shapely.intersection(shapely.union_all(lines), town.buffer(step_lon / 2))
    exit_point = nearest_points(streets, shapely.Point(landfill))[0]
    access = shapely.LineString([(exit_point.x, exit_point.y), landfill])
    noded = shapely.union_all([streets, access])  # cuts every line where another meets it
    segments = [part for part in shapely.get_parts(noded) if isinstance(part, shapely.LineString) and part.length > 0]
    return [RoadRow("", False, [(round(x, 6), round(y, 6)) for x, y in segment.coords]) for segment in segments]


def _volume(kind: str) -> int:
    return {"bin_240": 240, "bin_660": 660, "bin_1100": 1100, "underground_3000": 3000}[kind]


def _shares(weights: np.ndarray, total: int) -> list[int]:
    quotas = weights / weights.sum() * total
    counts = np.floor(quotas).astype(int)
    counts[np.argsort(-(quotas - counts), kind="stable")[: total - int(counts.sum())]] += 1
    return [int(c) for c in counts]


def _points_inside(shape: BaseGeometry, count: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    west, south, east, north = shape.bounds
    found: list[tuple[float, float]] = []
    while len(found) < count:
        xs = rng.uniform(west, east, size=count * 2)
        ys = rng.uniform(south, north, size=count * 2)
        inside = shapely.contains_xy(shape, xs, ys)
        found += [(round(float(x), 6), round(float(y), 6)) for x, y in zip(xs[inside], ys[inside], strict=True)]
    return found[:count]


def _market_bins(shapes: list[BaseGeometry], ids: list[int], rng: np.random.Generator) -> list[ContainerRow]:
    """A market street: eight 1,100 L bins along 300 m, emptied every day between 05:00 and 07:00."""
    rows = []
    for number, (street, index) in enumerate(MARKETS, start=1):
        shape = shapes[index % len(shapes)]
        centre = shape.representative_point()
        half = 150 / METRES_PER_DEGREE
        for bin_number, step in enumerate(np.linspace(-half, half, MARKET_BINS), start=1):
            lon, lat = round(centre.x + step, 6), round(centre.y + rng.uniform(-2e-5, 2e-5), 6)
            if not shape.contains(shapely.Point(lon, lat)):
                lon, lat = round(centre.x, 6), round(centre.y, 6)
            rows.append(ContainerRow(f"M{number}-{bin_number:02d}", "bin_1100", 1100, lon, lat, ids[index % len(ids)],
                                     street=street, frequency_days=1, window_start="05:00", window_end="07:00"))
    return rows


def _history(containers: list[ContainerRow], now: datetime, rng: np.random.Generator
             ) -> tuple[dict[str, list[tuple[datetime, float]]], dict[str, datetime]]:
    """Sawtooth fill curves: each sensor-watched container fills at its own rate and is emptied once nearly full;
    fixed-frequency containers were last emptied one or two days ago."""
    start = (now - timedelta(days=READING_DAYS)).replace(minute=0, second=0, microsecond=0)
    hours = [start + timedelta(hours=8 * k) for k in range(READING_DAYS * READINGS_PER_DAY)]
    readings: dict[str, list[tuple[datetime, float]]] = {}
    emptied: dict[str, datetime] = {}
    for row in containers:
        if row.frequency_days:
            emptied[row.code] = (now - timedelta(days=int(rng.integers(1, row.frequency_days + 1)))).replace(
                hour=6, minute=0, second=0, microsecond=0)
            continue
        rate = float(rng.uniform(0.12, 0.45))  # fill per day
        fill = float(rng.uniform(0.0, 0.6))
        series = []
        for moment in hours:
            series.append((moment, round(min(fill, 1.0), 3)))
            fill += rate / READINGS_PER_DAY
            if fill >= 0.9 and rng.random() < 0.7:
                emptied[row.code] = moment + timedelta(hours=1)
                fill = float(rng.uniform(0.0, 0.05))
        readings[row.code] = series
    return readings, emptied


def load(db: Session, _settings: Settings) -> bool:
    """The demo's waste collection, and a few days of plans for the charts (today's searched a little longer)."""
    if not load_inventory(db, utcnow()):
        return False
    today = utcnow().date()
    for days_ago in (3, 2, 1, 0):
        service.plan_now(db, today - timedelta(days=days_ago), seconds=2.0 if days_ago == 0 else 1.0,
                         threshold=service.DEFAULT_THRESHOLD, actor="demo")
    return True


def load_inventory(db: Session, now: datetime, actor: str = "demo") -> bool:
    """The demo inventory and its sensor history, once; False when there already are containers."""
    if service.counts(db).containers:
        return False
    districts = territory.overview(db).districts
    if not districts:
        raise MajalError(N_("Import the commune's districts first: containers are placed in them."))
    built = build([d.geometry for d in districts], [d.id for d in districts], [d.population for d in districts],
                  to_utc(now))
    service.store_inventory(db, built, actor)
    return True
