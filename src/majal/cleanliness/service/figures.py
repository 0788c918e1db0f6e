"""Plan against what was done, and the key figures of waste collection (ISO 37120 16.1 coverage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy.orm import Session

from majal.cleanliness import repository
from majal.cleanliness.models import CollectionPlan, PlanRoute
from majal.cleanliness.service.due import overflow_pins
from majal.kit.clock import to_utc
from majal.territory import service as territory

REGULAR_WINDOW_DAYS = 7  # ISO 37120 16.1: a district is regularly collected when collected within a week


@dataclass(frozen=True)
class RouteActual:
    route: PlanRoute
    planned: int
    emptied: int  # planned containers emptied that day
    extra: int  # containers emptied by this truck that were not in its plan


def plan_vs_actual(db: Session, found: CollectionPlan) -> list[RouteActual]:
    start = datetime.combine(found.day, clock_time(0), tzinfo=UTC)
    emptyings = repository.emptyings_between(db, start, start + timedelta(days=1))
    emptied_ids = {e.container_id for e in emptyings}
    by_truck: dict[int | None, set[int]] = {}
    for emptying in emptyings:
        by_truck.setdefault(emptying.truck_id, set()).add(emptying.container_id)
    rows = []
    for route in found.routes:
        planned = {stop["id"] for stop in route.stops if stop["kind"] == "container"}
        rows.append(RouteActual(route, len(planned), len(planned & emptied_ids),
                                len(by_truck.get(route.truck_id, set()) - planned)))
    return rows


@dataclass(frozen=True)
class DayFigures:
    day: date
    km: float
    tonnes: float
    served: int
    emptied: int


@dataclass(frozen=True)
class Indicators:
    days: list[DayFigures]
    tonnes: float
    km: float
    served: int
    overflow_reports: int
    covered_population: int
    population: int

    @property
    def coverage(self) -> float | None:
        """ISO 37120 16.1: share of the population whose district has regular collection."""
        return self.covered_population / self.population if self.population else None


def indicators(db: Session, today: date, days: int = 14) -> Indicators:
    since = today - timedelta(days=days - 1)
    plans = repository.latest_done_plans(db, since)
    start = datetime.combine(since, clock_time(0), tzinfo=UTC)
    actual = repository.emptyings_per_day(db, start)
    by_day = {plan.day: plan for plan in plans}
    figures = []
    for offset in range(days):
        day = since + timedelta(days=offset)
        found = by_day.get(day)
        emptied = actual.get(day, (0, 0.0))[0]
        figures.append(DayFigures(day, (found.distance_m / 1000) if found else 0.0,
                                  (found.weight_kg / 1000) if found else 0.0, found.served if found else 0, emptied))
    week = today - timedelta(days=REGULAR_WINDOW_DAYS - 1)
    collected = {stop["id"] for plan in plans if plan.day >= week for route in plan.routes for stop in route.stops
                 if stop["kind"] == "container"}
    collected |= {c for c, at in repository.last_emptied(db).items() if to_utc(at).date() >= week}
    district_of = {c.id: c.district_id for c in repository.containers(db)}
    regular = {district_of[c] for c in collected if c in district_of}
    districts = territory.overview(db).districts
    reports = overflow_pins(db, start, datetime.combine(today, clock_time(23, 59), tzinfo=UTC))
    return Indicators(
        days=figures, tonnes=sum(f.tonnes for f in figures), km=sum(f.km for f in figures),
        served=sum(f.served for f in figures), overflow_reports=len(reports),
        covered_population=sum(d.population for d in districts if d.id in regular),
        population=sum(d.population for d in districts),
    )
