"""What the pages and the map show: each lamp's state, key figures, and faults month by month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from majal.kit.audit import utcnow
from majal.kit.clock import to_utc
from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.lighting import repository


@dataclass(frozen=True)
class Kpis:
    lamps: int
    working_share: float | None  # lamps without an open work order
    faults_per_1000: float | None  # work orders opened in the last 12 months per 1,000 lamps
    mean_hours_to_repair: float | None
    open_orders: int
    repaired: int


def kpis(db: Session, now: datetime | None = None) -> Kpis:
    now = now or utcnow()
    lamps = repository.count_streetlights(db)
    faulty = len(repository.open_fault_lamp_ids(db))
    lives = repository.work_order_lives(db, now - timedelta(days=365))
    repairs = [(to_utc(closed) - to_utc(opened)).total_seconds() / 3600 for status, opened, closed in lives
               if status == "repaired" and closed is not None]
    return Kpis(
        lamps=lamps,
        working_share=(lamps - faulty) / lamps if lamps else None,
        faults_per_1000=len(lives) / lamps * 1000 if lamps else None,
        mean_hours_to_repair=sum(repairs) / len(repairs) if repairs else None,
        open_orders=faulty,
        repaired=len(repairs),
    )


STATE_LABELS = {"working": N_("Working"), "fault": N_("Fault, to repair"), "repair": N_("Repair in progress")}
MAX_MAP_LAMPS = 10_000


def lamp_states(db: Session, lamp_ids: list[int] | None = None) -> dict[int, str]:
    """Each lamp's state for the map: a fault waiting, a repair under way, or working (the default)."""
    states = {}
    for lamp_id, status in repository.open_work_order_statuses(db):
        if lamp_ids is None or lamp_id in lamp_ids:
            states[lamp_id] = "repair" if status == "in_progress" else "fault"
    return states


def state_counts(db: Session) -> dict[str, int]:
    states = lamp_states(db)
    total = repository.count_streetlights(db)
    faults_waiting = sum(1 for state in states.values() if state == "fault")
    return {"working": total - len(states), "fault": faults_waiting, "repair": len(states) - faults_waiting}


def streetlights_geojson(db: Session, box: tuple[float, float, float, float] | None) -> dict[str, Any]:
    """The lamps in a box (or the whole commune) as GeoJSON points with their state, at most MAX_MAP_LAMPS."""
    if box is not None:
        west, south, east, north = box
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise MajalError(N_("The box must be west,south,east,north in degrees, west ≤ east and south ≤ north."),
                             where="bbox")
    lights = repository.streetlights_in_box(db, box or (-180.0, -90.0, 180.0, 90.0), MAX_MAP_LAMPS)
    states = lamp_states(db)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": light.id,
         "geometry": {"type": "Point", "coordinates": [light.lon, light.lat]},
         "properties": {"pole_number": light.pole_number, "state": states.get(light.id, "working"),
                        "technology": light.technology, "rated_power_w": light.rated_power_w,
                        "cabinet_id": light.cabinet_id}}
        for light in lights]}


@dataclass(frozen=True)
class FaultMonth:
    month: date
    opened: int
    repaired: int
    mean_hours_to_repair: float | None


def fault_months(db: Session, now: datetime | None = None) -> list[FaultMonth]:
    """The last twelve months, oldest first: work orders opened, repairs finished and their mean time to repair."""
    now = now or utcnow()
    months = [_month_start(now, back) for back in range(11, -1, -1)]
    lives = repository.work_order_lives(db, datetime.combine(months[0], datetime.min.time(), UTC) - timedelta(
        days=365))
    result = []
    for start in months:
        end = _month_start(datetime.combine(start, datetime.min.time(), UTC), -1)
        opened = sum(1 for _s, at, _c in lives if start <= to_utc(at).date() < end)
        repairs = [(to_utc(closed) - to_utc(at)).total_seconds() / 3600 for status, at, closed in lives
                   if status == "repaired" and closed is not None and start <= to_utc(closed).date() < end]
        result.append(FaultMonth(start, opened, len(repairs), sum(repairs) / len(repairs) if repairs else None))
    return result


def _month_start(moment: datetime, back: int) -> date:
    """The first day of the month `back` months before `moment`'s (negative: after)."""
    index = moment.year * 12 + moment.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)
