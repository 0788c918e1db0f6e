"""Waste collection: the inventory, fill readings, which containers are due, and the daily plan (a background job).

A container weighs what its volume holds at its forecast fill times the density of household waste in a bin; a truck
holds its rated load in kilograms and, in litres of loose waste, its body volume times its compaction ratio. The plan
is solved by the routing engine (`routing.solve_collection`) over distances from the imported road graph or, without
one, great-circle distances times a detour factor (`distances`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.strtree import STRtree
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from majal.cleanliness import distances, forecast, inventory, repository, routing
from majal.cleanliness.models import CollectionPlan, Container, Emptying, FillReading, PlanRoute, Road, Site, Truck
from majal.cleanliness.schemas import FillIn
from majal.kit import audit, clock
from majal.kit.audit import utcnow
from majal.kit.errors import MajalError, NotFound
from majal.kit.i18n import N_, gettext
from majal.kit.mqtt import Topic
from majal.kit.validation import row_id
from majal.territory import service as territory

log = logging.getLogger("majal.cleanliness")

DENSITY_KG_PER_L = 0.15  # household waste loose in a bin: about 150 kg/m³
ASSUMED_FILL = 0.75  # a container without readings, due by its frequency, is taken as three quarters full
DEFAULT_THRESHOLD = 0.7  # forecast fill from which a sensor-watched container is due
DEFAULT_SECONDS = 20.0
MAX_SECONDS = 600.0
CLOCK_DRIFT = timedelta(minutes=10)  # a device clock this far ahead is still believed
STALE_AFTER = timedelta(minutes=15)  # a plan still running this long after its search time has lost its worker
OVERFLOW_SERVICE = "BIN_FULL"  # the Open311 service of an overflowing container
OVERFLOW_RADIUS_M = 75.0  # a report farther than this from any container is pinned to none
READING_HISTORY = timedelta(days=30)
TRUCK_DAY_COST_M = 40_000  # a truck and its crew for a day weigh as much as 40 km of driving: use fewer trucks
REGULAR_WINDOW_DAYS = 7  # ISO 37120 16.1: a district is regularly collected when collected within a week

UNSERVED_MESSAGES = {
    routing.TOO_HEAVY: N_("Heavier or bulkier than any truck can carry (%(kg)s kg, %(litres)s L)."),
    routing.WINDOW_UNREACHABLE: N_("No truck can reach it within its time window %(window)s and be back within "
                                   "its shift."),
    routing.NO_ROOM: N_("No room left: the trucks' shifts, loads and the other containers' time windows could not "
                        "all fit it in."),
}


# ----------------------------------------------------------------------------------------------------
# Inventory


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
    existing: dict[str, Any] = {row.code: row for row in db.query(model)}
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


# ----------------------------------------------------------------------------------------------------
# Fill readings and emptyings


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
    if found.last_emptied_at is None or _aware(found.last_emptied_at) < at:
        found.last_emptied_at = at
    db.flush()
    return emptying


def container_forecast(db: Session, found: Container, at: datetime) -> forecast.Forecast:
    readings = [(_aware(r.at), r.fill) for r in repository.readings_of(db, found.id)]
    emptied = _aware(found.last_emptied_at) if found.last_emptied_at else None
    return forecast.forecast(readings, at, emptied)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# ----------------------------------------------------------------------------------------------------
# Containers due


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
        seen = forecast.forecast([(_aware(at), fill) for at, fill in readings.get(found.id, [])], day_end, emptied)
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
    known = [_aware(recorded)] if recorded else []
    if found.last_emptied_at is not None and _aware(found.last_emptied_at) < day_end:
        known.append(_aware(found.last_emptied_at))
    return max(known, default=None)


# ----------------------------------------------------------------------------------------------------
# The daily plan, a background job


def queue_plan(db: Session, day: date, seconds: float, threshold: float, actor: str) -> CollectionPlan:
    clock.check_day(day, "day")
    if not 1 <= seconds <= MAX_SECONDS:
        raise MajalError(N_("The search time must be from 1 to %(limit)s seconds."), where="seconds",
                         limit=int(MAX_SECONDS))
    if not 0.05 <= threshold <= 1.0:
        raise MajalError(N_("The fill threshold must be from 0.05 to 1."), where="threshold")
    if not repository.trucks(db, active_only=True):
        raise MajalError(N_("There is no active truck: import the fleet first."))
    plan = CollectionPlan(day=day, status="queued", progress=0.0, seconds=seconds, threshold=threshold,
                          requested_by=actor[:120], error="", unserved=[])
    db.add(plan)
    db.flush()
    audit.record(db, actor, "cleanliness.plan.queue", "collection_plan", str(plan.id), {"day": day.isoformat()})
    return plan


def run_queued_plans(sessions: sessionmaker[Session]) -> int:
    """Compute every queued plan, oldest first (for `majal worker`); returns how many were run."""
    done = 0
    with sessions.begin() as db:
        stale = repository.running_since(db, utcnow() - timedelta(seconds=MAX_SECONDS) - STALE_AFTER)
        for plan in stale:  # its worker died: say so rather than show "computing" for ever
            plan.status, plan.finished_at = "failed", utcnow()
            plan.error = gettext(N_("The worker stopped while computing this plan: plan the day again."))
    while True:
        with sessions.begin() as db:
            plan_id = repository.take_queued_plan(db)
        if plan_id is None:
            return done
        run_plan(sessions, plan_id)
        done += 1


def run_plan(sessions: sessionmaker[Session], plan_id: int,
             on_progress: Callable[[float], None] | None = None) -> None:
    """Build the day's problem, search, store the routes. The search runs outside any transaction; its progress is
    written about once a second so the plan's page can show it; any failure marks the plan failed, with why."""
    try:
        with sessions.begin() as db:
            plan = repository.plan(db, plan_id)
            if plan is None:
                return
            plan.status, plan.started_at, plan.progress = "running", utcnow(), 0.0
            built = build_problem(db, plan.day, plan.threshold)
            seconds = plan.seconds
        last = [0.0]

        def progress(elapsed: float, _best: int | None) -> None:
            share = min(elapsed / seconds, 0.99)
            if on_progress is not None:
                on_progress(share)
            if time.monotonic() - last[0] >= 1.0:
                last[0] = time.monotonic()
                with sessions.begin() as db:
                    repository.set_progress(db, plan_id, share)

        result = (routing.solve_collection(built.problem, seconds=seconds, on_progress=progress)
                  if built.problem is not None else routing.CollectionResult([], {}, 0))
        with sessions.begin() as db:
            plan = repository.plan(db, plan_id)
            assert plan is not None
            _store(plan, built, result)
    except Exception as error:  # the job must say it failed rather than stay "running" for ever
        log.exception("collection plan %s failed", plan_id)
        with sessions.begin() as db:
            plan = repository.plan(db, plan_id)
            if plan is not None:
                plan.status, plan.finished_at = "failed", utcnow()
                plan.error = error.translated() if isinstance(error, MajalError) else type(error).__name__
    if on_progress is not None:
        on_progress(1.0)


