"""Queries for waste collection: the only place with SQL for this domain."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, cast, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from majal.cleanliness.models import CollectionPlan, Container, Emptying, FillReading, PlanRoute, Road, Site, Truck
from majal.kit.jobs import Job


def sites(db: Session) -> list[Site]:
    return list(db.scalars(select(Site).order_by(Site.code)))


def trucks(db: Session, active_only: bool = False) -> list[Truck]:
    query = select(Truck).order_by(Truck.code)
    if active_only:
        query = query.where(Truck.active.is_(True))
    return list(db.scalars(query))


def containers(db: Session, statuses: tuple[str, ...] = ()) -> list[Container]:
    query = select(Container).order_by(Container.code)
    if statuses:
        query = query.where(Container.status.in_(statuses))
    return list(db.scalars(query))


def container(db: Session, container_id: int) -> Container | None:
    return db.get(Container, container_id)


def by_codes(db: Session, model: type[Site] | type[Truck] | type[Container]) -> dict[str, int]:
    return {code: row_id for code, row_id in db.execute(select(model.code, model.id))}


def records_by_code(db: Session, model: type[Site] | type[Truck] | type[Container]) -> dict[str, Any]:
    records: list[Site | Truck | Container] = list(db.scalars(select(model)))
    return {record.code: record for record in records}


def count(db: Session, model: type[Site] | type[Truck] | type[Container] | type[Road]) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def roads(db: Session) -> list[Road]:
    return list(db.scalars(select(Road).order_by(Road.id)))


def delete_roads(db: Session) -> None:
    db.execute(delete(Road))


def readings_between(db: Session, since: datetime, until: datetime) -> dict[int, list[tuple[datetime, float]]]:
    """Every container's readings from `since` until before `until`, oldest first."""
    found: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    query = (select(FillReading.container_id, FillReading.at, FillReading.fill)
             .where(FillReading.at >= since, FillReading.at < until)
             .order_by(FillReading.container_id, FillReading.at))
    for container_id, at, fill in db.execute(query):
        found[container_id].append((at, fill))
    return found


def insert_readings(db: Session, rows: list[dict[str, Any]]) -> None:
    """Many readings at once ({container_id, at, fill, source} each), without building ORM objects."""
    if rows:
        db.execute(insert(FillReading), rows)


def insert_emptyings(db: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.execute(insert(Emptying), rows)


def readings_of(db: Session, container_id: int, limit: int = 200) -> list[FillReading]:
    query = (select(FillReading).where(FillReading.container_id == container_id)
             .order_by(FillReading.at.desc()).limit(limit))
    return list(reversed(list(db.scalars(query))))


def plan(db: Session, plan_id: int) -> CollectionPlan | None:
    return db.get(CollectionPlan, plan_id)


def plans(db: Session, limit: int = 30) -> list[CollectionPlan]:
    return list(db.scalars(select(CollectionPlan).order_by(CollectionPlan.id.desc()).limit(limit)))


def latest_done_plans(db: Session, since: date) -> list[CollectionPlan]:
    """The last completed plan of each day from `since` on, by day."""
    latest = (select(func.max(CollectionPlan.id)).where(CollectionPlan.status == "done", CollectionPlan.day >= since)
              .group_by(CollectionPlan.day))
    return list(db.scalars(select(CollectionPlan).where(CollectionPlan.id.in_(latest)).order_by(CollectionPlan.day)))


def plans_whose_job_ended(db: Session, kind: str) -> list[tuple[CollectionPlan, Job]]:
    """Plans still queued or running whose latest job failed or was cancelled."""
    subject = literal("plan:", String) + cast(CollectionPlan.id, String)
    latest = (select(func.max(Job.id)).where(Job.kind == kind, Job.subject == subject)
              .correlate(CollectionPlan).scalar_subquery())
    query = (select(CollectionPlan, Job).join(Job, Job.id == latest)
             .where(CollectionPlan.status.in_(("queued", "running")), Job.status.in_(("failed", "cancelled"))))
    return [(plan, job) for plan, job in db.execute(query).tuples()]


def set_progress(db: Session, plan_id: int, progress: float) -> None:
    db.execute(update(CollectionPlan).where(CollectionPlan.id == plan_id).values(progress=progress),
               execution_options={"synchronize_session": False})


def route(db: Session, plan_id: int, route_id: int) -> PlanRoute | None:
    found = db.get(PlanRoute, route_id)
    return found if found is not None and found.plan_id == plan_id else None


def emptyings_between(db: Session, start: datetime, end: datetime) -> list[Emptying]:
    return list(db.scalars(select(Emptying).where(Emptying.at >= start, Emptying.at < end).order_by(Emptying.at)))


def emptyings_per_day(db: Session, since: datetime) -> dict[date, tuple[int, float]]:
    """Containers emptied and kilograms weighed per day."""
    found: dict[date, tuple[int, float]] = {}
    for at, weight in db.execute(select(Emptying.at, Emptying.weight_kg).where(Emptying.at >= since)):
        day = at.date()
        emptied, kilograms = found.get(day, (0, 0.0))
        found[day] = (emptied + 1, kilograms + (weight or 0.0))
    return found


def last_emptied(db: Session, before: datetime | None = None) -> dict[int, datetime]:
    """Each container's last recorded emptying (before a moment, when given)."""
    query = select(Emptying.container_id, func.max(Emptying.at)).group_by(Emptying.container_id)
    if before is not None:
        query = query.where(Emptying.at < before)
    return {container_id: at for container_id, at in db.execute(query)}
