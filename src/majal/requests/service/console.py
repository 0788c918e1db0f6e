"""The staff console: who sees which queue, the workflow of a request, and the managers' dashboard."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from majal.accounts import service as accounts
from majal.kit import audit, crypto
from majal.kit.audit import utcnow
from majal.kit.clock import to_utc
from majal.kit.errors import Forbidden, MajalError, NotFound
from majal.kit.geo import WGS84_GEOD, valid_lon_lat
from majal.kit.i18n import N_
from majal.kit.security import Role, StaffMember
from majal.requests import repository
from majal.requests.models import RequestEvent, RequestSubscription, ServiceRequest
from majal.requests.schemas import CONTACT_PURPOSE, QueueFilters
from majal.requests.service import notifications
from majal.requests.service.intake import MAX_DESCRIPTION, checked_text
from majal.requests.stats import NO_DISTRICT, Columns, DashboardData, summarise, window_start
from majal.requests.workflow import OPEN, Status, can_move
from majal.territory import service as territory

ALL_DEPARTMENTS: tuple[str, ...] = ()
PAGE_SIZE = 50
NEARBY_METRES = 50.0


def departments_for(user: StaffMember) -> tuple[str, ...]:
    """The departments whose requests a staff member works on (empty: all of them)."""
    if user.role in (Role.admin, Role.manager):
        return ALL_DEPARTMENTS
    if user.role == Role.agent and user.department:
        return (user.department,)
    if user.role == Role.inspector:
        return ("health",)  # hygiene and vector-control reports go to the BMH's inspectors
    raise Forbidden(N_("Your role does not give access to service requests."))


def check_access(user: StaffMember, request: ServiceRequest) -> None:
    allowed = departments_for(user)
    if allowed and request.service.department not in allowed:
        raise Forbidden(N_("This request belongs to another department's queue."))


def queue(db: Session, user: StaffMember, filters: QueueFilters, page: int) -> tuple[list[ServiceRequest], int]:
    allowed = departments_for(user)
    wanted = filters.departments
    if allowed:
        wanted = tuple(d for d in wanted if d in allowed) or allowed
    narrowed = QueueFilters(wanted, filters.statuses, filters.service_code, filters.district_id, filters.overdue)
    return repository.queue(db, narrowed, utcnow(), max(page - 1, 0) * PAGE_SIZE, PAGE_SIZE)


def staff_request(db: Session, user: StaffMember, request_id: int) -> ServiceRequest:
    found = repository.request_by_id(db, request_id)
    if found is None:
        raise NotFound(N_("There is no service request %(id)s."), id=request_id)
    check_access(user, found)
    return found


def change_status(db: Session, secret: str, user: StaffMember, request: ServiceRequest, target: str, note: str) -> None:
    """Move a request along its workflow; the note is public and goes to the reporter and subscribers."""
    check_access(user, request)
    if target not in Status.__members__ or not can_move(request.status, target):
        raise MajalError(N_("A request that is %(current)s cannot become %(target)s."),
                         current=request.status, target=target[:20])
    note = checked_text(note, "note", MAX_DESCRIPTION)
    now = utcnow()
    db.add(RequestEvent(request_id=request.id, actor=user.username, kind="status", from_status=request.status,
                        to_status=target, note=note, public=True, at=now))
    request.status, request.updated_at = target, now
    request.status_notes = note or request.status_notes
    if target == Status.resolved:
        request.resolved_at = now
    notifications.announce(db, secret, request, note)


def add_note(db: Session, secret: str, user: StaffMember, request: ServiceRequest, note: str, public: bool) -> None:
    """A public update (sent to the reporter and subscribers) or an internal note (staff only)."""
    check_access(user, request)
    note = checked_text(note, "note", MAX_DESCRIPTION)
    if not note:
        raise MajalError(N_("Write the update before sending it."), where="note")
    now = utcnow()
    db.add(RequestEvent(request_id=request.id, actor=user.username, kind="update" if public else "internal",
                        note=note, public=public, at=now))
    request.updated_at = now
    if public:
        request.status_notes = note
        notifications.announce(db, secret, request, note)


def assign(db: Session, user: StaffMember, request: ServiceRequest, username: str) -> None:
    check_access(user, request)
    assignee = accounts.find_user(db, username) if username.strip() else None
    if assignee is not None and assignee.is_active and assignee.role in (Role.agent, Role.inspector):
        try:
            check_access(assignee, request)
        except Forbidden:
            assignee = None
    else:
        assignee = None
    if assignee is None and username.strip():
        raise MajalError(N_("%(username)s is not an agent of this department."), where="assignee",
                         username=username[:64])
    request.assigned_to_id = assignee.id if assignee else None
    request.updated_at = utcnow()
    db.add(RequestEvent(request_id=request.id, actor=user.username, kind="assignment", public=False,
                        note=assignee.username if assignee else ""))


def mark_duplicate(db: Session, user: StaffMember, request: ServiceRequest, original_id: int) -> ServiceRequest:
    """Close a request as a duplicate; its reporter and subscribers follow the original from now on."""
    check_access(user, request)
    original = repository.request_by_id(db, original_id)
    if original is None or original.id == request.id or original.status not in OPEN:
        raise MajalError(N_("Choose an open request, other than this one, as the original."), where="original")
    check_access(user, original)
    if not can_move(request.status, Status.duplicate):
        raise MajalError(N_("A request that is %(current)s cannot become %(target)s."),
                         current=request.status, target=Status.duplicate)
    followers = [s.contact_sealed for s in repository.subscriptions(db, request.id)]
    followers += [request.contact_sealed] if request.contact_sealed else []
    for sealed in followers:
        db.add(RequestSubscription(request_id=original.id, contact_sealed=sealed))
    now = utcnow()
    db.add(RequestEvent(request_id=request.id, actor=user.username, kind="status", from_status=request.status,
                        to_status=Status.duplicate, note=f"#{original.id}", public=True, at=now))
    request.status, request.duplicate_of_id, request.updated_at = Status.duplicate, original.id, now
    return original


def contact_of(db: Session, secret: str, user: StaffMember, request: ServiceRequest, ip: str | None) -> dict[str, str]:
    """The reporter's contact details, for staff of the request's department; every read is audit-logged."""
    check_access(user, request)
    if not request.contact_sealed:
        return {}
    audit.record(db, user.username, "request.contact.read", "service_request", request.id, ip=ip)
    return {key: value for key, value in crypto.unseal(secret, CONTACT_PURPOSE, request.contact_sealed).items()
            if key in ("first_name", "last_name", "email", "phone")}


def assignable_agents(db: Session, request: ServiceRequest) -> list[StaffMember]:
    return [u for u in accounts.list_users(db)
            if u.is_active and u.role in (Role.agent, Role.inspector) and _may_work_on(u, request)]


def _may_work_on(user: StaffMember, request: ServiceRequest) -> bool:
    try:
        check_access(user, request)
    except Forbidden:
        return False
    return True


def nearby(db: Session, service_code: str, lon: float, lat: float, metres: float = NEARBY_METRES
           ) -> list[ServiceRequest]:
    """Open requests of the same service within `metres`: "is it one of these?" before a duplicate is filed."""
    chosen = repository.service_by_code(db, service_code)
    if chosen is None or not valid_lon_lat(lon, lat):
        return []
    candidates = repository.nearby_open(db, chosen.id, lon, lat, degrees=metres / 111_000 * 1.5)
    return [r for r in candidates if r.lon is not None and r.lat is not None
            and WGS84_GEOD.inv(lon, lat, r.lon, r.lat)[2] <= metres]


def is_overdue(request: ServiceRequest, now: datetime | None = None) -> bool:
    return request.status in OPEN and to_utc(request.expected_at) < (now or utcnow())


def time_to_due(request: ServiceRequest, now: datetime | None = None) -> timedelta:
    """Until the SLA target (negative once overdue)."""
    return to_utc(request.expected_at) - (now or utcnow())


def public_events(request: ServiceRequest) -> list[RequestEvent]:
    return [event for event in request.events if event.public]


def dashboard(db: Session, now: datetime | None = None, department: str | None = None) -> DashboardData:
    """The dashboard's figures over the last 12 months (and every request still open), for one department or all."""
    now = now or utcnow()
    rows = repository.dashboard_rows(db, window_start(now), department)
    codes = {district.id: district.code for district in territory.overview(db).districts}
    coded = [(row[0], NO_DISTRICT if row[1] is None else codes.get(row[1], NO_DISTRICT), *row[2:]) for row in rows]
    return summarise(Columns.from_rows(coded), now)
