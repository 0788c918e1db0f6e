"""Fill readings (HTTP and MQTT) and emptyings, and a container's fill forecast from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from majal.cleanliness import forecast, repository
from majal.cleanliness.models import Container, Emptying, FillReading, Truck
from majal.cleanliness.schemas import FillIn
from majal.kit import clock
from majal.kit.audit import utcnow
from majal.kit.clock import to_utc
from majal.kit.errors import MajalError, NotFound
from majal.kit.i18n import N_
from majal.kit.mqtt import Topic
from majal.kit.validation import row_id

CLOCK_DRIFT = timedelta(minutes=10)  # a device clock this far ahead is still believed


def container(db: Session, container_id: int) -> Container:
    found = repository.container(db, container_id)
    if found is None:
        raise NotFound(N_("There is no container %(id)s."), id=container_id)
    return found


def record_fill(db: Session, container_id: int, fill: float, at: datetime, source: str) -> FillReading:
    """Store one sensor reading (0 = empty, 1 = full); a reading from the future (beyond clock drift) is refused."""
    found = container(db, container_id)
    if not (0.0 <= fill <= 1.0):
        raise MajalError(N_("fill must be a number from 0 to 1."), where="fill")
    at = clock.check_moment(at, "at")
    if at > utcnow() + CLOCK_DRIFT:
        raise MajalError(N_("This reading is dated in the future."), where="at")
    reading = FillReading(container_id=found.id, at=at, fill=float(fill), source=source)
    db.add(reading)
    db.flush()
    return reading


def store_fill_message(db: Session, identifier: str, reading: FillIn) -> None:
    """A reading from `majal/cleanliness/containers/{id}/fill`; the id is the container's number."""
    container_id = row_id(identifier)
    if container_id is None:
        raise NotFound(N_("There is no container %(id)s."), id=identifier[:20])
    record_fill(db, container_id, reading.fill, reading.at, source="mqtt")


FILL_TOPIC = Topic("majal/cleanliness/containers/+/fill", FillIn, store_fill_message)


def record_emptying(db: Session, container_id: int, at: datetime, truck_code: str | None, weight_kg: float | None,
                    source: str) -> Emptying:
    found = container(db, container_id)
    at = clock.check_moment(at, "at")
    if at > utcnow() + CLOCK_DRIFT:
        raise MajalError(N_("This emptying is dated in the future."), where="at")
    truck_id = None
    if truck_code:
        truck_id = repository.by_codes(db, Truck).get(truck_code)
        if truck_id is None:
            raise NotFound(N_("There is no truck %(code)s."), code=truck_code[:32])
    emptying = Emptying(container_id=found.id, truck_id=truck_id, at=at, weight_kg=weight_kg, source=source)
    db.add(emptying)
    if found.last_emptied_at is None or to_utc(found.last_emptied_at) < at:
        found.last_emptied_at = at
    db.flush()
    return emptying


def container_forecast(db: Session, found: Container, at: datetime) -> forecast.Forecast:
    readings = [(to_utc(r.at), r.fill) for r in repository.readings_of(db, found.id)]
    emptied = to_utc(found.last_emptied_at) if found.last_emptied_at else None
    return forecast.forecast(readings, at, emptied)


@dataclass(frozen=True)
class ContainerFill:
    """A container's fill at a moment, forecast from its readings since it was last emptied."""

    container_id: int
    code: str
    at: datetime
    fill: float | None  # None without readings
    rate_per_day: float | None
    last_fill: float | None
    last_reading_at: datetime | None
    emptied_at: datetime | None


def container_fill(db: Session, container_id: int, at: datetime | None = None) -> ContainerFill:
    found = container(db, container_id)
    at = at or utcnow()
    seen = container_forecast(db, found, at)
    return ContainerFill(found.id, found.code, at, seen.fill, seen.rate_per_day, seen.last_fill, seen.last_at,
                         seen.emptied_at)