@dataclass
class BuiltProblem:
    problem: routing.CollectionProblem | None
    due: list[Due]
    sites: list[Site]
    trucks: list[Truck]
    source: str


def build_problem(db: Session, day: date, threshold: float) -> BuiltProblem:
    trucks = repository.trucks(db, active_only=True)
    if not trucks:
        raise MajalError(N_("There is no active truck: import the fleet first."))
    due = due_containers(db, day, threshold)
    site_ids = sorted({t.depot_id for t in trucks} | {t.landfill_id for t in trucks})
    sites = [site for site in repository.sites(db) if site.id in site_ids]
    if not due:
        return BuiltProblem(None, due, sites, trucks, "")
    node_of_site = {site.id: index for index, site in enumerate(sites)}
    points = np.array([(s.lon, s.lat) for s in sites] + [(d.container.lon, d.container.lat) for d in due])
    roads = repository.roads(db)
    graph = distances.build_graph([(np.asarray(r.geometry.coords), r.oneway) for r in roads]) if roads else None
    matrices = distances.matrices(points, graph)
    day_window = (0, routing.DAY_SECONDS)
    windows = [day_window] * len(sites) + [
        (d.container.window_start_minutes * 60, d.container.window_end_minutes * 60)
        if d.container.window_start_minutes is not None and d.container.window_end_minutes is not None
        else day_window for d in due]
    service = [site.unload_minutes * 60 for site in sites] + [
        inventory.CONTAINER_KINDS.get(d.container.kind, (0, 60))[1] for d in due]
    problem = routing.CollectionProblem(
        distances=matrices.distances, durations=matrices.durations, coords=points, num_sites=len(sites),
        pickups=np.array([(0, 0)] * len(sites) + [(d.kilograms, d.litres) for d in due], dtype=np.int64),
        service=np.array(service, dtype=np.int64), windows=np.array(windows, dtype=np.int64),
        trucks=tuple(routing.TruckSpec(
            name=t.code, capacity=(t.capacity_kg, round(t.capacity_m3 * 1000 * t.compaction)),
            depot=node_of_site[t.depot_id], landfill=node_of_site[t.landfill_id],
            shift_start=t.shift_start_minutes * 60, shift_duration=t.shift_minutes * 60, fixed_cost=TRUCK_DAY_COST_M,
        ) for t in trucks),
    )
    return BuiltProblem(problem, due, sites, trucks, matrices.source)


