"""The daily collection plan, a job of the queue (`majal.kit.jobs`, kind PLAN_JOB): queued, built from the
containers due and the fleet, solved by the routing engine (`routing.solve_collection`) over distances from the
imported road graph or, without one, great-circle distances times a detour factor (`distances`), and stored with its
routes.

A truck holds its rated load in kilograms and, in litres of loose waste, its body volume times its compaction
ratio."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from majal.cleanliness import distances, inventory, repository, routing
from majal.cleanliness.models import CollectionPlan, Container, PlanRoute, Site, Truck
from majal.cleanliness.service.due import Due, due_containers
from majal.kit import audit, clock, jobs
from majal.kit.audit import utcnow
from majal.kit.errors import MajalError, NotFound
from majal.kit.i18n import N_

log = logging.getLogger("majal.cleanliness")

DEFAULT_SECONDS = 20.0
MAX_SECONDS = 600.0
PLAN_JOB = "cleanliness.plan"
ATTEMPTS = 2  # a plan whose worker died is computed again once: it writes nothing until it is done
TRUCK_DAY_COST_M = 40_000  # a truck and its crew for a day weigh as much as 40 km of driving: use fewer trucks

UNSERVED_MESSAGES = {
    routing.TOO_HEAVY: N_("Heavier or bulkier than any truck can carry (%(kg)s kg, %(litres)s L)."),
    routing.WINDOW_UNREACHABLE: N_("No truck can reach it within its time window %(window)s and be back within "
                                   "its shift."),
    routing.NO_ROOM: N_("No room left: the trucks' shifts, loads and the other containers' time windows could not "
                        "all fit it in."),
}


def queue_plan(db: Session, day: date, seconds: float, threshold: float, actor: str) -> CollectionPlan:
    """A new plan, left to the worker; its page follows the job."""
    plan = new_plan(db, day, seconds, threshold, actor)
    jobs.enqueue(db, PLAN_JOB, {"plan_id": plan.id}, actor, subject=plan_subject(plan.id), max_attempts=ATTEMPTS)
    return plan


def plan_subject(plan_id: int) -> str:
    return f"plan:{plan_id}"


def plan_job_of(db: Session, plan_id: int) -> jobs.Job | None:
    """The job that computes (or computed) the plan; None for a plan made at once (the demo's, the CLI's)."""
    return jobs.latest(db, PLAN_JOB, plan_subject(plan_id))


def new_plan(db: Session, day: date, seconds: float, threshold: float, actor: str) -> CollectionPlan:
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
    """Compute the queued plans now, oldest first (what the worker does with them); returns how many ran."""
    return jobs.run_queued(sessions, {PLAN_JOB: plan_job})


def plan_job(sessions: sessionmaker[Session], params: dict[str, Any], progress: jobs.Progress) -> None:
    """The queue's handler: compute the plan, its progress shown on the plan's page and the job's."""
    run_plan(sessions, int(params["plan_id"]), progress)


def reconcile_plans(sessions: sessionmaker[Session]) -> int:
    """Plans whose job ended without them (its worker died for good, it was cancelled before it started) say so,
    with the job's reason (a periodic job of the worker)."""
    with sessions.begin() as db:
        ended = repository.plans_whose_job_ended(db, PLAN_JOB)
        for plan, job in ended:
            plan.status, plan.finished_at, plan.error = job.status, utcnow(), job.error
    return len(ended)


def run_plan(sessions: sessionmaker[Session], plan_id: int,
             on_progress: Callable[[float], None] | None = None) -> None:
    """Build the day's problem, search, store the routes. The search runs outside any transaction; its progress is
    written about once a second so the plan's page can show it. A failure marks the plan failed, with why, and is
    raised again for the job; a cancellation (raised by the job's progress) marks it cancelled."""
    try:
        with sessions.begin() as db:
            plan = repository.plan(db, plan_id)
            if plan is None:
                return
            plan.status, plan.started_at, plan.progress, plan.error = "running", utcnow(), 0.0, ""
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
    except jobs.Cancelled:
        _end(sessions, plan_id, "cancelled", "")
        raise
    except Exception as error:  # the plan must say it failed rather than stay "running" for ever
        log.exception("collection plan %s failed", plan_id)
        _end(sessions, plan_id, "failed", error.translated() if isinstance(error, MajalError) else type(error).__name__)
        raise


def _end(sessions: sessionmaker[Session], plan_id: int, status: str, error: str) -> None:
    with sessions.begin() as db:
        plan = repository.plan(db, plan_id)
        if plan is not None:
            plan.status, plan.finished_at, plan.error = status, utcnow(), error


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


def plan_geojson(found: CollectionPlan) -> dict[str, Any]:
    """The plan's routes and stops as a GeoJSON FeatureCollection: one LineString per route, one Point per stop."""
    features: list[dict[str, Any]] = []
    for route in found.routes:
        features.append({"type": "Feature", "geometry": {
            "type": "LineString", "coordinates": [[s["lon"], s["lat"]] for s in route.stops]},
            "properties": {"route": route.number, "truck": route.truck.code, "route_id": route.id,
                           "km": round(route.distance_m / 1000, 1), "kg": route.weight_kg}})
        for order, stop in enumerate(route.stops):
            point = {"type": "Point", "coordinates": [stop["lon"], stop["lat"]]}
            features.append({"type": "Feature", "geometry": point,
                             "properties": {"route": route.number, "order": order, "kind": stop["kind"],
                                            "code": stop["code"], "arrival": _clock(stop["arrival_s"])}})
    return {"type": "FeatureCollection", "features": features}


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def plan_route(db: Session, plan_id: int, route_id: int) -> PlanRoute:
    found = repository.route(db, plan_id, route_id)
    if found is None:
        raise NotFound(N_("This plan has no route %(id)s."), id=route_id)
    return found


def plan_now(db: Session, day: date, seconds: float, threshold: float, actor: str) -> CollectionPlan:
    """Make and compute a plan at once, in the caller's transaction (the demo; tests of the planner)."""
    queued = new_plan(db, day, seconds, threshold, actor)
    queued.status, queued.started_at = "running", utcnow()
    built = build_problem(db, day, threshold)
    result = (routing.solve_collection(built.problem, seconds=seconds) if built.problem is not None
              else routing.CollectionResult([], {}, 0))
    _store(queued, built, result)
    db.flush()
    return queued
