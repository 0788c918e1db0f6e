"""A year of synthetic service requests for the demo commune: where, what, when, and how each one ended."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from majal.config import Settings
from majal.kit.clock import utcnow
from majal.requests import service
from majal.requests.schemas import HistoricalRequest
from majal.requests.workflow import Status
from majal.territory import service as territory

# Relative frequency of each service in a Moroccan commune's reports (lighting and waste dominate).
SERVICE_WEIGHTS = {
    "LIGHT_OUT": 22, "LIGHT_DAY": 5, "POLE_DAMAGED": 3, "BIN_FULL": 18, "DUMPING": 10, "DEAD_ANIMAL": 3,
    "NOT_SWEPT": 6, "STRAY_DOGS": 9, "PESTS": 5, "UNSANITARY": 2, "STOP_DAMAGED": 3, "BUS_MISSED": 4,
    "POTHOLE": 8, "SIGN_MISSING": 2,
}
DESCRIPTIONS = {
    "LIGHT_OUT": "Le lampadaire devant le n° {n} est éteint depuis plusieurs nuits.",
    "LIGHT_DAY": "Les lampes de la rue restent allumées toute la journée.",
    "POLE_DAMAGED": "Poteau penché après le passage d’un camion.",
    "BIN_FULL": "الحاوية ممتلئة والأكياس على الأرض.",
    "DUMPING": "Gravats déposés au coin de la rue.",
    "DEAD_ANIMAL": "Chat mort sur la chaussée.",
    "NOT_SWEPT": "الشارع لم ينظف منذ أسبوع.",
    "STRAY_DOGS": "Groupe de chiens près de l’école.",
    "PESTS": "Beaucoup de moustiques près du canal.",
    "UNSANITARY": "Odeurs et déchets derrière le snack.",
    "STOP_DAMAGED": "L’abri de l’arrêt est cassé.",
    "BUS_MISSED": "Le bus de 7 h 30 n’est pas passé.",
    "POTHOLE": "حفرة كبيرة وسط الطريق.",
    "SIGN_MISSING": "Le panneau stop a disparu.",
}


def history(districts: list[BaseGeometry], populations: list[int], sla_hours: dict[str, int], now: datetime,
            count: int = 2000, seed: int = 311) -> list[HistoricalRequest]:
    """`count` requests over the year before `now`; districts report in proportion to their population."""
    rng = np.random.default_rng(seed)
    codes = sorted(SERVICE_WEIGHTS)
    weights = np.array([SERVICE_WEIGHTS[code] for code in codes], dtype=float)
    chosen_services = rng.choice(len(codes), size=count, p=weights / weights.sum())
    shares = np.array(populations, dtype=float)
    chosen_districts = rng.choice(len(districts), size=count, p=shares / shares.sum())
    ages_days = np.sort((1 - rng.power(1.3, size=count)) * 365)[::-1]  # more recent requests than old ones
    records = []
    for index in range(count):
        code = codes[chosen_services[index]]
        district = int(chosen_districts[index])
        point = _point_in(districts[district], rng)
        requested = now - timedelta(days=float(ages_days[index]), minutes=int(rng.integers(0, 600)))
        records.append(_outcome(code, point, district, requested, sla_hours[code], now, rng))
    return records


def _point_in(shape: BaseGeometry, rng: np.random.Generator) -> shapely.Point:
    min_x, min_y, max_x, max_y = shape.bounds
    while True:
        point = shapely.Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if shape.contains(point):
            return point


def _outcome(code: str, point: shapely.Point, district: int, requested: datetime, sla: int, now: datetime,
             rng: np.random.Generator) -> HistoricalRequest:
    """Most requests are fixed near their SLA (log-normal spread); some are rejected or duplicates."""
    acknowledged = requested + timedelta(hours=float(rng.exponential(6)))
    resolved = requested + timedelta(hours=float(sla * rng.lognormal(-0.2, 0.6)))
    roll = rng.random()
    if now - requested < timedelta(days=45) and rng.random() < 0.3:  # the backlog: recent, not fixed yet
        resolved = now + timedelta(days=1)
    if roll < 0.04:
        status = Status.rejected
    elif roll < 0.09:
        status = Status.duplicate
    elif resolved > now:
        waiting = (Status.new, Status.acknowledged, Status.in_progress)
        status = waiting[int(rng.choice(3, p=[0.2, 0.3, 0.5]))] if acknowledged < now else Status.new
    else:
        status = Status.closed if resolved + timedelta(days=7) < now else Status.resolved
    closed = resolved + timedelta(days=7) if status is Status.closed else None
    description = DESCRIPTIONS[code].format(n=int(rng.integers(1, 240)))
    return HistoricalRequest(
        code, point.x, point.y, district, description, requested, status,
        acknowledged if acknowledged < now and status is not Status.new else None,
        resolved if status in (Status.resolved, Status.closed) else None, closed,
        _contact(rng) if rng.random() < 0.4 else None,
    )


GIVEN_NAMES = ("Fatima", "Mohammed", "Khadija", "Youssef", "Amina", "Hassan", "Naima", "Rachid", "Salma", "Omar")
FAMILY_NAMES = ("Benali", "El Idrissi", "Amrani", "Tazi", "Berrada", "Ouazzani", "Chraibi", "Alaoui", "Bennani")


def _contact(rng: np.random.Generator) -> dict[str, str]:
    """A made-up reporter: the phone numbers use the 0600 000 xxx block, which is never assigned."""
    given, family = str(rng.choice(GIVEN_NAMES)), str(rng.choice(FAMILY_NAMES))
    contact = {"first_name": given, "last_name": family, "lang": str(rng.choice(["ar", "fr"], p=[0.6, 0.4]))}
    if rng.random() < 0.7:
        contact["phone"] = f"+212 600 000 {int(rng.integers(0, 1000)):03d}"
    else:
        contact["email"] = f"{given}.{family}".lower().replace(" ", "") + "@example.ma"
    return contact


def load(db: Session, settings: Settings) -> bool:
    """The catalogue and a year of requests over the demo districts, once."""
    if service.services(db):
        return False
    service.seed_catalogue(db)
    current = territory.overview(db)
    sla = {chosen.code: chosen.sla_hours for chosen in service.services(db)}
    past = history([d.geometry for d in current.districts], [d.population for d in current.districts], sla,
                   now=utcnow())
    service.load_history(db, past, [d.id for d in current.districts], actor="demo",
                         secret=settings.resolved_secret_key)
    return True
