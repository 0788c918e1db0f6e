"""Queries for the service catalogue and service requests."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from majal.requests.models import RequestPhoto, RequestSubscription, Service, ServiceRequest
from majal.requests.schemas import QueueFilters
from majal.requests.workflow import OPEN

OPEN_STATUSES = tuple(OPEN)


def services(db: Session, active_only: bool = True) -> list[Service]:
    query = select(Service).order_by(Service.department, Service.code)
    if active_only:
        query = query.where(Service.active.is_(True))
    return list(db.scalars(query))


def service_by_code(db: Session, code: str) -> Service | None:
    return db.scalar(select(Service).where(Service.code == code))


def request_by_id(db: Session, request_id: int) -> ServiceRequest | None:
    return db.get(ServiceRequest, request_id)


def request_by_token(db: Session, token: str) -> ServiceRequest | None:
    return db.scalar(select(ServiceRequest).where(ServiceRequest.token == token))


def request_by_tracking_code(db: Session, code: str) -> ServiceRequest | None:
    return db.scalar(select(ServiceRequest).where(ServiceRequest.tracking_code == code))


def tracking_code_taken(db: Session, code: str) -> bool:
    return db.scalar(select(ServiceRequest.id).where(ServiceRequest.tracking_code == code)) is not None


class SearchRow(NamedTuple):
    """A request as Open311's search shows it (never the contact details): the columns `search` reads."""

    id: int
    service_id: int
    status: str
    status_notes: str
    description: str
    requested_at: datetime
    updated_at: datetime
    expected_at: datetime
    address_string: str
    lat: float | None
    lon: float | None
    media_url: str


def search(
    db: Session,
    ids: tuple[int, ...],
    service_ids: tuple[int, ...],
    statuses: tuple[str, ...],
    start: datetime | None,
    before: datetime | None,
    limit: int,
) -> list[SearchRow]:
    """Open311's search (requested from `start`, and before `before`), newest first, as plain tuples (no ORM objects,
    no joined service or district). The `limit` ids are picked first, from the (service_id, status, requested_at)
    index alone, so only the rows returned are read and sorted, not every match."""
    c = ServiceRequest.__table__.c
    chosen = select(c.id)
    if ids:
        chosen = chosen.where(c.id.in_(ids))
    if service_ids:
        chosen = chosen.where(c.service_id.in_(service_ids))
    if statuses:
        chosen = chosen.where(c.status.in_(statuses))
    if start is not None:
        chosen = chosen.where(c.requested_at >= start)
    if before is not None:
        chosen = chosen.where(c.requested_at < before)
    chosen = chosen.order_by(c.requested_at.desc()).limit(limit)
    query = select(*(c[name] for name in SearchRow._fields)).where(c.id.in_(chosen)).order_by(c.requested_at.desc())
    return [SearchRow._make(row) for row in db.execute(query)]


def queue(
    db: Session, filters: QueueFilters, now: datetime, offset: int, limit: int
) -> tuple[list[ServiceRequest], int]:
    """A department's requests with the console's filters, oldest due first; also the total count."""
    query = select(ServiceRequest).join(Service)
    if filters.departments:
        query = query.where(Service.department.in_(filters.departments))
    if filters.statuses:
        query = query.where(ServiceRequest.status.in_(filters.statuses))
    if filters.service_code:
        query = query.where(Service.code == filters.service_code)
    if filters.district_id:
        query = query.where(ServiceRequest.district_id == filters.district_id)
    if filters.overdue:
        query = query.where(ServiceRequest.expected_at < now)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(ServiceRequest.expected_at, ServiceRequest.id).offset(offset).limit(limit)
    return list(db.scalars(page)), int(total)


def subscriptions(db: Session, request_id: int) -> list[RequestSubscription]:
    return list(db.scalars(select(RequestSubscription).where(
        RequestSubscription.request_id == request_id, RequestSubscription.ended_at.is_(None))))


def nearby_open(db: Session, service_id: int, lon: float, lat: float, degrees: float) -> list[ServiceRequest]:
    """Open requests of a service in a small box around a point (the exact distance is checked by the caller)."""
    return list(db.scalars(select(ServiceRequest).where(
        ServiceRequest.service_id == service_id, ServiceRequest.status.in_(OPEN_STATUSES),
        ServiceRequest.lon.between(lon - degrees * 1.3, lon + degrees * 1.3),
        ServiceRequest.lat.between(lat - degrees, lat + degrees),
    ).order_by(ServiceRequest.requested_at.desc()).limit(20)))


def photos(db: Session, request_id: int) -> list[RequestPhoto]:
    return list(db.scalars(select(RequestPhoto).where(RequestPhoto.request_id == request_id)
                           .order_by(RequestPhoto.id)))


def photo_by_name(db: Session, name: str) -> RequestPhoto | None:
    return db.scalar(select(RequestPhoto).where(RequestPhoto.name == name))


def public_list(db: Session, statuses: tuple[str, ...], offset: int, limit: int) -> tuple[list[ServiceRequest], int]:
    query = select(ServiceRequest).where(ServiceRequest.status.in_(statuses))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(ServiceRequest.requested_at.desc()).offset(offset).limit(limit))
    return list(rows), int(total)


def dashboard_rows(db: Session, since: datetime, department: str | None = None
                   ) -> list[tuple[str, int | None, str, datetime, datetime | None, datetime, float | None,
                                   float | None]]:
    """What the dashboard counts, one tuple per request received since `since` or still open (no personal data):
    service code, district id, status, requested_at, resolved_at, expected_at, lat, lon."""
    query = (
        select(Service.code, ServiceRequest.district_id, ServiceRequest.status, ServiceRequest.requested_at,
               ServiceRequest.resolved_at, ServiceRequest.expected_at, ServiceRequest.lat, ServiceRequest.lon)
        .join(Service, ServiceRequest.service_id == Service.id)
        .where((ServiceRequest.requested_at >= since) | ServiceRequest.status.in_(OPEN_STATUSES))
    )
    if department:
        query = query.where(Service.department == department)
    return list(db.execute(query).all())


def data_version(db: Session) -> tuple[int, str]:
    latest_id = db.scalar(select(func.max(ServiceRequest.id))) or 0
    latest_change = db.scalar(select(func.max(ServiceRequest.updated_at)))
    return int(latest_id), str(latest_change)
