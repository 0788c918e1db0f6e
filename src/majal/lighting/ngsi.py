"""Streetlights and cabinets as FIWARE NGSI-LD entities (Smart Data Models `Streetlight`,
`StreetlightControlCabinet`), in normalized or keyValues form.

Identifiers are URNs (`urn:ngsi-ld:Streetlight:P-00001`); a lamp's cabinet is a Relationship; each cabinet is one
switching group. Every entity carries its `@context`, as the API returns `application/ld+json`.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from majal.lighting import repository
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


def entities(db: Session, kind: str, offset: int, limit: int, key_values: bool) -> tuple[list[dict[str, Any]], int]:
    """One page of entities of `kind` (an unknown type has none, as in NGSI-LD) and how many there are."""
    if kind == CABINET:
        cabinets = repository.cabinets(db)
        rows = [cabinet_values(cabinet) for cabinet in cabinets[offset:offset + limit]]
        total = len(cabinets)
    elif kind == STREETLIGHT:
        rows = _streetlight_rows(db, offset, limit)
        total = repository.count_streetlights(db)
    else:
        return [], 0
    shaped = rows if key_values else [normalized(row) for row in rows]
    return [{**entity, "@context": CONTEXT} for entity in shaped], total


def _streetlight_rows(db: Session, offset: int, limit: int | None) -> list[dict[str, Any]]:
    from majal.territory import service as territory

    codes = {cabinet.id: cabinet.code for cabinet in repository.cabinets(db)}
    faulty = repository.open_fault_lamp_ids(db)
    districts = {district.id: district.name_fr for district in territory.overview(db).districts}
    return [streetlight_values(light, codes[light.cabinet_id], light.id in faulty,
                               districts.get(light.district_id or -1))
            for light in repository.streetlights(db, offset=offset, limit=limit)]


def export_text(db: Session) -> str:
    """Every cabinet and streetlight, normalized, as one JSON array (what a context broker's batch create takes)."""
    rows = [cabinet_values(cabinet) for cabinet in repository.cabinets(db)] + _streetlight_rows(db, 0, None)
    return json.dumps([{**normalized(row), "@context": CONTEXT} for row in rows], ensure_ascii=False)
