"""Queries for the service catalogue and service requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from majal.requests.models import Service, ServiceRequest


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


def search(
    db: Session,
    ids: tuple[int, ...],
    service_ids: tuple[int, ...],
    statuses: tuple[str, ...],
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[ServiceRequest]:
    query = select(ServiceRequest)
    if ids:
        query = query.where(ServiceRequest.id.in_(ids))
    if service_ids:
        query = query.where(ServiceRequest.service_id.in_(service_ids))
    if statuses:
        query = query.where(ServiceRequest.status.in_(statuses))
    if start is not None:
        query = query.where(ServiceRequest.requested_at >= start)
    if end is not None:
        query = query.where(ServiceRequest.requested_at <= end)
    return list(db.scalars(query.order_by(ServiceRequest.requested_at.desc()).limit(limit)))
