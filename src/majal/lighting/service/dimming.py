"""Dimming programmes: checked on every night of the year at the commune's position, stored, and given to
cabinets."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from sqlalchemy.orm import Session

from majal.kit import audit
from majal.kit.errors import MajalError, NotFound
from majal.kit.i18n import N_
from majal.kit.security import StaffMember
from majal.lighting import formats, programmes, repository, sun
from majal.lighting.models import Cabinet, DimmingProgramme
from majal.lighting.service.access import check_lighting_staff
from majal.lighting.service.inventory import cabinet
from majal.territory import service as territory

FULL_NIGHT = [programmes.Step("dusk", "dawn", 100.0)]  # a cabinet without a programme burns dusk to dawn


def commune_position(db: Session) -> tuple[float, float]:
    commune = territory.overview(db).commune
    if commune is None:
        raise MajalError(N_("No commune has been set up yet: import its districts first."))
    return commune.centre_lat, commune.centre_lon


@lru_cache(maxsize=16)
def year_nights(lat: float, lon: float, year: int) -> sun.Nights:
    return sun.year_nights(lat, lon, year)


def save_programme(db: Session, code: str, name: str, steps: list[programmes.Step], actor: str,
                   year: int | None = None) -> DimmingProgramme:
    """Check the steps on every night of the year at the commune's position, then store the programme."""
    if not formats.CODE_PATTERN.fullmatch(code):
        raise MajalError(N_("Use 1 to 40 letters, digits, dots, dashes or underscores."), where="code")
    lat, lon = commune_position(db)
    programmes.validate(steps, year_nights(round(lat, 4), round(lon, 4), year or date.today().year))
    programme = repository.programme_by_code(db, code)
    if programme is None:
        programme = DimmingProgramme(code=code)
        db.add(programme)
    programme.name = name.strip()[:200] or code
    programme.steps = programmes.to_json(steps)
    db.flush()
    audit.record(db, actor, "lighting.programme", "programme", code, {"steps": programmes.to_text(steps)})
    return programme


def assign_programme(db: Session, cabinet_code: str, programme_code: str, actor: str) -> Cabinet:
    cabinet = repository.cabinet_by_code(db, cabinet_code)
    if cabinet is None:
        raise NotFound(N_("There is no cabinet %(code)s."), where="cabinet", code=cabinet_code)
    programme = repository.programme_by_code(db, programme_code)
    if programme is None:
        raise NotFound(N_("There is no dimming programme %(code)s."), where="programme", code=programme_code)
    cabinet.programme_id = programme.id
    cabinet.programme = programme
    audit.record(db, actor, "lighting.assign", "cabinet", cabinet_code, {"programme": programme_code})
    return cabinet


def change_programme(db: Session, user: StaffMember, code: str, name: str, steps_text: str) -> DimmingProgramme:
    """A lighting agent, manager or admin writes a programme as text; it is checked before it is stored."""
    check_lighting_staff(user)
    return save_programme(db, code.strip(), name, programmes.parse_text(steps_text[:1000]), user.username)


def assign_cabinet_programme(db: Session, user: StaffMember, cabinet_id: int, programme_code: str) -> Cabinet:
    check_lighting_staff(user)
    return assign_programme(db, cabinet(db, cabinet_id).code, programme_code, user.username)


def programme_cabinet_counts(db: Session) -> dict[int, int]:
    counts: dict[int, int] = {}
    for found in repository.cabinets(db):
        if found.programme_id is not None:
            counts[found.programme_id] = counts.get(found.programme_id, 0) + 1
    return counts


def programme_list(db: Session) -> list[DimmingProgramme]:
    return repository.programmes(db)


def steps_text(programme: DimmingProgramme) -> str:
    return programmes.to_text(programmes.from_json(programme.steps))


def programme_text(cabinet: Cabinet) -> str:
    steps = programmes.from_json(cabinet.programme.steps) if cabinet.programme else FULL_NIGHT
    return programmes.to_text(steps)
