"""Citizen service requests: the catalogue, taking a request, and finding requests again."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from majal.accounts import service as accounts
from majal.accounts.models import User
from majal.kit import audit, crypto, ratelimit
from majal.kit.audit import utcnow
from majal.kit.clock import to_utc
from majal.kit.errors import Forbidden, MajalError, NotFound
from majal.kit.geo import WGS84_GEOD, valid_lon_lat
from majal.kit.i18n import LANGUAGES, N_
from majal.kit.security import Role
from majal.kit.validation import decimal_number
from majal.requests import notifications, open311, repository
from majal.requests.catalogue import CATALOGUE, ServiceDefinition
from majal.requests.models import (
    RequestEvent,
    RequestPhoto,
    RequestSubscription,
    Service,
    ServiceAttribute,
    ServiceRequest,
)
from majal.requests.photos import ProcessedPhoto
from majal.requests.schemas import (
    CONTACT_PURPOSE,
    EMAIL,
    PHONE,
    Contact,
    HistoricalRequest,
    QueueFilters,
    RequestQuery,
    Submission,
)
from majal.requests.stats import NO_DISTRICT, Columns, DashboardData, summarise, window_start
from majal.requests.workflow import OPEN, Status, can_move
from majal.territory import service as territory

DEFAULT_WINDOW = timedelta(days=90)  # Open311: without dates, the last 90 days
MAX_RESULTS = 1000
MAX_DESCRIPTION = 4000
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud over the phone


def seed_catalogue(db: Session, definitions: tuple[ServiceDefinition, ...] = CATALOGUE) -> int:
    """Add the services that are missing (by code); existing ones, perhaps edited by the commune, are kept."""
    added = 0
    for definition in definitions:
        if repository.service_by_code(db, definition.code) is None:
            db.add(_service_row(definition))
            added += 1
    db.flush()
    return added


def _service_row(definition: ServiceDefinition) -> Service:
    names, description = definition.names, definition.description
    return Service(
        code=definition.code, department=definition.department, sla_hours=definition.sla_hours,
        keywords=definition.keywords, name_ar=names.ar, name_fr=names.fr, name_en=names.en,
        description_ar=description.ar, description_fr=description.fr, description_en=description.en,
        attributes=[
            ServiceAttribute(
                code=attribute.code, datatype=attribute.datatype, required=attribute.required, position=position,
                description_ar=attribute.description.ar, description_fr=attribute.description.fr,
                description_en=attribute.description.en,
                values=[{"key": c.key, "name_ar": c.names.ar, "name_fr": c.names.fr, "name_en": c.names.en}
                        for c in attribute.values],
            )
            for position, attribute in enumerate(definition.attributes, start=1)
        ],
    )


def services(db: Session) -> list[Service]:
    return repository.services(db)


def service(db: Session, code: str) -> Service:
    found = repository.service_by_code(db, code)
    if found is None or not found.active:
        raise open311.Open311Error(N_("There is no service with the code %(code)s."), status_code=404, code=code)
    return found


def submit(db: Session, submission: Submission, secret: str, source: str, actor: str,
           api_key_id: int | None = None) -> ServiceRequest:
    """Check a request completely, then store it with its first history event, in the caller's transaction."""
    chosen = repository.service_by_code(db, submission.service_code) if submission.service_code else None
    if chosen is None or not chosen.active:
        raise open311.Open311Error(N_("service_code is missing or names no service."))
    definitions = [_attribute_definition(attribute) for attribute in chosen.attributes]
    values = open311.clean_attributes(definitions, submission.attributes)
    lon, lat, district_id = _location(db, submission)
    now = utcnow()
    request = ServiceRequest(
        tracking_code=_new_tracking_code(db), token=str(uuid.uuid4()), service=chosen, status=Status.new,
        description=_text(submission.description, "description", MAX_DESCRIPTION), lat=lat, lon=lon,
        address_string=_text(submission.address_string, "address_string", 400), district_id=district_id,
        media_url=_media_url(submission.media_url), attribute_values=values,
        contact_sealed=_seal_contact(submission.contact, secret), source=source, api_key_id=api_key_id,
        requested_at=now, updated_at=now, expected_at=now + timedelta(hours=chosen.sla_hours),
    )
    db.add(request)
    db.flush()
    db.add(RequestEvent(request_id=request.id, actor=actor, kind="created", to_status=Status.new, public=True))
    audit.record(db, actor, "request.create", "service_request", request.id, {"service": chosen.code})
    return request


