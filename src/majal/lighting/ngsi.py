"""Streetlights and cabinets as FIWARE NGSI-LD entities (Smart Data Models `Streetlight`,
`StreetlightControlCabinet`), in normalized or keyValues form.

Identifiers are URNs (`urn:ngsi-ld:Streetlight:P-00001`); a lamp's cabinet is a Relationship; each cabinet is one
switching group. Every entity carries its `@context`, as the API returns `application/ld+json`.

Shapes only: rows in (lamps and cabinets as read), JSON-ready dicts out. What to read from the database is the
service's part (`service.ngsi_entities`, `service.ngsi_export`).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rows read by the service; nothing here touches the database
    from majal.lighting.models import Cabinet, Streetlight

CONTEXT = [
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Streetlighting/master/context.jsonld",
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
]
# The JSON-LD context by reference, for answers in plain JSON (NGSI-LD API, clause 6.3.5).
CONTEXT_LINK = f'<{CONTEXT[0]}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
STREETLIGHT = "Streetlight"
CABINET = "StreetlightControlCabinet"
TYPES = (STREETLIGHT, CABINET)
DEFAULT_LIMIT, MAX_LIMIT = 20, 1000
# Lamp technologies in the words of the Smart Data Models `StreetlightModel.lampTechnology`.
LAMP_TECHNOLOGY = {"hps": "HPS", "metal_halide": "MH", "led": "LED"}


def urn(kind: str, code: str) -> str:
    return f"urn:ngsi-ld:{kind}:{code}"


def _moment(day: date | None) -> str | None:
    return datetime.combine(day, time(0)).isoformat() + "Z" if day else None


def streetlight_values(light: Streetlight, cabinet_code: str, faulty: bool, district: str | None
                       ) -> dict[str, Any]:
    """The lamp as keyValues (attribute → plain value), without @context."""
    values: dict[str, Any] = {
        "id": urn(STREETLIGHT, light.pole_number),
        "type": STREETLIGHT,
        "location": {"type": "Point", "coordinates": [light.lon, light.lat]},
        "status": "defectiveLamp" if faulty else "ok",
        "streetPoleNum": light.pole_number,
        "circuit": cabinet_code,
        "refStreetlightControlCabinet": urn(CABINET, cabinet_code),
        "refStreetlightGroup": urn("StreetlightGroup", cabinet_code),
        "refStreetlightModel": urn("StreetlightModel", f"{LAMP_TECHNOLOGY[light.technology]}-{light.rated_power_w:g}W"),
        "controllingMethod": "individual" if light.dimmable else "group",
        "lanternHeight": light.lantern_height_m,
        "locationCategory": light.location_category,
        "powerRating": light.rated_power_w,
    }
    if district:
        values["areaServed"] = district
    if light.installed_on:
        values["dateServiceStarted"] = _moment(light.installed_on)
    if light.state_on is not None:
        level = light.state_level or 0.0
        values["powerState"] = "off" if not light.state_on else "low" if level < 100 else "on"
        values["illuminanceLevel"] = round(level / 100, 3) if light.state_on else 0.0
    if light.state_power_w is not None:
        values["powerConsumption"] = light.state_power_w
    if light.state_at is not None:
        values["observationDateTime"] = light.state_at.isoformat().replace("+00:00", "Z")
    return values


def cabinet_values(cabinet: Cabinet) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": urn(CABINET, cabinet.code),
        "type": CABINET,
        "location": {"type": "Point", "coordinates": [cabinet.lon, cabinet.lat]},
        "serialNumber": cabinet.code,
        "refStreetlightGroup": [urn("StreetlightGroup", cabinet.code)],
        "workingMode": "automatic",
        "features": ["astronomicalClock"],
        "maximumPowerAvailable": cabinet.contracted_power_kw,
    }
    if cabinet.name:
        values["name"] = cabinet.name
    if cabinet.installed_on:
        values["dateServiceStarted"] = _moment(cabinet.installed_on)
    return values


DATE_ATTRIBUTES = frozenset({"dateServiceStarted", "observationDateTime"})
RELATIONSHIPS = frozenset({"refStreetlightControlCabinet", "refStreetlightGroup", "refStreetlightModel"})


def normalized(values: dict[str, Any]) -> dict[str, Any]:
    """keyValues → NGSI-LD normalized: every attribute a Property, GeoProperty or Relationship."""
    entity: dict[str, Any] = {"id": values["id"], "type": values["type"]}
    for name, value in values.items():
        if name in ("id", "type"):
            continue
        if name == "location":
            entity[name] = {"type": "GeoProperty", "value": value}
        elif name in RELATIONSHIPS and not isinstance(value, list):
            entity[name] = {"type": "Relationship", "object": value}
        elif name in DATE_ATTRIBUTES:
            entity[name] = {"type": "Property", "value": {"@type": "DateTime", "@value": value}}
        else:
            entity[name] = {"type": "Property", "value": value}
    return entity


def page(rows: list[dict[str, Any]], key_values: bool) -> list[dict[str, Any]]:
    """keyValues rows as the entities of an answer: normalized unless `key_values`, each with its `@context`."""
    shaped = rows if key_values else [normalized(row) for row in rows]
    return [{**entity, "@context": CONTEXT} for entity in shaped]


def without_context(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entities for a plain JSON answer, whose context travels in the Link header (CONTEXT_LINK)."""
    return [{key: value for key, value in entity.items() if key != "@context"} for entity in entities]


def export_text(rows: list[dict[str, Any]]) -> str:
    """keyValues rows, normalized, as one JSON array (what a context broker's batch create takes)."""
    return json.dumps(page(rows, key_values=False), ensure_ascii=False)
