"""The lamps and cabinets an NGSI-LD answer or export holds, read for `ngsi` to shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from majal.lighting import ngsi, repository
from majal.territory import service as territory


def ngsi_entities(db: Session, kind: str, offset: int, limit: int, key_values: bool
                  ) -> tuple[list[dict[str, Any]], int]:
    """One page of entities of `kind` (an unknown type has none, as in NGSI-LD) and how many there are."""
    if kind == ngsi.CABINET:
        cabinets = repository.cabinets(db)
        rows = [ngsi.cabinet_values(cabinet) for cabinet in cabinets[offset:offset + limit]]
        total = len(cabinets)
    elif kind == ngsi.STREETLIGHT:
        rows = _streetlight_rows(db, offset, limit)
        total = repository.count_streetlights(db)
    else:
        return [], 0
    return ngsi.page(rows, key_values), total


def ngsi_export(db: Session) -> str:
    """Every cabinet and streetlight, normalized, as one JSON array (what a context broker's batch create takes)."""
    cabinets = [ngsi.cabinet_values(cabinet) for cabinet in repository.cabinets(db)]
    return ngsi.export_text(cabinets + _streetlight_rows(db, 0, None))


def _streetlight_rows(db: Session, offset: int, limit: int | None) -> list[dict[str, Any]]:
    codes = {cabinet.id: cabinet.code for cabinet in repository.cabinets(db)}
    faulty = repository.open_fault_lamp_ids(db)
    districts = {district.id: district.name_fr for district in territory.overview(db).districts}
    return [ngsi.streetlight_values(light, codes[light.cabinet_id], light.id in faulty,
                                    districts.get(light.district_id or -1))
            for light in repository.streetlights(db, offset=offset, limit=limit)]
