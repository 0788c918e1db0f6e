"""Work orders: one per faulty lamp, opened by telemetry or by citizens' reports joined to it, worked through
open → in progress → repaired (or cancelled); a repair resolves the joined reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session

from majal.kit import audit
from majal.kit.audit import utcnow
from majal.kit.errors import Conflict, MajalError, NotFound
from majal.kit.geo import WGS84_GEOD
from majal.kit.i18n import N_, gettext
from majal.kit.security import StaffMember
from majal.lighting import faults, repository
from majal.lighting.models import OPEN_WORK_ORDERS, Streetlight, WorkOrder
from majal.lighting.service.access import check_lighting_staff
from majal.requests import service as requests
from majal.requests import workflow
from majal.requests.schemas import RequestQuery

JOIN_METRES = 25.0  # a citizen's report this close to a faulty lamp is about the same pole
WORK_ORDER_STATUSES = ("open", "in_progress", "repaired", "cancelled")
WORK_ORDER_MOVES = {"open": ("in_progress", "repaired", "cancelled"), "in_progress": ("repaired", "cancelled")}
LIGHTING_SERVICES = ("LIGHT_OUT", "LIGHT_DAY", "POLE_DAMAGED")
PAGE_SIZE = 50
STATUS_LABELS = {"open": N_("To do"), "in_progress": N_("In progress"), "repaired": N_("Repaired"),
                 "cancelled": N_("Cancelled")}
FAULT_LABELS = {faults.Fault.out_at_night: N_("Lamp out at night"), faults.Fault.lit_by_day: N_("Lit by day"),
                faults.Fault.power_deviation: N_("Power far from expected"),
                faults.Fault.citizen_report: N_("Reported by a citizen")}


def open_fault(db: Session, light: Streetlight, fault: str, actor: str, at: datetime | None = None) -> WorkOrder:
    """One work order per faulty lamp: a new fault on a lamp already waiting for repair joins its order."""
    order = repository.open_work_order(db, light.id)
    if order is None:
        order = WorkOrder(streetlight_id=light.id, streetlight=light, fault=fault, status="open",
                          opened_at=at or utcnow())
        db.add(order)
        db.flush()
        audit.record(db, actor, "lighting.work_order.open", "work_order", order.id, {"fault": fault})
    elif fault not in order.detail.split():
        order.detail = f"{order.detail} {fault}".strip()
    _join_citizen_reports(db, order, light)
    return order


def _join_citizen_reports(db: Session, order: WorkOrder, light: Streetlight) -> None:
    for code in LIGHTING_SERVICES:
        for found in requests.nearby(db, code, light.lon, light.lat, metres=JOIN_METRES):
            if found.lon is None or found.lat is None:
                continue
            distance = WGS84_GEOD.inv(light.lon, light.lat, found.lon, found.lat)[2]
            repository.link_request(db, order, found.id, round(distance, 1))


def work_order_queue(db: Session, user: StaffMember, status: str, page: int) -> tuple[list[WorkOrder], int]:
    check_lighting_staff(user)
    # "open" (and anything unknown) is the whole queue still to repair: open and in progress
    statuses = (status,) if status in WORK_ORDER_STATUSES and status != "open" else OPEN_WORK_ORDERS
    return repository.work_orders(db, statuses, max(page - 1, 0) * PAGE_SIZE, PAGE_SIZE)


def work_order(db: Session, user: StaffMember, work_order_id: int) -> WorkOrder:
    check_lighting_staff(user)
    found = repository.work_order_by_id(db, work_order_id)
    if found is None:
        raise NotFound(N_("There is no work order %(id)s."), id=work_order_id)
    return found


def move_work_order(db: Session, user: StaffMember, work_order_id: int, target: str, note: str,
                    secret: str | None = None) -> WorkOrder:
    """open → in progress → repaired (or cancelled); the time to repair runs from opening to repair. A repair
    resolves the citizens' reports joined to the order (they hear of it), when `secret` can seal their news."""
    order = work_order(db, user, work_order_id)
    if target not in WORK_ORDER_MOVES.get(order.status, ()):
        raise Conflict(N_("A work order that is “%(status)s” cannot become “%(target)s”."), where="status",
                       status=gettext(STATUS_LABELS[order.status]),
                       target=gettext(STATUS_LABELS[target]) if target in STATUS_LABELS else target)
    if len(note) > 2000:
        raise MajalError(N_("Must be at most %(limit)s characters long."), where="note", limit=2000)
    now = utcnow()
    order.status = target
    if target == "in_progress":
        order.started_at = now
    else:
        order.closed_at = now
    if note.strip():
        order.note = (order.note + "\n" + note.strip()).strip()
    audit.record(db, user.username, "lighting.work_order." + target, "work_order", order.id)
    if target == "repaired" and secret is not None:
        _resolve_joined_reports(db, user, order, note.strip() or gettext(N_("The lamp has been repaired.")), secret)
    return order


def _resolve_joined_reports(db: Session, user: StaffMember, order: WorkOrder, note: str, secret: str) -> None:
    for link in order.links:
        joined = requests.staff_request(db, user, link.service_request_id)
        if joined.status in workflow.OPEN:
            requests.change_status(db, secret, user, joined, workflow.Status.resolved, note)


@dataclass(frozen=True)
class JoinResult:
    joined: int  # reports joined to a work order already open for their lamp
    opened: int  # reports that opened a work order


def join_citizen_reports(db: Session, actor: str) -> JoinResult:
    """Open lighting reports of the last 90 days not yet joined: each goes to the nearest lamp within 25 m, onto
    its open work order or a new one (fault: reported by a citizen)."""
    known = {chosen.code for chosen in requests.services(db)}
    codes = tuple(code for code in LIGHTING_SERVICES if code in known)
    if not codes:  # no service catalogue yet: no report to join
        return JoinResult(0, 0)
    # "open" is Open311's word for every open status of the workflow (new, acknowledged, in progress)
    rows, _services = requests.search(db, RequestQuery(service_codes=codes, statuses=("open",)))
    done = repository.linked_request_ids(db)
    pending = [row for row in rows if row.id not in done and row.lon is not None and row.lat is not None]
    positions = repository.lamp_positions(db)
    if not pending or not positions:
        return JoinResult(0, 0)
    ids = np.array([p[0] for p in positions])
    lons, lats = np.array([p[1] for p in positions]), np.array([p[2] for p in positions])
    joined = opened = 0
    for row in pending:
        assert row.lon is not None and row.lat is not None
        _forward, _back, metres = WGS84_GEOD.inv(np.full(ids.size, row.lon), np.full(ids.size, row.lat), lons, lats)
        nearest = int(np.argmin(metres))
        if metres[nearest] > JOIN_METRES:
            continue
        light = repository.streetlight_by_id(db, int(ids[nearest]))
        assert light is not None
        order = repository.open_work_order(db, light.id)
        if order is None:
            order = open_fault(db, light, faults.Fault.citizen_report, actor)
            opened += 1
        else:
            joined += 1
        repository.link_request(db, order, row.id, round(float(metres[nearest]), 1))
    return JoinResult(joined, opened)
