"""Taking a request: the service catalogue, and a submission checked completely (attributes, location inside
the commune, contact details sealed) before it is stored with its first history event."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from majal.kit import audit, crypto
from majal.kit.audit import utcnow
from majal.kit.errors import NotFound
from majal.kit.i18n import LANGUAGES, N_
from majal.kit.validation import decimal_number
from majal.requests import open311, repository
from majal.requests.catalogue import CATALOGUE, ServiceDefinition
from majal.requests.models import RequestEvent, Service, ServiceAttribute, ServiceRequest
from majal.requests.schemas import CONTACT_PURPOSE, EMAIL, PHONE, Contact, Submission
from majal.requests.workflow import Status
from majal.territory import service as territory

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
        tracking_code=new_tracking_code(db), token=str(uuid.uuid4()), service=chosen, status=Status.new,
        description=checked_text(submission.description, "description", MAX_DESCRIPTION), lat=lat, lon=lon,
        address_string=checked_text(submission.address_string, "address_string", 400), district_id=district_id,
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


def checked_text(value: str, field: str, limit: int) -> str:
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
    fields = {key: checked_text(value, key, 200) for key, value in asdict(contact).items() if value.strip()}
    fields["lang"] = contact.lang if contact.lang in LANGUAGES else ""
    return crypto.seal(secret, CONTACT_PURPOSE, fields)


def new_tracking_code(db: Session) -> str:
    while True:
        raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(9))
        code = f"{raw[:3]}-{raw[3:6]}-{raw[6:]}"
        if not repository.tracking_code_taken(db, code):
            return code
