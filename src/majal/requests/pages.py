"""Citizen portal (report, track, follow, public list) and the staff console's request queue."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from majal.accounts import staff
from majal.accounts.deps import current_user, optional_user
from majal.accounts.models import User
from majal.kit import idempotency
from majal.kit.errors import MajalError
from majal.kit.i18n import N_, current_language, format_moment, format_number, gettext, localized_name
from majal.kit.security import new_token
from majal.kit.validation import RowId, row_id
from majal.kit.web import DB, Audience, client_ip, form_data, render, verify_csrf
from majal.requests import open311, photos, service
from majal.requests.models import ServiceAttribute, ServiceRequest
from majal.requests.schemas import Contact, QueueFilters, Submission
from majal.requests.workflow import LABELS, NEXT, OPEN, Status
from majal.territory import service as territory

router = APIRouter(include_in_schema=False)
ReportForm = Annotated[str, Form(max_length=5000)]


def media_dir(request: Request) -> Path:
    return Path(request.app.state.settings.data_dir) / "media" / "requests"


def client_of(request: Request) -> str:
    return client_ip(request)


def catalogue(db: DB) -> list[dict[str, Any]]:
    """Services grouped by department, in the order a citizen scans them."""
    groups: dict[str, list[Any]] = {}
    for chosen in service.services(db):
        groups.setdefault(chosen.department, []).append(chosen)
    return [{"department": department, "label": staff.department_label(department),
             "services": members} for department, members in groups.items()]


@router.get("/report", tags=[Audience.citizen])
def report_form(request: Request, db: DB) -> Response:
    return _report_page(request, db, {})


def _report_page(request: Request, db: DB, values: dict[str, Any], error: str | None = None,
                 nearby: list[ServiceRequest] | None = None, status_code: int = 200) -> Response:
    current = territory.overview(db)
    values = {**values, "form_id": values.get("form_id") or new_token(16)}
    return render(request, "requests/report.html", {
        "groups": catalogue(db), "districts": current.districts, "commune": current.commune, "values": values,
        "error": error, "nearby": nearby or [], "max_photo_mb": photos.MAX_BYTES // 2**20,
    }, status_code=status_code)


@router.post("/report", dependencies=[Depends(verify_csrf)])
def report(
    request: Request, db: DB, form: Annotated[FormData, Depends(form_data)], service_code: ReportForm = "",
    description: ReportForm = "", lat: ReportForm = "", lon: ReportForm = "", district: ReportForm = "",
    address: ReportForm = "", name: ReportForm = "", email: ReportForm = "", phone: ReportForm = "",
    confirm_new: ReportForm = "", form_id: ReportForm = "", photo: UploadFile | None = None,
) -> Response:
    answers = _answers(form.multi_items(), service_code)
    values = {"service_code": service_code, "description": description, "lat": lat, "lon": lon,
              "district": district, "address": address, "name": name, "email": email, "phone": phone,
              "form_id": form_id, "attributes": {f"{service_code}.{code}": given for code, given in answers.items()}}
    try:
        # Read at most one byte past the limit: enough to refuse an oversized photo without holding all of it.
        upload = photo.file.read(photos.MAX_BYTES + 1) if photo is not None and photo.filename else None
        processed = photos.process(upload) if upload is not None else None
        if not confirm_new and lat and lon:
            similar = _nearby(db, service_code, lat, lon)
            if similar:
                return _report_page(request, db, values, nearby=similar)
        submission = Submission(
            service_code=service_code, description=description, lat=lat, long=lon, address_id=district,
            address_string=address, attributes=answers, contact=Contact(first_name=name, email=email, phone=phone,
                                                    lang=current_language()),
        )
        with db.begin_nested():  # a refusal below leaves nothing behind, not even the form's claim
            claimed = _claim_form(request, db, form_id, form.multi_items())
            if claimed is not None and claimed.replay is not None:  # sent twice: the first report's page
                return claimed.replay
            created = service.report(db, request.app.state.secret_key, submission, processed, media_dir(request),
                                     client_of(request), request.app.state.settings.reports_per_hour)
            done = RedirectResponse(f"/requests/{created.id}?new=1", status_code=303)
            return claimed.keep(done) if claimed is not None else done
    except MajalError as refused:  # raised before anything is written
        return _report_page(request, db, values, error=refused.translated(), status_code=refused.status_code)


def _claim_form(request: Request, db: DB, form_id: str, items: list[tuple[str, Any]]) -> idempotency.Claim | None:
    """The report form carries a one-time id: the same form sent again (a double tap, a retry after a timeout)
    files nothing more. The id counts only with this browser's token, so it cannot be replayed from elsewhere."""
    if not form_id or request.state.browser_token is None:
        return None
    asked = idempotency.fingerprint((name, value) for name, value in items
                                    if isinstance(value, str) and name not in ("csrf_token", "confirm_new"))
    return idempotency.claim(db, request.app.state.secret_key, "portal",
                             f"{request.state.browser_token}:{form_id}", asked)


