"""Finding requests again: by id, by token, and Open311's search (ids, services, statuses, dates)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from majal.kit.audit import utcnow
from majal.kit.clock import to_utc
from majal.kit.i18n import N_
from majal.requests import open311, repository
from majal.requests.models import Service, ServiceRequest
from majal.requests.schemas import RequestQuery
from majal.requests.service.intake import service
from majal.requests.workflow import OPEN, Status
from majal.territory import service as territory

DEFAULT_WINDOW = timedelta(days=90)  # Open311: without dates, the last 90 days
MAX_RESULTS = 1000


def check_jurisdiction(db: Session, jurisdiction_id: str | None) -> None:
    """Open311's jurisdiction_id, when given, must name this commune (404 otherwise)."""
    if not jurisdiction_id:
        return
    commune = territory.overview(db).commune
    if commune is None or jurisdiction_id.strip().lower() != commune.code.lower():
        raise open311.Open311Error(N_("Unknown jurisdiction %(id)s."), status_code=404, id=jurisdiction_id[:40])


def find(db: Session, request_id: int) -> ServiceRequest:
    found = repository.request_by_id(db, request_id)
    if found is None:
        raise open311.Open311Error(N_("There is no service request %(id)s."), status_code=404, id=request_id)
    return found


def find_by_token(db: Session, token: str) -> ServiceRequest:
    found = repository.request_by_token(db, token)
    if found is None:
        raise open311.Open311Error(N_("There is no service request for this token."), status_code=404)
    return found


def search(db: Session, query: RequestQuery) -> tuple[list[repository.SearchRow], dict[int, Service]]:
    """Open311 GET requests: ids win over every other filter; dates default to the last 90 days.

    Returns the requests as plain tuples and, read once rather than per request, the services they belong to by id:
    a read path of up to 1000 records that builds no ORM objects."""
    if query.ids is not None:
        rows = repository.search(db, query.ids, (), (), None, None, MAX_RESULTS) if query.ids else []
    else:
        start, before = _published_window(query)
        service_ids = tuple(service(db, code).id for code in query.service_codes)
        statuses = tuple(status for name in query.statuses for status in _statuses(name))
        rows = repository.search(db, (), service_ids, statuses, start, before, MAX_RESULTS)
    services_by_id = {chosen.id: chosen for chosen in repository.services(db, active_only=False)} if rows else {}
    return rows, services_by_id


def _published_window(query: RequestQuery) -> tuple[datetime | None, datetime | None]:
    """start_date and end_date as instants in UTC (whatever offset they were written with; SQLite compares the stored
    UTC text), to the second, as Open311 publishes requested_datetime: a request is found by its own published
    second as either bound. Returns the first instant included and the first one past the end."""
    start = to_utc(open311.parse_w3c(query.start, "start_date")) if query.start else None
    end = to_utc(open311.parse_w3c(query.end, "end_date")) if query.end else None
    if start is None and end is None:
        start = utcnow() - DEFAULT_WINDOW
    if start and end and start > end:
        raise open311.Open311Error(N_("start_date must come before end_date."))
    start = start.replace(microsecond=0) if start else None
    if end is None or end >= datetime.max.replace(tzinfo=UTC) - timedelta(seconds=1):
        return start, None
    return start, end.replace(microsecond=0) + timedelta(seconds=1)


def data_version(db: Session) -> tuple[int, str]:
    """Changes whenever a request is added or changed: every write sets updated_at (both columns are indexed)."""
    return repository.data_version(db)


def _statuses(name: str) -> tuple[str, ...]:
    if name == "open":
        return tuple(OPEN)
    if name == "closed":
        return tuple(set(Status) - OPEN)
    raise open311.Open311Error(N_("status must be open or closed."))