def _store(plan: CollectionPlan, built: BuiltProblem, result: routing.CollectionResult) -> None:
    plan.routes.clear()
    num_sites = len(built.sites)
    for number, route in enumerate(sorted(result.routes, key=lambda r: built.trucks[r.truck].code), start=1):
        truck = built.trucks[route.truck]
        plan.routes.append(PlanRoute(
            truck_id=truck.id, number=number, distance_m=route.distance, weight_kg=route.collected[0],
            volume_l=route.collected[1], duration_s=route.duration, trips=route.trips,
            stops=[_stop(built, visit, num_sites, index == 0) for index, visit in enumerate(route.visits)],
        ))
    plan.unserved = [_unserved(built, node, reason) for node, reason in result.unserved.items()]
    plan.due = len(built.due)
    plan.served = plan.due - len(result.unserved)
    plan.distance_m = result.distance
    plan.weight_kg = sum(route.collected[0] for route in result.routes)
    plan.trucks_used = len(result.routes)
    plan.distance_source = built.source
    plan.status, plan.progress, plan.finished_at = "done", 1.0, utcnow()


def _stop(built: BuiltProblem, visit: routing.Visit, num_sites: int, first: bool) -> dict[str, Any]:
    if visit.node < num_sites:
        site = built.sites[visit.node]
        return {"kind": "depot" if first else "landfill", "id": site.id, "code": site.code, "name": site.name,
                "lon": site.lon, "lat": site.lat, "arrival_s": visit.arrival, "load_kg": visit.load[0],
                "trip": visit.trip}
    due = built.due[visit.node - num_sites]
    found = due.container
    return {"kind": "container", "id": found.id, "code": found.code, "street": found.street, "lon": found.lon,
            "lat": found.lat, "arrival_s": visit.arrival, "load_kg": visit.load[0], "trip": visit.trip,
            "kg": due.kilograms, "volume_l": found.volume_l, "container_kind": found.kind, "reason": due.reason,
            "window": _window(found)}


def _unserved(built: BuiltProblem, node: int, reason: str) -> dict[str, Any]:
    due = built.due[node - len(built.sites)]
    found = due.container
    return {"container_id": found.id, "code": found.code, "reason": reason, "kg": due.kilograms,
            "litres": due.litres, "window": _window(found)}


def _window(found: Container) -> str:
    if found.window_start_minutes is None or found.window_end_minutes is None:
        return ""
    return f"{inventory.clock(found.window_start_minutes)}–{inventory.clock(found.window_end_minutes)}"


def unserved_message(entry: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The message id and its parameters explaining why a container was left out of a plan."""
    return UNSERVED_MESSAGES.get(entry.get("reason", ""), UNSERVED_MESSAGES[routing.NO_ROOM]), {
        "kg": entry.get("kg", 0), "litres": entry.get("litres", 0), "window": entry.get("window", "")}


def plan(db: Session, plan_id: int) -> CollectionPlan:
    found = repository.plan(db, plan_id)
    if found is None:
        raise NotFound(N_("There is no collection plan %(id)s."), id=plan_id)
    return found


def plans(db: Session, limit: int = 30) -> list[CollectionPlan]:
    return repository.plans(db, limit)


def plan_route(db: Session, plan_id: int, route_id: int) -> PlanRoute:
    found = repository.route(db, plan_id, route_id)
    if found is None:
        raise NotFound(N_("This plan has no route %(id)s."), id=route_id)
    return found


# ----------------------------------------------------------------------------------------------------
# Plan against what was done, overflow reports, key figures


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
    collected |= {c for c, at in repository.last_emptied(db).items() if _aware(at).date() >= week}
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


def plan_now(db: Session, day: date, seconds: float, threshold: float, actor: str) -> CollectionPlan:
    """Queue and compute a plan at once, in the caller's transaction (the demo; tests of the planner)."""
    queued = queue_plan(db, day, seconds, threshold, actor)
    queued.status, queued.started_at = "running", utcnow()
    built = build_problem(db, day, threshold)
    result = (routing.solve_collection(built.problem, seconds=seconds) if built.problem is not None
              else routing.CollectionResult([], {}, 0))
    _store(queued, built, result)
    db.flush()
    return queued


# ----------------------------------------------------------------------------------------------------
# The demo commune


def load_demo(db: Session, now: datetime, actor: str = "demo") -> bool:
    """Add the demo inventory and its sensor history, once; False when there already are containers."""
    from majal.cleanliness import demo

    if repository.count(db, Container):
        return False
    districts = territory.overview(db).districts
    if not districts:
        raise MajalError(N_("Import the commune's districts first: containers are placed in them."))
    built = demo.build([d.geometry for d in districts], [d.id for d in districts], [d.population for d in districts],
                       _aware(now))
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
    db.execute(insert(FillReading), [
        {"container_id": ids[code], "at": at, "fill": fill, "source": "demo"}
        for code, series in built.readings.items() for at, fill in series])
    db.add_all(Road(name=row.name, oneway=row.oneway, geometry=LineString(row.coordinates)) for row in built.roads)
    db.execute(insert(Emptying), [
        {"container_id": ids[code], "truck_id": None, "at": at, "weight_kg": None, "source": "demo"}
        for code, at in built.emptied.items()])
    audit.record(db, actor, "cleanliness.demo", "inventory", "demo", {"containers": len(records)})
    return True
