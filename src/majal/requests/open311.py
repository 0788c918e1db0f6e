"""Open311 GeoReport v2 wire formats: attribute values in, JSON-ready dicts and XML documents out. Pure functions."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.kit.validation import decimal_number

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
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")


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