def _attribute_definition(attribute: ServiceAttribute) -> dict[str, Any]:
    return {"code": attribute.code, "datatype": attribute.datatype, "required": attribute.required,
            "values": attribute.values}


def _location(db: Session, submission: Submission) -> tuple[float | None, float | None, int | None]:
    """lat+long inside the commune; else an address_id naming a district; else an address in words."""
    if submission.lat or submission.long:
        lat, lon = _coordinate(submission.lat, "lat"), _coordinate(submission.long, "long")
        try:
            return lon, lat, territory.locate(db, lon, lat).id
        except NotFound:
            raise open311.Open311Error(N_("This location is outside the commune.")) from None
    if submission.address_id:
        district = territory.district_by_code(db, submission.address_id)
        if district is None:
            raise open311.Open311Error(N_("Unknown address_id %(value)s: give a district code."),
                                       value=submission.address_id[:40])
        return None, None, district.id
    if submission.address_string.strip():
        return None, None, None
    raise open311.Open311Error(N_("A location is required: lat and long, address_string or address_id."))


def _coordinate(text: str, field: str) -> float:
    try:
        value = decimal_number(text)
    except ValueError:
        raise open311.Open311Error(N_("%(field)s must be a number in decimal degrees."), field=field) from None
    if value != value or abs(value) > (90 if field == "lat" else 180):  # NaN or out of range
        raise open311.Open311Error(N_("%(field)s is out of range."), field=field)
    return value


def _text(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise open311.Open311Error(N_("%(field)s is longer than %(limit)s characters."), field=field, limit=limit)
    return value


def _media_url(url: str) -> str:
    url = url.strip()
    if url and (len(url) > 2048 or not re.match(r"^https?://[^\s/$.?#][^\s]*$", url)):
        raise open311.Open311Error(N_("media_url must be an http or https address."))
    return url


def _seal_contact(contact: Contact, secret: str) -> str | None:
    if contact.is_empty():
        return None
    if contact.email and not EMAIL.match(contact.email.strip()):
        raise open311.Open311Error(N_("The email address is not valid."))
    if contact.phone and not PHONE.match(contact.phone.strip()):
        raise open311.Open311Error(N_("The phone number is not valid."))
    fields = {key: _text(value, key, 200) for key, value in asdict(contact).items() if value.strip()}
    fields["lang"] = contact.lang if contact.lang in LANGUAGES else ""
    return crypto.seal(secret, CONTACT_PURPOSE, fields)


def _new_tracking_code(db: Session) -> str:
    while True:
        raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(9))
        code = f"{raw[:3]}-{raw[3:6]}-{raw[6:]}"
        if not repository.tracking_code_taken(db, code):
            return code


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


def load_history(db: Session, records: list[HistoricalRequest], district_ids: list[int], actor: str,
                 secret: str | None = None) -> int:
    """Store past requests with their full history (for the demo commune and for migrations from older tools)."""
    by_code = {chosen.code: chosen for chosen in repository.services(db, active_only=False)}
    for record in records:
        chosen = by_code[record.service_code]
        request = ServiceRequest(
            tracking_code=_new_tracking_code(db), token=str(uuid.uuid4()), service=chosen,
            status=record.final_status, description=record.description, lat=record.lat, lon=record.lon,
            district_id=district_ids[record.district_index], attribute_values={}, source="web",
            requested_at=record.requested_at, expected_at=record.requested_at + timedelta(hours=chosen.sla_hours),
            updated_at=record.closed_at or record.resolved_at or record.acknowledged_at or record.requested_at,
            resolved_at=record.resolved_at,
            contact_sealed=crypto.seal(secret, CONTACT_PURPOSE, record.contact) if secret and record.contact else None,
        )
        request.events = _past_events(record, actor)
        db.add(request)
    db.flush()
    return len(records)


def _past_events(record: HistoricalRequest, actor: str) -> list[RequestEvent]:
    events = [RequestEvent(at=record.requested_at, actor="citizen", kind="created", to_status=Status.new)]
    steps = [(record.acknowledged_at, Status.acknowledged), (record.resolved_at, Status.resolved),
             (record.closed_at, Status.closed)]
    previous = Status.new
    for moment, status in steps:
        if moment is not None:
            events.append(RequestEvent(at=moment, actor=actor, kind="status", from_status=previous,
                                       to_status=status))
            previous = status
    if record.final_status in (Status.rejected, Status.duplicate, Status.in_progress):
        events.append(RequestEvent(at=record.acknowledged_at or record.requested_at, actor=actor, kind="status",
                                   from_status=previous, to_status=record.final_status))
    return events


