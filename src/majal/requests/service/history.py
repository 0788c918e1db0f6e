"""Past requests with their full history (the demo commune; migrations from older tools)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from majal.kit import crypto
from majal.requests import repository
from majal.requests.models import RequestEvent, ServiceRequest
from majal.requests.schemas import CONTACT_PURPOSE, HistoricalRequest
from majal.requests.service.intake import new_tracking_code
from majal.requests.workflow import Status


def load_history(db: Session, records: list[HistoricalRequest], district_ids: list[int], actor: str,
                 secret: str | None = None) -> int:
    """Store past requests with their full history (for the demo commune and for migrations from older tools)."""
    by_code = {chosen.code: chosen for chosen in repository.services(db, active_only=False)}
    for record in records:
        chosen = by_code[record.service_code]
        request = ServiceRequest(
            tracking_code=new_tracking_code(db), token=str(uuid.uuid4()), service=chosen,
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