def _answers(items: list[tuple[str, Any]], service_code: str) -> dict[str, list[str]]:
    """The chosen service's questions only: fields are named attribute[SERVICE][code] (or [code][] for lists)."""
    prefix = f"attribute[{service_code}]"
    picked = [(f"attribute{name[len(prefix):]}", value) for name, value in items
              if isinstance(value, str) and name.startswith(prefix)]
    return open311.raw_attributes(picked)


def _nearby(db: DB, service_code: str, lat: str, lon: str) -> list[ServiceRequest]:
    try:
        return service.nearby(db, service_code, float(lon), float(lat))
    except ValueError:
        return []


@router.get("/report/nearby", tags=[Audience.probe])
def nearby_fragment(request: Request, db: DB, service_code: str = "", lat: str = "", lon: str = "") -> Response:
    """The "is it one of these?" list for the report form's script: an HTML fragment, no personal data."""
    return render(request, "requests/nearby.html", {"nearby": _nearby(db, service_code, lat, lon)})


@router.get("/requests", tags=[Audience.citizen])
def public_list(request: Request, db: DB, state: str = "open", page: Annotated[int, Query(ge=1, le=10_000)] = 1
                ) -> Response:
    rows, total = service.public_list(db, state != "all", page)
    return render(request, "requests/list.html", {
        "rows": [_summary(r) for r in rows], "total": total, "page": page, "state": state,
        "pages": max((total + service.PAGE_SIZE - 1) // service.PAGE_SIZE, 1),
    })


@router.get("/requests/{request_id}", tags=[Audience.citizen])
def public_page(request: Request, db: DB, request_id: RowId, new: bool = False) -> Response:
    found = service.public_request(db, request_id)
    return render(request, "requests/detail.html", {
        "item": _summary(found), "events": [_event(e) for e in service.public_events(found)],
        "photos": service.photos_of(db, found), "new": new,
    })


@router.post("/requests/{request_id}/follow", dependencies=[Depends(verify_csrf)])
def follow(request: Request, db: DB, request_id: RowId, email: ReportForm = "", phone: ReportForm = "") -> Response:
    found = service.public_request(db, request_id)
    try:
        service.follow(db, request.app.state.secret_key, found,
                       Contact(email=email, phone=phone, lang=current_language()), client_of(request))
    except MajalError as refused:
        return render(request, "requests/detail.html", {
            "item": _summary(found), "events": [_event(e) for e in service.public_events(found)],
            "photos": service.photos_of(db, found), "follow_error": refused.translated(),
            "follow_values": {"email": email, "phone": phone},
        }, status_code=refused.status_code)
    return RedirectResponse(f"/requests/{found.id}?following=1#follow", status_code=303)


@router.get("/track", tags=[Audience.citizen])
def track(request: Request, db: DB, code: Annotated[str, Query(max_length=40)] = "") -> Response:
    if not code:
        return render(request, "requests/track.html", {})
    try:
        found = service.by_tracking_code(db, code)
    except MajalError as refused:
        return render(request, "requests/track.html", {"error": refused.translated(), "code": code},
                      status_code=404)
    return RedirectResponse(f"/requests/{found.id}", status_code=303)


@router.get("/media/requests/{name}-{size}.jpg", tags=[Audience.probe])
def photo(request: Request, db: DB, name: str, size: str,
          user: Annotated[User | None, Depends(optional_user)]) -> Response:
    path = service.photo_file(db, media_dir(request), name, size, staff=user is not None)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=86400"})


# --- Staff console --------------------------------------------------------------------------------------------

@router.get("/console/requests", tags=[Audience.staff])
def queue(
    request: Request, db: DB, user: Annotated[User, Depends(current_user)],
    status: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    service_code: str = "", district: str = "", department: str = "", overdue: bool = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    chosen_district = territory.district_by_code(db, district) if district else None
    statuses = tuple(s for s in status if s in Status.__members__) or tuple(OPEN)
    filters = QueueFilters((department,) if department else (), statuses, service_code,
                           chosen_district.id if chosen_district else None, overdue)
    rows, total = service.queue(db, user, filters, page)
    allowed = service.departments_for(user)
    return render(request, "requests/queue.html", {
        "rows": [_summary(r) for r in rows], "total": total, "page": page,
        "pages": max((total + service.PAGE_SIZE - 1) // service.PAGE_SIZE, 1),
        "filters": {"status": statuses, "service_code": service_code, "district": district,
                    "department": department, "overdue": overdue},
        "statuses": [(s.value, gettext(LABELS[s])) for s in Status],
        "services": [s for s in service.services(db) if not allowed or s.department in allowed],
        "departments": [(code, staff.department_label(code)) for code in staff.departments()
                        if not allowed or code in allowed],
        "districts": territory.overview(db).districts,
    })


@router.get("/console/requests/{request_id}", tags=[Audience.staff])
def staff_detail(request: Request, db: DB, request_id: RowId, user: Annotated[User, Depends(current_user)],
                 contact: bool = False) -> Response:
    found = service.staff_request(db, user, request_id)
    return _staff_page(request, db, user, found, show_contact=contact)


def _staff_page(request: Request, db: DB, user: User, found: ServiceRequest, show_contact: bool = False,
                error: str | None = None, status_code: int = 200) -> Response:
    ip = client_of(request)
    details = service.contact_of(db, request.app.state.secret_key, user, found, ip) if show_contact else None
    return render(request, "requests/staff_detail.html", {
        "item": _summary(found), "events": [_event(e) for e in found.events],
        "photos": service.photos_of(db, found, staff=True), "contact": details,
        "has_contact": bool(found.contact_sealed), "error": error,
        "next_statuses": [(s.value, gettext(LABELS[s])) for s in sorted(NEXT[Status(found.status)])
                          if s != Status.duplicate],
        "agents": service.assignable_agents(db, found), "assigned": found.assigned_to_id,
        "attributes": attribute_rows(found),
    }, status_code=status_code)


def attribute_rows(found: ServiceRequest) -> list[dict[str, str]]:
    """The answers to the service's questions as a reader sees them, whatever their datatype: the question, and the
    answer (list values by their names, numbers and moments in the reader's language). Answers to a question the
    service no longer asks are shown under their code."""
    definitions = {attribute.code: attribute for attribute in found.service.attributes}
    rows = []
    for code, value in (found.attribute_values or {}).items():
        definition = definitions.get(code)
        label = localized_name(definition, field="description") if definition else code
        rows.append({"code": code, "label": label, "value": _answer(definition, value)})
    return rows


def _answer(definition: ServiceAttribute | None, value: Any) -> str:
    values = value if isinstance(value, list) else [value]
    names = {choice["key"]: localized_name(choice) for choice in definition.values} if definition else {}
    return ", ".join(_one_answer(definition.datatype if definition else "", names, item) for item in values)


def _one_answer(datatype: str, names: dict[str, str], value: Any) -> str:
    if isinstance(value, int | float):
        return format_number(value, 0 if float(value).is_integer() else 2)
    if datatype == "datetime" and isinstance(value, str):
        try:
            return format_moment(datetime.fromisoformat(value))
        except ValueError:
            return value
    return names.get(str(value), str(value))


def _staff_action(request: Request, db: DB, user: User, request_id: int, action: Any) -> Response:
    """Run one workflow action; a refusal (raised before anything is written) re-renders the page with its message."""
    found = service.staff_request(db, user, request_id)
    try:
        action(found)
    except MajalError as refused:
        if refused.status_code in (401, 403):
            raise
        return _staff_page(request, db, user, found, error=refused.translated(), status_code=refused.status_code)
    return RedirectResponse(f"/console/requests/{request_id}", status_code=303)


@router.post("/console/requests/{request_id}/status", dependencies=[Depends(verify_csrf)])
def change_status(request: Request, db: DB, request_id: RowId, user: Annotated[User, Depends(current_user)],
                  target: ReportForm = "", note: ReportForm = "") -> Response:
    secret = request.app.state.secret_key
    return _staff_action(request, db, user, request_id,
                         lambda found: service.change_status(db, secret, user, found, target, note))


@router.post("/console/requests/{request_id}/note", dependencies=[Depends(verify_csrf)])
def add_note(request: Request, db: DB, request_id: RowId, user: Annotated[User, Depends(current_user)],
             note: ReportForm = "", visibility: ReportForm = "internal") -> Response:
    secret = request.app.state.secret_key
    return _staff_action(request, db, user, request_id,
                         lambda found: service.add_note(db, secret, user, found, note, visibility == "public"))


@router.post("/console/requests/{request_id}/assign", dependencies=[Depends(verify_csrf)])
def assign(request: Request, db: DB, request_id: RowId, user: Annotated[User, Depends(current_user)],
           assignee: ReportForm = "") -> Response:
    return _staff_action(request, db, user, request_id, lambda found: service.assign(db, user, found, assignee))


@router.post("/console/requests/{request_id}/duplicate", dependencies=[Depends(verify_csrf)])
def mark_duplicate(request: Request, db: DB, request_id: RowId, user: Annotated[User, Depends(current_user)],
                   original: ReportForm = "") -> Response:
    def act(found: ServiceRequest) -> None:
        original_id = row_id(original)
        if original_id is None:
            raise MajalError(N_("Choose an open request, other than this one, as the original."), where="original")
        service.mark_duplicate(db, user, found, original_id)

    return _staff_action(request, db, user, request_id, act)


def _summary(found: ServiceRequest) -> dict[str, Any]:
    """What pages show of a request; contact details are never part of it."""
    return {
        "id": found.id,
        "tracking_code": found.tracking_code,
        "status": found.status,
        "status_label": gettext(LABELS[Status(found.status)]),
        "open": found.status in OPEN,
        "service_name": localized_name(found.service),
        "service_code": found.service.code,
        "department": found.service.department,
        "description": found.description,
        "status_notes": found.status_notes,
        "district": localized_name(found.district) if found.district else "",
        "address": found.address_string,
        "lat": found.lat,
        "lon": found.lon,
        "requested_at": found.requested_at,
        "expected_at": found.expected_at,
        "updated_at": found.updated_at,
        "assigned_to_id": found.assigned_to_id,
        "due": service.time_to_due(found),
        "overdue": service.is_overdue(found),
        "duplicate_of_id": found.duplicate_of_id,
    }


def _event(event: Any) -> dict[str, Any]:
    values = {key: getattr(event, key) for key in ("at", "actor", "kind", "from_status", "to_status", "note",
                                                   "public")}
    values["to_label"] = gettext(LABELS[Status(event.to_status)]) if event.to_status else ""
    return values