# --- The staff console: who sees which queue, and the workflow -------------------------------------------------

ALL_DEPARTMENTS: tuple[str, ...] = ()
PAGE_SIZE = 50
NEARBY_METRES = 50.0


def departments_for(user: User) -> tuple[str, ...]:
    """The departments whose requests a staff member works on (empty: all of them)."""
    if user.role in (Role.admin, Role.manager):
        return ALL_DEPARTMENTS
    if user.role == Role.agent and user.department:
        return (user.department,)
    if user.role == Role.inspector:
        return ("health",)  # hygiene and vector-control reports go to the BMH's inspectors
    raise Forbidden(N_("Your role does not give access to service requests."))


def check_access(user: User, request: ServiceRequest) -> None:
    allowed = departments_for(user)
    if allowed and request.service.department not in allowed:
        raise Forbidden(N_("This request belongs to another department's queue."))


def queue(db: Session, user: User, filters: QueueFilters, page: int) -> tuple[list[ServiceRequest], int]:
    allowed = departments_for(user)
    wanted = filters.departments
    if allowed:
        wanted = tuple(d for d in wanted if d in allowed) or allowed
    narrowed = QueueFilters(wanted, filters.statuses, filters.service_code, filters.district_id, filters.overdue)
    return repository.queue(db, narrowed, utcnow(), max(page - 1, 0) * PAGE_SIZE, PAGE_SIZE)


def staff_request(db: Session, user: User, request_id: int) -> ServiceRequest:
    found = repository.request_by_id(db, request_id)
    if found is None:
        raise NotFound(N_("There is no service request %(id)s."), id=request_id)
    check_access(user, found)
    return found


def change_status(db: Session, secret: str, user: User, request: ServiceRequest, target: str, note: str) -> None:
    """Move a request along its workflow; the note is public and goes to the reporter and subscribers."""
    check_access(user, request)
    if target not in Status.__members__ or not can_move(request.status, target):
        raise MajalError(N_("A request that is %(current)s cannot become %(target)s."),
                         current=request.status, target=target[:20])
    note = _text(note, "note", MAX_DESCRIPTION)
    now = utcnow()
    db.add(RequestEvent(request_id=request.id, actor=user.username, kind="status", from_status=request.status,
                        to_status=target, note=note, public=True, at=now))
    request.status, request.updated_at = target, now
    request.status_notes = note or request.status_notes
    if target == Status.resolved:
        request.resolved_at = now
    notifications.announce(db, secret, request, note)


def add_note(db: Session, secret: str, user: User, request: ServiceRequest, note: str, public: bool) -> None:
    """A public update (sent to the reporter and subscribers) or an internal note (staff only)."""
    check_access(user, request)
    note = _text(note, "note", MAX_DESCRIPTION)
    if not note:
        raise MajalError(N_("Write the update before sending it."), where="note")
    now = utcnow()
    db.add(RequestEvent(request_id=request.id, actor=user.username, kind="update" if public else "internal",
                        note=note, public=public, at=now))
    request.updated_at = now
    if public:
        request.status_notes = note
        notifications.announce(db, secret, request, note)


def assign(db: Session, user: User, request: ServiceRequest, username: str) -> None:
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


def mark_duplicate(db: Session, user: User, request: ServiceRequest, original_id: int) -> ServiceRequest:
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


def contact_of(db: Session, secret: str, user: User, request: ServiceRequest, ip: str | None) -> dict[str, str]:
    """The reporter's contact details, for staff of the request's department; every read is audit-logged."""
    check_access(user, request)
    if not request.contact_sealed:
        return {}
    audit.record(db, user.username, "request.contact.read", "service_request", request.id, ip=ip)
    return {key: value for key, value in crypto.unseal(secret, CONTACT_PURPOSE, request.contact_sealed).items()
            if key in ("first_name", "last_name", "email", "phone")}


def assignable_agents(db: Session, request: ServiceRequest) -> list[User]:
    return [u for u in accounts.list_users(db)
            if u.is_active and u.role in (Role.agent, Role.inspector) and _may_work_on(u, request)]


def _may_work_on(user: User, request: ServiceRequest) -> bool:
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
    return request.status in OPEN and _aware(request.expected_at) < (now or utcnow())


