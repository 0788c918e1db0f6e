"""The demo commune's public lighting: ~60 cabinets and ~6,000 lamps, the same for the same seed.

Five cabinets per district, each feeding about a hundred lamps around it. The older districts are mostly
high-pressure sodium (the 150 W and 250 W lanterns Moroccan towns installed in the 1990s–2000s), main roads carry
some metal halide, and recent works brought dimmable LEDs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from majal.config import Settings
from majal.lighting import service
from majal.lighting.formats import CabinetRecord, StreetlightRecord
from majal.lighting.schemas import PastWorkOrder
from majal.territory import service as territory

CABINETS_PER_DISTRICT = 5
LAMPS_PER_CABINET = 100
SPREAD_M = 350.0
METRES_PER_DEGREE_LAT = 111_320.0
PROGRAMMES = (
    ("FULL", "Toute la nuit à 100 %", "dusk-dawn@100"),
    ("ECO50", "Abaissement à 50 % de 23 h à 5 h", "dusk-23:00@100, 23:00-05:00@50, 05:00-dawn@100"),
    ("ECO30", "Abaissement à 30 % de minuit à 5 h", "dusk-00:00@100, 00:00-05:00@30, 05:00-dawn@80"),
)
# (technology, rated power W, dimmable, share): the mix of a Moroccan town half-way through its LED retrofit.
MIX = (
    ("hps", 150.0, False, 0.32),
    ("hps", 250.0, False, 0.22),
    ("hps", 100.0, False, 0.08),
    ("metal_halide", 250.0, False, 0.06),
    ("metal_halide", 400.0, False, 0.03),
    ("led", 60.0, True, 0.15),
    ("led", 90.0, True, 0.10),
    ("led", 120.0, True, 0.04),
)
CATEGORIES = ("road", "road", "road", "sidewalk", "pedestrianPath", "park", "parking", "garden")


@dataclass(frozen=True)
class DemoLighting:
    cabinets: list[CabinetRecord]
    streetlights: list[StreetlightRecord]


def build(districts: list[BaseGeometry], seed: int = 2026) -> DemoLighting:
    rng = np.random.default_rng(seed)
    cabinets: list[CabinetRecord] = []
    lights: list[StreetlightRecord] = []
    for district_index, shape in enumerate(districts):
        centres = _points_inside(shape, rng, CABINETS_PER_DISTRICT)
        newer = district_index % 3 == 2  # a third of the districts were relit recently: more LED
        for lon, lat in centres:
            number = len(cabinets) + 1
            code = f"CAB-{number:02d}"
            programme = PROGRAMMES[number % len(PROGRAMMES)][0]
            installed = date(1998, 1, 1) + timedelta(days=int(rng.integers(0, 9000)))
            cabinets.append(CabinetRecord(code, f"Armoire {number:02d}", round(lon, 6), round(lat, 6),
                                          round(float(rng.choice([25.0, 36.0, 50.0])), 1), installed, programme))
            count = LAMPS_PER_CABINET + int(rng.integers(-10, 11))
            lights += _lamps(shape, rng, code, lon, lat, count, len(lights), newer)
    return DemoLighting(cabinets, lights)


def _lamps(shape: BaseGeometry, rng: np.random.Generator, cabinet: str, lon: float, lat: float, count: int,
           start: int, newer: bool) -> list[StreetlightRecord]:
    lons, lats = _around(shape, rng, lon, lat, count)
    shares = np.array([share for *_rest, share in MIX])
    if newer:
        shares = shares * np.array([0.6, 0.6, 0.6, 0.8, 0.8, 3.0, 3.0, 3.0])
    kinds = rng.choice(len(MIX), size=count, p=shares / shares.sum())
    records = []
    for index in range(count):
        technology, power, dimmable, _share = MIX[kinds[index]]
        height = 12.0 if power >= 250 else 10.0 if power >= 120 else 8.0
        installed = date(2018 if technology == "led" else 1995, 1, 1) + timedelta(days=int(rng.integers(0, 2500)))
        records.append(StreetlightRecord(
            f"P-{start + index + 1:05d}", round(float(lons[index]), 6), round(float(lats[index]), 6), technology,
            power, dimmable, height, installed, cabinet, CATEGORIES[int(rng.integers(0, len(CATEGORIES)))]))
    return records


def _points_inside(shape: BaseGeometry, rng: np.random.Generator, count: int) -> list[tuple[float, float]]:
    west, south, east, north = shape.bounds
    found: list[tuple[float, float]] = []
    while len(found) < count:
        lons, lats = rng.uniform(west, east, 64), rng.uniform(south, north, 64)
        inside = shapely.contains_xy(shape, lons, lats)
        found += list(zip(lons[inside].tolist(), lats[inside].tolist(), strict=True))
    return found[:count]


def _around(shape: BaseGeometry, rng: np.random.Generator, lon: float, lat: float, count: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """Points scattered around a cabinet, kept inside its district."""
    scale_lon = METRES_PER_DEGREE_LAT * np.cos(np.radians(lat))
    lons, lats = np.empty(0), np.empty(0)
    spread = SPREAD_M
    while lons.size < count:
        east = rng.normal(0, spread, count * 2) / scale_lon + lon
        north = rng.normal(0, spread, count * 2) / METRES_PER_DEGREE_LAT + lat
        inside = shapely.contains_xy(shape, east, north)
        lons, lats = np.concatenate([lons, east[inside]]), np.concatenate([lats, north[inside]])
        spread *= 0.7  # a cabinet near the edge: draw closer until enough fall inside
    return lons[:count], lats[:count]


FAULTS = ("out_at_night", "out_at_night", "out_at_night", "lit_by_day", "power_deviation", "citizen_report")
FAILURES_PER_LAMP_YEAR = 0.06  # sodium lamps, ignitors and ballasts of an ageing network
STILL_OPEN = 45


def work_orders(lamps: int, seed: int = 2026) -> list[PastWorkOrder]:
    """A year of faults: most repaired within one to four days, a few dozen still waiting."""
    rng = np.random.default_rng(seed + 1)
    count = int(lamps * FAILURES_PER_LAMP_YEAR)
    chosen = rng.choice(lamps, size=count + STILL_OPEN, replace=False)
    made = []
    for index, lamp in enumerate(chosen.tolist()):
        fault = FAULTS[int(rng.integers(0, len(FAULTS)))]
        if index < count:
            repair = float(rng.lognormal(np.log(40.0), 0.6))
            opened = float(rng.uniform(repair + 1, 365 * 24))
            made.append(PastWorkOrder(lamp, fault, opened, repair, True))
        else:
            made.append(PastWorkOrder(lamp, fault, float(rng.uniform(2, 120)), None, bool(rng.random() < 0.4)))
    return made


def load(db: Session, _settings: Settings) -> bool:
    """The demo's public lighting, once: programmes, ~60 cabinets and ~6,000 lamps, a year of work orders."""
    if service.has_inventory(db):
        return False
    built = build([district.geometry for district in territory.overview(db).districts])
    service.seed(db, PROGRAMMES, built.cabinets, built.streetlights, work_orders(len(built.streetlights)), "demo")
    return True
