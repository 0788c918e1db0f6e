"""The demo commune's lighting, stored through the same paths as a real import."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.orm import Session

from majal.kit.audit import utcnow
from majal.lighting import formats, programmes, repository
from majal.lighting.models import WorkOrder
from majal.lighting.schemas import PastWorkOrder
from majal.lighting.service.dimming import save_programme
from majal.lighting.service.inventory import save_cabinets, save_streetlights
from majal.lighting.service.work_orders import join_citizen_reports


def has_inventory(db: Session) -> bool:
    return bool(repository.cabinets(db))


def seed(db: Session, programmes_: Sequence[tuple[str, str, str]], cabinets: list[formats.CabinetRecord],
         streetlights: list[formats.StreetlightRecord], past_orders: Sequence[PastWorkOrder], actor: str) -> None:
    """Programmes, cabinets, lamps and a history of work orders given as records (the demo's): checked and stored
    as an import's are."""
    for code, name, steps in programmes_:
        save_programme(db, code, name, programmes.parse_text(steps), actor)
    save_cabinets(db, _demo_rows(len(cabinets)), cabinets)
    save_streetlights(db, _demo_rows(len(streetlights)), streetlights)
    lamp_ids = [row[0] for row in repository.lamp_table(db)]
    now = utcnow()
    for past in past_orders:
        opened = now - timedelta(hours=past.opened_hours_ago)
        closed = opened + timedelta(hours=past.repair_hours) if past.repair_hours is not None else None
        db.add(WorkOrder(streetlight_id=lamp_ids[past.lamp_index], fault=past.fault, opened_at=opened,
                         status="repaired" if closed else "in_progress" if past.started else "open",
                         started_at=opened + timedelta(hours=2) if past.started else None, closed_at=closed))
    db.flush()
    join_citizen_reports(db, actor)


def _demo_rows(count: int) -> list[formats.Row]:
    return [formats.Row(formats.CSV_ROW, number, {}) for number in range(2, count + 2)]