def time_to_due(request: ServiceRequest, now: datetime | None = None) -> timedelta:
    """Until the SLA target (negative once overdue)."""
    return _aware(request.expected_at) - (now or utcnow())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def public_events(request: ServiceRequest) -> list[RequestEvent]:
    return [event for event in request.events if event.public]



# --- The citizen portal ------------------------------------------------------------------------------------------

REPORTS_PER_HOUR = 10
SUBSCRIPTIONS_PER_HOUR = 20
RATE_WINDOW = timedelta(hours=1)


def report(db: Session, secret: str, submission: Submission, photo: ProcessedPhoto | None, media_dir: Path,
           client: str, per_hour: int = REPORTS_PER_HOUR) -> ServiceRequest:
    """A citizen's report from the portal: rate-limited per connection, photo stored without its metadata."""
    ratelimit.check(db, secret, "report", client, per_hour, RATE_WINDOW)
    created = submit(db, submission, secret, source="web", actor="citizen")
    if photo is not None:
        attach_photo(db, created, photo, media_dir)
    ratelimit.record(db, secret, "report", client, RATE_WINDOW)
    return created


def attach_photo(db: Session, request: ServiceRequest, photo: ProcessedPhoto, media_dir: Path) -> RequestPhoto:
    name = uuid.uuid4().hex
    media_dir.mkdir(parents=True, exist_ok=True)
    (media_dir / f"{name}-full.jpg").write_bytes(photo.full)
    (media_dir / f"{name}-display.jpg").write_bytes(photo.display)
    row = RequestPhoto(request_id=request.id, name=name, width=photo.width, height=photo.height,
                       sha256=photo.sha256)
    db.add(row)
    return row


def photo_file(db: Session, media_dir: Path, name: str, size: str, staff: bool) -> Path:
    found = repository.photo_by_name(db, name) if re.fullmatch(r"[0-9a-f]{32}", name) else None
    if found is None or size not in ("full", "display") or not (found.public or staff):
        raise NotFound(N_("This photo does not exist."))
    return media_dir / f"{found.name}-{size}.jpg"


def photos_of(db: Session, request: ServiceRequest, staff: bool = False) -> list[RequestPhoto]:
    return [photo for photo in repository.photos(db, request.id) if photo.public or staff]


def follow(db: Session, secret: str, request: ServiceRequest, contact: Contact, client: str) -> None:
    """Subscribe to a request's public updates (instead of reporting it again)."""
    ratelimit.check(db, secret, "subscribe", client, SUBSCRIPTIONS_PER_HOUR, RATE_WINDOW)
    notifications.subscribe(db, secret, request, asdict(contact))
    ratelimit.record(db, secret, "subscribe", client, RATE_WINDOW)
    db.add(RequestEvent(request_id=request.id, actor="citizen", kind="subscription", public=False))


def public_request(db: Session, request_id: int) -> ServiceRequest:
    found = repository.request_by_id(db, request_id)
    if found is None:
        raise NotFound(N_("There is no service request %(id)s."), id=request_id)
    return found


def by_tracking_code(db: Session, code: str) -> ServiceRequest:
    cleaned = re.sub(r"[^A-Z0-9]", "", code.upper())
    found = repository.request_by_tracking_code(db, f"{cleaned[:3]}-{cleaned[3:6]}-{cleaned[6:9]}")
    if found is None or len(cleaned) != 9:
        raise NotFound(N_("No report has this tracking code. Check the code and try again."))
    return found


def public_list(db: Session, open_only: bool, page: int) -> tuple[list[ServiceRequest], int]:
    statuses = tuple(OPEN) if open_only else tuple(Status)
    return repository.public_list(db, statuses, max(page - 1, 0) * PAGE_SIZE, PAGE_SIZE)


# --- The managers' dashboard -------------------------------------------------------------------------------------

def dashboard(db: Session, now: datetime | None = None, department: str | None = None) -> DashboardData:
    """The dashboard's figures over the last 12 months (and every request still open), for one department or all."""
    now = now or utcnow()
    rows = repository.dashboard_rows(db, window_start(now), department)
    codes = {district.id: district.code for district in territory.overview(db).districts}
    coded = [(row[0], NO_DISTRICT if row[1] is None else codes.get(row[1], NO_DISTRICT), *row[2:]) for row in rows]
    return summarise(Columns.from_rows(coded), now)
