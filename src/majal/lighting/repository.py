"""Queries for public lighting: the only place with SQL for this domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from majal.lighting.models import (
    OPEN_WORK_ORDERS,
    Cabinet,
    DimmingProgramme,
    Reading,
    Streetlight,
    WorkOrder,
    WorkOrderRequest,
)


def programmes(db: Session) -> list[DimmingProgramme]:
    return list(db.scalars(select(DimmingProgramme).order_by(DimmingProgramme.code)))


def programme_by_code(db: Session, code: str) -> DimmingProgramme | None:
    return db.scalar(select(DimmingProgramme).where(DimmingProgramme.code == code))


def cabinets(db: Session) -> list[Cabinet]:
    return list(db.scalars(select(Cabinet).order_by(Cabinet.code)))


def cabinet_by_code(db: Session, code: str) -> Cabinet | None:
    return db.scalar(select(Cabinet).where(Cabinet.code == code))


def cabinet_by_id(db: Session, cabinet_id: int) -> Cabinet | None:
    return db.get(Cabinet, cabinet_id)


def cabinet_ids_by_code(db: Session) -> dict[str, int]:
    return {code: cabinet_id for code, cabinet_id in db.execute(select(Cabinet.code, Cabinet.id))}


def count_streetlights(db: Session) -> int:
    return db.scalar(select(func.count(Streetlight.id))) or 0


def streetlights(db: Session, cabinet_id: int | None = None, offset: int = 0,
                 limit: int | None = None) -> list[Streetlight]:
    query = select(Streetlight).order_by(Streetlight.pole_number).offset(offset).limit(limit)
    if cabinet_id is not None:
        query = query.where(Streetlight.cabinet_id == cabinet_id)
    return list(db.scalars(query))


def streetlights_in_box(db: Session, box: tuple[float, float, float, float], limit: int) -> list[Streetlight]:
    west, south, east, north = box
    query = (select(Streetlight)
             .where(Streetlight.lon >= west, Streetlight.lon <= east, Streetlight.lat >= south,
                    Streetlight.lat <= north)
             .order_by(Streetlight.id).limit(limit))
    return list(db.scalars(query))


def streetlight_by_id(db: Session, streetlight_id: int) -> Streetlight | None:
    return db.get(Streetlight, streetlight_id)


def streetlights_by_pole(db: Session, poles: Sequence[str]) -> dict[str, Streetlight]:
    found: dict[str, Streetlight] = {}
    for begin in range(0, len(poles), 1000):  # stays under every database's bound-parameter limit
        chunk = poles[begin:begin + 1000]
        found.update((light.pole_number, light)
                     for light in db.scalars(select(Streetlight).where(Streetlight.pole_number.in_(chunk))))
    return found


def insert_streetlights(db: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.execute(insert(Streetlight), rows)


def lamp_table(db: Session) -> list[tuple[int, float, str, bool, int, int | None, int | None]]:
    """(id, rated power, technology, dimmable, cabinet id, programme id, district id) of every lamp."""
    query = (select(Streetlight.id, Streetlight.rated_power_w, Streetlight.technology, Streetlight.dimmable,
                    Streetlight.cabinet_id, Cabinet.programme_id, Streetlight.district_id)
             .join(Cabinet, Cabinet.id == Streetlight.cabinet_id).order_by(Streetlight.id))
    return [tuple(row) for row in db.execute(query)]  # type: ignore[misc]


def add_reading(db: Session, reading: Reading) -> None:
    db.add(reading)


def open_work_order(db: Session, streetlight_id: int) -> WorkOrder | None:
    return db.scalar(select(WorkOrder).where(WorkOrder.streetlight_id == streetlight_id,
                                             WorkOrder.status.in_(OPEN_WORK_ORDERS))
                     .order_by(WorkOrder.id).limit(1))


def work_orders(db: Session, statuses: Sequence[str], offset: int, limit: int) -> tuple[list[WorkOrder], int]:
    query = select(WorkOrder).where(WorkOrder.status.in_(statuses))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(WorkOrder.opened_at, WorkOrder.id).offset(offset).limit(limit))
    return list(rows), total


def work_order_by_id(db: Session, work_order_id: int) -> WorkOrder | None:
    return db.get(WorkOrder, work_order_id)


def work_order_lives(db: Session, since: datetime) -> list[tuple[str, datetime, datetime | None]]:
    """(status, opened, closed) of work orders opened since `since`."""
    query = select(WorkOrder.status, WorkOrder.opened_at, WorkOrder.closed_at).where(WorkOrder.opened_at >= since)
    return [tuple(row) for row in db.execute(query)]  # type: ignore[misc]


def open_fault_lamp_ids(db: Session) -> set[int]:
    query = select(WorkOrder.streetlight_id).where(WorkOrder.status.in_(OPEN_WORK_ORDERS))
    return set(db.scalars(query))


def link_request(db: Session, work_order: WorkOrder, request_id: int, distance_m: float) -> None:
    if all(link.service_request_id != request_id for link in work_order.links):
        work_order.links.append(WorkOrderRequest(service_request_id=request_id, distance_m=distance_m))


def open_work_order_statuses(db: Session) -> list[tuple[int, str]]:
    query = select(WorkOrder.streetlight_id, WorkOrder.status).where(WorkOrder.status.in_(OPEN_WORK_ORDERS))
    return [(lamp_id, status) for lamp_id, status in db.execute(query)]


def lamp_positions(db: Session) -> list[tuple[int, float, float]]:
    return [(lamp_id, lon, lat) for lamp_id, lon, lat in
            db.execute(select(Streetlight.id, Streetlight.lon, Streetlight.lat).order_by(Streetlight.id))]


def linked_request_ids(db: Session) -> set[int]:
    return set(db.scalars(select(WorkOrderRequest.service_request_id)))


def pole_numbers(db: Session) -> list[tuple[int, str]]:
    return [(lamp_id, pole) for lamp_id, pole in db.execute(select(Streetlight.id, Streetlight.pole_number))]
