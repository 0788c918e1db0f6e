"""The citizen portal: reports with a photo, following a request, finding one again by its tracking code."""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from majal.kit import ratelimit
from majal.kit.errors import NotFound
from majal.kit.i18n import N_
from majal.requests import repository
from majal.requests.models import RequestEvent, RequestPhoto, ServiceRequest
from majal.requests.photos import ProcessedPhoto
from majal.requests.schemas import Contact, Submission
from majal.requests.service import notifications
from majal.requests.service.console import PAGE_SIZE
from majal.requests.service.intake import submit
from majal.requests.workflow import OPEN, Status

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
