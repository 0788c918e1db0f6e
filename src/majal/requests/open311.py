"""Open311 GeoReport v2 wire formats: query parameters, form fields and attribute values in; the records anyone may
see of services and requests, as JSON-ready dicts and XML documents, out. Pure functions (the records are read
from the rows they are given).

The records keep the field order of the spec and of `schemas.ServiceOut`, `RequestOut` ...: the answers are written
from them directly (orjson for a search of up to 1000 records, XML for the other format)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from xml.etree import ElementTree as ET

from majal.accounts import staff
from majal.kit.errors import MajalError
from majal.kit.i18n import N_, gettext, localized_name
from majal.kit.validation import ASCII_DIGITS, decimal_number, row_id
from majal.requests.schemas import Contact, Submission
from majal.requests.workflow import open311_status

if TYPE_CHECKING:
    from majal.requests.models import Service, ServiceAttribute, ServiceRequest
    from majal.requests.repository import SearchRow

FORMATS = ("json", "xml")
ATTRIBUTE_FIELD = re.compile(r"^attribute\[([A-Za-z0-9_.-]{1,40})\](\[\])?$")
MAX_STRING, MAX_TEXT = 255, 5000
MAX_IDS = 1000


class Open311Error(MajalError):
    """An error answered as the spec's list of {code, description}."""


def w3c(moment: datetime | None) -> str | None:
    """W3C date-time with offset, as Open311 writes them (2026-11-23T08:30:00+00:00)."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # the naive UTC datetimes SQLite gives back: the same text, in half the time
        return moment.isoformat(timespec="seconds") + "+00:00"
    return moment.isoformat(timespec="seconds")


def parse_w3c(text: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(N_("%(field)s must be a W3C date and time, e.g. 2026-11-23T08:30:00+01:00."),
                           field=field) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def raw_attributes(form: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """`attribute[code]=v` and `attribute[code][]=v1&attribute[code][]=v2` → {code: [values]}."""
    found: dict[str, list[str]] = {}
    for name, value in form:
        match = ATTRIBUTE_FIELD.match(name)
        if match:
            found.setdefault(match.group(1), []).append(value)
    return found


def submission(form: list[tuple[str, str]], lang: str) -> Submission:
    """A POST requests form (api_key aside) as a submission, not yet checked; `lang` is the language the person
    wrote in."""
    fields = dict(form)
    contact = Contact(**{name: fields.get(name, "") for name in Contact.__dataclass_fields__ if name != "lang"},
                      lang=lang)
    return Submission(
        service_code=fields.get("service_code", "").strip(), description=fields.get("description", ""),
        lat=fields.get("lat", "").strip(), long=fields.get("long", "").strip(),
        address_string=fields.get("address_string", ""), address_id=fields.get("address_id", ""),
        media_url=fields.get("media_url", ""), attributes=raw_attributes(form), contact=contact,
    )


def request_ids(text: str) -> tuple[int, ...] | None:
    """The ids of a search (None: none asked); a number no request can have (beyond the column's range) matches
    none."""
    parts = split_list(text)
    if not parts:
        return None
    if not all(ASCII_DIGITS.fullmatch(part) for part in parts):
        raise Open311Error(N_("service_request_id must be a number or a comma-separated list of numbers."))
    return tuple(found for part in parts[:MAX_IDS] if (found := row_id(part)) is not None)


def request_id(text: str) -> int:
    """The id in /requests/{id}.json: a number (400 otherwise), of a request that may exist (404 otherwise)."""
    if not ASCII_DIGITS.fullmatch(text):
        raise Open311Error(N_("service_request_id must be a number."))
    found = row_id(text)
    if found is None:
        raise Open311Error(N_("There is no service request %(id)s."), status_code=404, id=text)
    return found


def split_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def clean_attributes(definitions: Sequence[Mapping[str, Any]], raw: Mapping[str, list[str]]) -> dict[str, Any]:
    """Check submitted values against the service definition; returns the values to store."""
    known = {definition["code"]: definition for definition in definitions}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise Open311Error(N_("Unknown attribute %(code)s for this service."), code=unknown[0])
    cleaned: dict[str, Any] = {}
    for code, definition in known.items():
        values = [value.strip() for value in raw.get(code, []) if value.strip()]
        if not values:
            if definition["required"]:
                raise Open311Error(N_("The attribute %(code)s is required."), code=code)
            continue
        cleaned[code] = _clean_value(definition, values)
    return cleaned


def _clean_value(definition: Mapping[str, Any], values: list[str]) -> Any:
    code, datatype = definition["code"], definition["datatype"]
    keys = {choice["key"] for choice in definition.get("values") or []}
    if datatype == "multivaluelist":
        wrong = [value for value in values if value not in keys]
        if wrong:
            raise Open311Error(N_("%(value)s is not one of the values of %(code)s."), value=wrong[0], code=code)
        return sorted(set(values))
    if len(values) > 1:
        raise Open311Error(N_("The attribute %(code)s takes one value."), code=code)
    value = values[0]
    if datatype == "singlevaluelist" and value not in keys:
        raise Open311Error(N_("%(value)s is not one of the values of %(code)s."), value=value, code=code)
    if datatype == "number":
        return _number(value, code)
    if datatype == "datetime":
        return w3c(parse_w3c(value, code))
    limit = MAX_TEXT if datatype == "text" else MAX_STRING
    if len(value) > limit:
        raise Open311Error(N_("The attribute %(code)s is longer than %(limit)s characters."), code=code, limit=limit)
    return value


def _number(value: str, code: str) -> float | int:
    try:
        number = decimal_number(value)
    except ValueError:
        raise Open311Error(N_("The attribute %(code)s must be a number."), code=code) from None
    if not math.isfinite(number) or abs(number) > 1e9:
        raise Open311Error(N_("The attribute %(code)s must be a number."), code=code)
    return int(number) if number.is_integer() else number


def to_xml(root: str, item: str, records: Sequence[Mapping[str, Any]]) -> bytes:
    """The spec's XML: <root><item>…</item>…</root>, lists as repeated children, nulls as empty elements."""
    element = ET.Element(root)
    for record in records:
        _append(element, item, record)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def to_xml_document(root: str, record: Mapping[str, Any]) -> bytes:
    """A single record as the document element, e.g. <service_definition>."""
    holder = ET.Element("holder")
    _append(holder, root, record)
    return ET.tostring(holder[0], encoding="utf-8", xml_declaration=True)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if isinstance(inner, list):
                container = ET.SubElement(child, key)
                for entry in inner:
                    _append(container, _singular(key), entry)
            else:
                _append(child, key, inner)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)


