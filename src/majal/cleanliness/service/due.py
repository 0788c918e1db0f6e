"""Which containers are due on a day: by frequency, by forecast fill, by an overflow report pinned to them.

A container weighs what its volume holds at its forecast fill times the density of household waste in a bin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import numpy as np
from sqlalchemy.orm import Session

from majal.cleanliness import distances, forecast, repository
from majal.cleanliness.models import Container
from majal.kit.clock import to_utc
from majal.kit.errors import MajalError

DENSITY_KG_PER_L = 0.15  # household waste loose in a bin: about 150 kg/m³
ASSUMED_FILL = 0.75  # a container without readings, due by its frequency, is taken as three quarters full
DEFAULT_THRESHOLD = 0.7  # forecast fill from which a sensor-watched container is due
OVERFLOW_SERVICE = "BIN_FULL"  # the Open311 service of an overflowing container
OVERFLOW_RADIUS_M = 75.0  # a report farther than this from any container is pinned to none
READING_HISTORY = timedelta(days=30)


@dataclass(frozen=True)
class Due:
    container: Container
    fill: float  # expected fill when collected
    reason: str  # fill | frequency | no_reading | overflow

    @property
    def kilograms(self) -> int:
        return max(1, round(self.container.volume_l * self.fill * DENSITY_KG_PER_L))

    @property
    def litres(self) -> int:
        return max(1, round(self.container.volume_l * self.fill))


def due_containers(db: Session, day: date, threshold: float = DEFAULT_THRESHOLD) -> list[Due]:
    """The containers to empty on `day`: fixed-frequency ones whose turn has come, sensor-watched ones whose fill
    is forecast over the threshold by the end of the day, i.e. before the next day's round could reach them (or that
    never reported), and any with an overflow report in the two days before."""
    day_end = datetime.combine(day + timedelta(days=1), clock_time(0), tzinfo=UTC)
    # As things stood at the end of that day: a past day is planned again as it was, not with what came after.
    readings = repository.readings_between(db, day_end - READING_HISTORY, day_end)
    emptyings = repository.last_emptied(db, before=day_end)
    overflowing = {pin.container_id for pin in overflow_pins(db, day_end - timedelta(days=2), day_end)
                   if pin.container_id is not None}
    due = []
    for found in repository.containers(db, statuses=("active", "damaged")):
        emptied = _last_emptied(found, emptyings.get(found.id), day_end)
        seen = forecast.forecast([(to_utc(at), fill) for at, fill in readings.get(found.id, [])], day_end, emptied)
        fill = seen.fill if seen.fill is not None else ASSUMED_FILL
        if found.id in overflowing:
            due.append(Due(found, 1.0, "overflow"))
        elif found.frequency_days:
            if emptied is None or (day - emptied.date()).days >= found.frequency_days:
                due.append(Due(found, fill, "frequency"))
        elif seen.fill is None:
            due.append(Due(found, ASSUMED_FILL, "no_reading"))
        elif fill >= threshold:
            due.append(Due(found, fill, "fill"))
    return due


def _last_emptied(found: Container, recorded: datetime | None, day_end: datetime) -> datetime | None:
    """The last emptying before the day's end: from the emptyings recorded, or the container's own date (set by an
    import or an emptying) when it is not later than that."""
    known = [to_utc(recorded)] if recorded else []
    if found.last_emptied_at is not None and to_utc(found.last_emptied_at) < day_end:
        known.append(to_utc(found.last_emptied_at))
    return max(known, default=None)


@dataclass(frozen=True)
class OverflowPin:
    request_id: int
    requested_at: datetime
    status: str
    lon: float
    lat: float
    container_id: int | None
    container_code: str
    metres: float | None


def overflow_pins(db: Session, start: datetime, end: datetime) -> list[OverflowPin]:
    """Open311 reports of overflowing containers between two moments, each pinned to the nearest container
    (within `OVERFLOW_RADIUS_M`)."""
    from majal.requests import service as requests
    from majal.requests.schemas import RequestQuery

    try:
        rows, _services = requests.search(db, RequestQuery(service_codes=(OVERFLOW_SERVICE,),
                                                           start=start.isoformat(), end=end.isoformat()))
    except MajalError:  # no such service in this commune's catalogue
        return []
    located = [row for row in rows if row.lon is not None and row.lat is not None]
    found = repository.containers(db, statuses=("active", "damaged"))
    if not located or not found:
        return [OverflowPin(r.id, r.requested_at, r.status, r.lon or 0.0, r.lat or 0.0, None, "", None)
                for r in located]
    points = np.array([(c.lon, c.lat) for c in found])
    pins = []
    for row in located:
        assert row.lon is not None and row.lat is not None
        metres = distances.haversine_m(np.full(len(points), row.lon), np.full(len(points), row.lat),
                                       points[:, 0], points[:, 1])
        nearest = int(np.argmin(metres))
        close = metres[nearest] <= OVERFLOW_RADIUS_M
        pins.append(OverflowPin(row.id, row.requested_at, row.status, row.lon, row.lat,
                                found[nearest].id if close else None, found[nearest].code if close else "",
                                float(metres[nearest]) if close else None))
    return pins
