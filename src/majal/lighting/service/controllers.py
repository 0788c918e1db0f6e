"""What lamps' controllers report: each state is kept, and a lamp that does not do what its programme says
opens a work order."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from majal.kit import clock
from majal.kit.audit import utcnow
from majal.kit.clock import to_utc
from majal.lighting import faults, programmes, repository, sun
from majal.lighting.models import Reading, Streetlight, WorkOrder
from majal.lighting.schemas import LampState
from majal.lighting.service.dimming import FULL_NIGHT, commune_position
from majal.lighting.service.inventory import streetlight_by_pole
from majal.lighting.service.work_orders import open_fault

CLOCK_DRIFT = timedelta(minutes=10)  # a controller clock this far ahead is still believed


def record_state(db: Session, pole: str, state: LampState) -> list[WorkOrder]:
    """Store a controller's message, keep the lamp's latest state, and open a work order for each fault found."""
    light = streetlight_by_pole(db, pole)
    at = clock.check_moment(state.at, "at", latest=utcnow() + CLOCK_DRIFT)
    repository.add_reading(db, Reading(streetlight_id=light.id, at=at, on=state.on, level=state.level,
                                       power_w=state.power_w))
    if light.state_at is not None and to_utc(light.state_at) > at:
        return []  # a late or repeated message (QoS 1) is history: it must not reopen a repaired fault
    light.state_on, light.state_level, light.state_power_w, light.state_at = state.on, state.level, state.power_w, at
    expected = expected_state(db, light, at)
    found = faults.faults(state.on, state.level, state.power_w, expected, light.rated_power_w, light.technology,
                          light.dimmable)
    return [open_fault(db, light, fault, "telemetry", at) for fault in found]


def expected_state(db: Session, light: Streetlight, at: datetime) -> faults.Expected:
    lat, lon = commune_position(db)
    local = at.astimezone(sun.TIMEZONE)
    evening = (local - timedelta(hours=12)).date()  # the night a moment belongs to starts the day before at 00–12 h
    night = sun.nights(lat, lon, evening, 1)
    hour = (at - night.noons[0]).total_seconds() / 3600
    steps = programmes.from_json(light.cabinet.programme.steps) if light.cabinet.programme else FULL_NIGHT
    level = programmes.level_at(steps, night, 0, hour)
    return faults.Expected(hour, float(night.dusk[0]), float(night.dawn[0]), level)