def _singular(plural: str) -> str:
    return {"attributes": "attribute", "values": "value", "keywords": "keyword"}.get(plural, plural.rstrip("s"))


def service_record(chosen: Service) -> dict[str, Any]:
    return {
        "service_code": chosen.code,
        "service_name": localized_name(chosen),
        "description": localized_name(chosen, field="description"),
        "metadata": bool(chosen.attributes),
        "type": "realtime",
        "keywords": chosen.keywords,
        "group": department_name(chosen.department),
    }


def definition_record(chosen: Service) -> dict[str, Any]:
    return {"service_code": chosen.code, "attributes": [attribute_record(a) for a in chosen.attributes]}


def attribute_record(attribute: ServiceAttribute) -> dict[str, Any]:
    return {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": None,
        "order": attribute.position,
        "description": localized_name(attribute, field="description"),
        "values": [{"key": value["key"], "name": localized_name(value)} for value in attribute.values],
    }


def request_record(found: ServiceRequest | SearchRow, service_names: tuple[str, str, str] | None = None
                   ) -> dict[str, Any]:
    """What anyone may see of a request: never the reporter's contact details.

    `found` is a request, or a search row (same attribute names, no `service`); `service_names` (the service's
    localized name, code and agency) spares looking its service up again for every record."""
    if service_names is None:
        chosen = cast("ServiceRequest", found).service
        service_names = (localized_name(chosen), chosen.code, department_name(chosen.department))
    service_name, service_code, agency = service_names
    return {
        "service_request_id": str(found.id),
        "status": open311_status(found.status),
        "status_notes": found.status_notes or None,
        "service_name": service_name,
        "service_code": service_code,
        "description": found.description or None,
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": w3c(found.requested_at),
        "updated_datetime": w3c(found.updated_at),
        "expected_datetime": w3c(found.expected_at),
        "address": found.address_string or None,
        "address_id": None,
        "zipcode": None,
        "lat": found.lat,
        "long": found.lon,
        "media_url": found.media_url or None,
    }


def created_record(created: ServiceRequest, account_id: str) -> dict[str, Any]:
    """The answer to a POST: the new request's id, its token, and its tracking code in words."""
    return {"service_request_id": str(created.id), "token": created.token,
            "service_notice": gettext(N_("Your tracking code is %(code)s."), code=created.tracking_code),
            "account_id": account_id or None}


def token_record(found: ServiceRequest) -> dict[str, Any]:
    return {"service_request_id": str(found.id), "token": found.token}


def department_name(code: str) -> str:
    """The department as the agency responsible, in the reader's language (its code when it has no name)."""
    return staff.department_label(code)
