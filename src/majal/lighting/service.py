"""Public lighting's rules: the inventory, dimming programmes, energy and retrofits, telemetry and work orders."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from sqlalchemy.orm import Session

from majal.accounts.models import User
from majal.kit import audit, clock
from majal.kit.audit import utcnow
from majal.kit.errors import Conflict, Forbidden, MajalError, NotFound
from majal.kit.geo import WGS84_GEOD
from majal.kit.i18n import N_, gettext
from majal.kit.security import Role
from majal.lighting import energy, faults, formats, programmes, repository, sun
from majal.lighting.models import Cabinet, DimmingProgramme, Reading, Streetlight, WorkOrder
from majal.lighting.schemas import LampState
from majal.requests import service as requests
from majal.territory import service as territory

log = logging.getLogger("majal.lighting")

FULL_NIGHT = [programmes.Step("dusk", "dawn", 100.0)]  # a cabinet without a programme burns dusk to dawn


class Layer:
    streetlights = "streetlights"
    cabinets = "cabinets"


@dataclass(frozen=True)
class ImportResult:
    layer: str
    created: int
    updated: int


# --- Inventory -------------------------------------------------------------------------------------------------

def import_inventory(db: Session, data: bytes, layer: str, actor: str) -> ImportResult:
    """Check the whole file (fields, duplicates, cabinets and programmes that exist, points inside the commune),
    then add or update every row in the caller's transaction."""
    rows = formats.read_rows(data, layer)
    if not rows:
        raise MajalError(N_("The file has no rows."))
    result = _import_cabinets(db, rows) if layer == Layer.cabinets else _import_streetlights(db, rows)
    audit.record(db, actor, "lighting.import", layer, None, {"created": result.created, "updated": result.updated})
    return result


def _import_cabinets(db: Session, rows: list[formats.Row]) -> ImportResult:
    return _save_cabinets(db, rows, formats.parse_cabinets(rows))


def _save_cabinets(db: Session, rows: list[formats.Row], records: list[formats.CabinetRecord]) -> ImportResult:
    known_programmes = {p.code: p.id for p in repository.programmes(db)}
    for row, record in zip(rows, records, strict=True):
        if record.programme and record.programme not in known_programmes:
            raise row.problem("programme", N_("There is no dimming programme %(code)s."), code=record.programme)
    districts = _districts_of(db, rows, np.array([r.lon for r in records]), np.array([r.lat for r in records]))
    existing = {cabinet.code: cabinet for cabinet in repository.cabinets(db)}
    created = 0
    for record, district_id in zip(records, districts, strict=True):
        cabinet = existing.get(record.code)
        if cabinet is None:
            cabinet = Cabinet(code=record.code)
            db.add(cabinet)
            created += 1
        cabinet.name, cabinet.lon, cabinet.lat = record.name, record.lon, record.lat
        cabinet.contracted_power_kw, cabinet.installed_on = record.contracted_power_kw, record.installed_on
        cabinet.district_id = district_id
        if record.programme:
            cabinet.programme_id = known_programmes[record.programme]
    db.flush()
    return ImportResult(Layer.cabinets, created, len(records) - created)


def _import_streetlights(db: Session, rows: list[formats.Row]) -> ImportResult:
    return _save_streetlights(db, rows, formats.parse_streetlights(rows))


def _save_streetlights(db: Session, rows: list[formats.Row], records: list[formats.StreetlightRecord]
                       ) -> ImportResult:
    cabinets = repository.cabinet_ids_by_code(db)
    for row, record in zip(rows, records, strict=True):
        if record.cabinet not in cabinets:
            raise row.problem("cabinet", N_("There is no cabinet %(code)s: import the cabinets first."),
                              code=record.cabinet)
    districts = _districts_of(db, rows, np.array([r.lon for r in records]), np.array([r.lat for r in records]))
    existing = repository.streetlights_by_pole(db, [record.pole_number for record in records])
    fresh = []
    for record, district_id in zip(records, districts, strict=True):
        values = _streetlight_values(record, cabinets[record.cabinet], district_id)
        light = existing.get(record.pole_number)
        if light is None:
            fresh.append(values)
        else:
            for key, value in values.items():
                setattr(light, key, value)
    repository.insert_streetlights(db, fresh)
    db.flush()
    return ImportResult(Layer.streetlights, len(fresh), len(records) - len(fresh))


def _streetlight_values(record: formats.StreetlightRecord, cabinet_id: int, district_id: int | None
                        ) -> dict[str, Any]:
    return {"pole_number": record.pole_number, "lon": record.lon, "lat": record.lat,
            "technology": record.technology, "rated_power_w": record.rated_power_w, "dimmable": record.dimmable,
            "lantern_height_m": record.lantern_height_m, "installed_on": record.installed_on,
            "cabinet_id": cabinet_id, "district_id": district_id, "location_category": record.location_category}


def _districts_of(db: Session, rows: list[formats.Row], lons: np.ndarray, lats: np.ndarray) -> list[int]:
    """The district of every point, all at once; the first point outside the commune is refused by its row."""
    districts = territory.overview(db).districts
    if not districts:
        raise MajalError(N_("No commune has been set up yet: import its districts first."))
    found = np.full(lons.size, -1, dtype=np.int64)
    for district in districts:
        inside = shapely.contains_xy(district.geometry, lons, lats) | shapely.intersects_xy(
            district.geometry.boundary, lons, lats)
        found = np.where((found < 0) & inside, district.id, found)
    outside = np.flatnonzero(found < 0)
    if outside.size:
        row = rows[int(outside[0])]
        raise row.problem("lon, lat", N_("The point %(lon)s, %(lat)s is outside the commune's districts."),
                          lon=f"{lons[outside[0]]:.6f}", lat=f"{lats[outside[0]]:.6f}")
    return [int(value) for value in found]


def streetlight_records(db: Session) -> list[formats.StreetlightRecord]:
    codes = {cabinet.id: cabinet.code for cabinet in repository.cabinets(db)}
    return [formats.StreetlightRecord(light.pole_number, light.lon, light.lat, light.technology,
                                      light.rated_power_w, light.dimmable, light.lantern_height_m,
                                      light.installed_on, codes[light.cabinet_id], light.location_category)
            for light in repository.streetlights(db)]


def cabinet_records(db: Session) -> list[formats.CabinetRecord]:
    return [formats.CabinetRecord(cabinet.code, cabinet.name, cabinet.lon, cabinet.lat,
                                  cabinet.contracted_power_kw, cabinet.installed_on,
                                  cabinet.programme.code if cabinet.programme else "")
            for cabinet in repository.cabinets(db)]


def export_inventory(db: Session, layer: str, file_format: str) -> str:
    if layer == Layer.cabinets:
        records: list[Any] = cabinet_records(db)
        columns, key = formats.CABINET_FIELDS, lambda record: record.code
    else:
        records = streetlight_records(db)
        columns, key = formats.STREETLIGHT_FIELDS, lambda record: record.pole_number
    if file_format == "csv":
        return formats.write_csv(records, columns)
    return json.dumps(formats.feature_collection(records, key), ensure_ascii=False)


def load_demo(db: Session, actor: str) -> bool:
    """The demo commune's programmes, cabinets and lamps, once."""
    if repository.cabinets(db):
        return False
    from majal.lighting import demo

    for code, name, steps in demo.PROGRAMMES:
        save_programme(db, code, name, programmes.parse_text(steps), actor)
    built = demo.build([district.geometry for district in territory.overview(db).districts])  # ~6,000 lamps
    _save_cabinets(db, _demo_rows(len(built.cabinets)), built.cabinets)
    _save_streetlights(db, _demo_rows(len(built.streetlights)), built.streetlights)
    lamp_ids = [row[0] for row in repository.lamp_table(db)]
    now = utcnow()
    for past in demo.work_orders(len(lamp_ids)):
        opened = now - timedelta(hours=past.opened_hours_ago)
        closed = opened + timedelta(hours=past.repair_hours) if past.repair_hours is not None else None
        db.add(WorkOrder(streetlight_id=lamp_ids[past.lamp_index], fault=past.fault, opened_at=opened,
                         status="repaired" if closed else "in_progress" if past.started else "open",
                         started_at=opened + timedelta(hours=2) if past.started else None, closed_at=closed))
    db.flush()
    join_citizen_reports(db, actor)
    return True


def _demo_rows(count: int) -> list[formats.Row]:
    return [formats.Row(formats.CSV_ROW, number, {}) for number in range(2, count + 2)]


# --- Dimming programmes ----------------------------------------------------------------------------------------

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


def change_programme(db: Session, user: User, code: str, name: str, steps_text: str) -> DimmingProgramme:
    """A lighting agent, manager or admin writes a programme as text; it is checked before it is stored."""
    check_lighting_staff(user)
    return save_programme(db, code.strip(), name, programmes.parse_text(steps_text[:1000]), user.username)


def assign_cabinet_programme(db: Session, user: User, cabinet_id: int, programme_code: str) -> Cabinet:
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


def cabinet_list(db: Session) -> list[Cabinet]:
    return repository.cabinets(db)


def streetlight_count(db: Session) -> int:
    return repository.count_streetlights(db)


def cabinet(db: Session, cabinet_id: int) -> Cabinet:
    found = repository.cabinet_by_id(db, cabinet_id)
    if found is None:
        raise NotFound(N_("There is no cabinet %(code)s."), code=cabinet_id)
    return found


def cabinet_streetlights(db: Session, cabinet_id: int) -> list[Streetlight]:
    return repository.streetlights(db, cabinet_id=cabinet_id)


# --- Energy and retrofits --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LampArrays:
    ids: np.ndarray
    lamps: energy.Lamps
    cabinet: np.ndarray  # cabinet ids
    district: np.ndarray  # district ids, -1 when none
    technology_names: np.ndarray


@dataclass(frozen=True)
class EnergyReport:
    year: int
    lamp_count: int
    monthly: energy.Cost  # 12 values each
    by_cabinet: list[tuple[str, float, float]]  # (cabinet code, kWh, MAD) over the year
    by_district: list[tuple[int, float, float]]  # (district id, kWh, MAD)
    by_technology: list[tuple[str, int, float]]  # (technology, lamps, kWh)
    lit_hours: float  # dusk-to-dawn hours in the year

    @property
    def total_kwh(self) -> float:
        return float(self.monthly.kwh.sum())

    @property
    def total_mad(self) -> float:
        return float(self.monthly.mad.sum())

    @property
    def total_co2_t(self) -> float:
        return float(self.monthly.co2_t.sum())


def _lamps_and_profiles(db: Session, year: int) -> tuple[LampArrays, energy.Profiles]:
    lat, lon = commune_position(db)
    nights = year_nights(round(lat, 4), round(lon, 4), year)
    stored = repository.programmes(db)
    index = {programme.id: position + 1 for position, programme in enumerate(stored)}
    profiles = [programmes.night_profile(FULL_NIGHT, nights)]
    profiles += [programmes.night_profile(programmes.from_json(p.steps), nights) for p in stored]
    table = repository.lamp_table(db)
    ids = np.array([row[0] for row in table], dtype=np.int64)
    technology = np.array([row[2] for row in table], dtype=object)
    lamps = energy.Lamps(
        power_w=np.array([row[1] for row in table], dtype=float),
        technology=np.array([energy.TECHNOLOGY_CODES[name] for name in technology], dtype=np.int64),
        dimmable=np.array([row[3] for row in table], dtype=bool),
        programme=np.array([index.get(row[5], 0) if row[5] else 0 for row in table], dtype=np.int64),
    )
    arrays = LampArrays(ids, lamps, np.array([row[4] for row in table], dtype=np.int64),
                        np.array([row[6] if row[6] is not None else -1 for row in table], dtype=np.int64),
                        technology)
    return arrays, energy.Profiles(np.array([p[0] for p in profiles]), np.array([p[1] for p in profiles]),
                                   nights.months)


def energy_report(db: Session, year: int, tariff: float, co2_factor: float) -> EnergyReport:
    arrays, profiles = _lamps_and_profiles(db, year)
    kwh = energy.monthly_kwh(arrays.lamps, profiles)
    yearly = kwh.sum(axis=1)
    codes = {cabinet.id: cabinet.code for cabinet in repository.cabinets(db)}
    by_cabinet = []
    for cabinet_id, code in codes.items():
        total = float(yearly[arrays.cabinet == cabinet_id].sum())
        by_cabinet.append((code, total, total * tariff))
    by_district = []
    for district_id in sorted(set(arrays.district.tolist()) - {-1}):
        total = float(yearly[arrays.district == district_id].sum())
        by_district.append((district_id, total, total * tariff))
    by_technology = [(name, int((arrays.technology_names == name).sum()),
                      float(yearly[arrays.technology_names == name].sum())) for name in energy.TECHNOLOGY_CODES]
    lit = float((profiles.lit[0]).sum())
    return EnergyReport(year, int(arrays.ids.size), energy.cost(kwh.sum(axis=0), tariff, co2_factor), by_cabinet,
                        by_district, by_technology, lit)


def energy_table(db: Session, year: int, by: str, tariff: float) -> tuple[list[str], list[list[Any]]]:
    """kWh per month and per year, and the year's cost, for each lamp, cabinet or district (CSV rows)."""
    arrays, profiles = _lamps_and_profiles(db, year)
    kwh = energy.monthly_kwh(arrays.lamps, profiles)
    if by == "lamp":
        poles = dict(repository.pole_numbers(db))
        names = [poles[int(lamp_id)] for lamp_id in arrays.ids]
        totals = kwh
    else:
        keys = arrays.cabinet if by == "cabinet" else arrays.district
        labels = ({cabinet.id: cabinet.code for cabinet in repository.cabinets(db)} if by == "cabinet" else
                  {district.id: district.code for district in territory.overview(db).districts})
        order = sorted(labels, key=labels.__getitem__)
        index = {key: position for position, key in enumerate(order)}
        totals = energy.group_totals(kwh, np.array([index.get(int(key), 0) for key in keys]), len(order))
        names = [labels[key] for key in order]
    header = [by] + [f"kwh_{month:02d}" for month in range(1, 13)] + ["kwh_year", "cost_mad"]
    rows = [[name, *(round(float(value), 3) for value in row), round(float(row.sum()), 3),
             round(float(row.sum()) * tariff, 2)] for name, row in zip(names, totals, strict=True)]
    return header, rows


@dataclass(frozen=True)
class RetrofitChoice:
    technology: str  # which lamps: hps, metal_halide, led or "" for all non-LED
    district_id: int | None
    min_power_w: float
    led_power_w: float
    unit_price_mad: float


def retrofit_scenario(db: Session, choice: RetrofitChoice, year: int, tariff: float, co2_factor: float
                      ) -> energy.Retrofit:
    if not formats.MIN_POWER_W <= choice.led_power_w <= formats.MAX_POWER_W:
        raise MajalError(N_("%(value)s W is not a plausible streetlight power: a lamp draws %(low)s to %(high)s W. "
                            "Was it written in kW or with an extra zero?"), where="led_power_w",
                         value=f"{choice.led_power_w:g}", low=f"{formats.MIN_POWER_W:g}",
                         high=f"{formats.MAX_POWER_W:g}")
    if not 0 <= choice.unit_price_mad <= 100_000:
        raise MajalError(N_("%(value)s is outside the allowed range, %(low)s to %(high)s."),
                         where="unit_price_mad", value=f"{choice.unit_price_mad:g}", low="0", high="100000")
    arrays, profiles = _lamps_and_profiles(db, year)
    names = arrays.technology_names
    selected = (names == choice.technology) if choice.technology else (names != "led")
    selected &= arrays.lamps.power_w >= choice.min_power_w
    if choice.district_id is not None:
        selected &= arrays.district == choice.district_id
    return energy.retrofit(arrays.lamps, profiles, selected, choice.led_power_w, choice.unit_price_mad, tariff,
                           co2_factor)


# --- Telemetry, faults and work orders -------------------------------------------------------------------------

CLOCK_DRIFT = timedelta(minutes=10)  # a controller clock this far ahead is still believed
JOIN_METRES = 25.0  # a citizen's report this close to a faulty lamp is about the same pole
OPEN_STATUSES = ("open", "in_progress")
WORK_ORDER_STATUSES = ("open", "in_progress", "repaired", "cancelled")
WORK_ORDER_MOVES = {"open": ("in_progress", "repaired", "cancelled"), "in_progress": ("repaired", "cancelled")}
LIGHTING_SERVICES = ("LIGHT_OUT", "LIGHT_DAY", "POLE_DAMAGED")
OPEN_REQUEST_STATUSES = ("new", "acknowledged", "in_progress")
PAGE_SIZE = 50
STATUS_LABELS = {"open": N_("To do"), "in_progress": N_("In progress"), "repaired": N_("Repaired"),
                 "cancelled": N_("Cancelled")}
FAULT_LABELS = {faults.Fault.out_at_night: N_("Lamp out at night"), faults.Fault.lit_by_day: N_("Lit by day"),
                faults.Fault.power_deviation: N_("Power far from expected"),
                faults.Fault.citizen_report: N_("Reported by a citizen")}


def streetlight_by_pole(db: Session, pole: str) -> Streetlight:
    found = repository.streetlights_by_pole(db, [pole]).get(pole)
    if found is None:
        raise NotFound(N_("There is no lamp %(pole)s."), pole=pole)
    return found


def record_state(db: Session, pole: str, state: LampState) -> list[WorkOrder]:
    """Store a controller's message, keep the lamp's latest state, and open a work order for each fault found."""
    light = streetlight_by_pole(db, pole)
    at = clock.check_moment(state.at, "at", latest=utcnow() + CLOCK_DRIFT)
    repository.add_reading(db, Reading(streetlight_id=light.id, at=at, on=state.on, level=state.level,
                                       power_w=state.power_w))
    if light.state_at is not None and _aware(light.state_at) > at:
        return []  # a late or repeated message (QoS 1) is history: it must not reopen a repaired fault
    light.state_on, light.state_level, light.state_power_w, light.state_at = state.on, state.level, state.power_w, at
    expected = expected_state(db, light, at)
    found = faults.faults(state.on, state.level, state.power_w, expected, light.rated_power_w, light.technology,
                          light.dimmable)
    return [open_fault(db, light, fault, "telemetry", at) for fault in found]


def expected_state(db: Session, light: Streetlight, at: datetime) -> faults.Expected:
    lat, lon = commune_position(db)
    local = at.astimezone(sun.TIMEZONE)
    evening = (local - timedelta(hours=12)).date()  # the night a moment belongs to starts the day before at 00–12 h
    night = sun.nights(lat, lon, evening, 1)
    hour = (at - night.noons[0]).total_seconds() / 3600
    steps = programmes.from_json(light.cabinet.programme.steps) if light.cabinet.programme else FULL_NIGHT
    level = programmes.level_at(steps, night, 0, hour)
    return faults.Expected(hour, float(night.dusk[0]), float(night.dawn[0]), level)


def open_fault(db: Session, light: Streetlight, fault: str, actor: str, at: datetime | None = None) -> WorkOrder:
    """One work order per faulty lamp: a new fault on a lamp already waiting for repair joins its order."""
    order = repository.open_work_order(db, light.id)
    if order is None:
        order = WorkOrder(streetlight_id=light.id, streetlight=light, fault=fault, status="open",
                          opened_at=at or utcnow())
        db.add(order)
        db.flush()
        audit.record(db, actor, "lighting.work_order.open", "work_order", order.id, {"fault": fault})
    elif fault not in order.detail.split():
        order.detail = f"{order.detail} {fault}".strip()
    _join_citizen_reports(db, order, light)
    return order


def _join_citizen_reports(db: Session, order: WorkOrder, light: Streetlight) -> None:
    for code in LIGHTING_SERVICES:
        for found in requests.nearby(db, code, light.lon, light.lat, metres=JOIN_METRES):
            if found.lon is None or found.lat is None:
                continue
            distance = WGS84_GEOD.inv(light.lon, light.lat, found.lon, found.lat)[2]
            repository.link_request(db, order, found.id, round(distance, 1))


def check_lighting_staff(user: User) -> None:
    """Lighting agents, managers and admins work on lamps and their work orders."""
    if user.role in (Role.admin, Role.manager):
        return
    if user.role == Role.agent and user.department == "lighting":
        return
    raise Forbidden(N_("Public lighting is for the lighting department's agents, managers and administrators."))


def work_order_queue(db: Session, user: User, status: str, page: int) -> tuple[list[WorkOrder], int]:
    check_lighting_staff(user)
    statuses = OPEN_STATUSES if status == "open" else (status,) if status in WORK_ORDER_STATUSES else OPEN_STATUSES
    return repository.work_orders(db, statuses, max(page - 1, 0) * PAGE_SIZE, PAGE_SIZE)


def work_order(db: Session, user: User, work_order_id: int) -> WorkOrder:
    check_lighting_staff(user)
    found = repository.work_order_by_id(db, work_order_id)
    if found is None:
        raise NotFound(N_("There is no work order %(id)s."), id=work_order_id)
    return found


def move_work_order(db: Session, user: User, work_order_id: int, target: str, note: str,
                    secret: str | None = None) -> WorkOrder:
    """open → in progress → repaired (or cancelled); the time to repair runs from opening to repair. A repair
    resolves the citizens' reports joined to the order (they hear of it), when `secret` can seal their news."""
    order = work_order(db, user, work_order_id)
    if target not in WORK_ORDER_MOVES.get(order.status, ()):
        raise Conflict(N_("A work order that is “%(status)s” cannot become “%(target)s”."), where="status",
                       status=gettext(STATUS_LABELS[order.status]),
                       target=gettext(STATUS_LABELS[target]) if target in STATUS_LABELS else target)
    if len(note) > 2000:
        raise MajalError(N_("Must be at most %(limit)s characters long."), where="note", limit=2000)
    now = utcnow()
    order.status = target
    if target == "in_progress":
        order.started_at = now
    else:
        order.closed_at = now
    if note.strip():
        order.note = (order.note + "\n" + note.strip()).strip()
    audit.record(db, user.username, "lighting.work_order." + target, "work_order", order.id)
    if target == "repaired" and secret is not None:
        _resolve_joined_reports(db, user, order, note.strip() or gettext(N_("The lamp has been repaired.")), secret)
    return order


def _resolve_joined_reports(db: Session, user: User, order: WorkOrder, note: str, secret: str) -> None:
    for link in order.links:
        joined = requests.staff_request(db, user, link.service_request_id)
        if joined.status in OPEN_REQUEST_STATUSES:
            requests.change_status(db, secret, user, joined, "resolved", note)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Kpis:
    lamps: int
    working_share: float | None  # lamps without an open work order
    faults_per_1000: float | None  # work orders opened in the last 12 months per 1,000 lamps
    mean_hours_to_repair: float | None
    open_orders: int
    repaired: int


def kpis(db: Session, now: datetime | None = None) -> Kpis:
    now = now or utcnow()
    lamps = repository.count_streetlights(db)
    faulty = len(repository.open_fault_lamp_ids(db))
    lives = repository.work_order_lives(db, now - timedelta(days=365))
    repairs = [(_aware(closed) - _aware(opened)).total_seconds() / 3600 for status, opened, closed in lives
               if status == "repaired" and closed is not None]
    return Kpis(
        lamps=lamps,
        working_share=(lamps - faulty) / lamps if lamps else None,
        faults_per_1000=len(lives) / lamps * 1000 if lamps else None,
        mean_hours_to_repair=sum(repairs) / len(repairs) if repairs else None,
        open_orders=faulty,
        repaired=len(repairs),
    )


# --- What the pages show ---------------------------------------------------------------------------------------

STATE_LABELS = {"working": N_("Working"), "fault": N_("Fault, to repair"), "repair": N_("Repair in progress")}
MAX_MAP_LAMPS = 10_000


def lamp_states(db: Session, lamp_ids: list[int] | None = None) -> dict[int, str]:
    """Each lamp's state for the map: a fault waiting, a repair under way, or working (the default)."""
    states = {}
    for lamp_id, status in repository.open_work_order_statuses(db):
        if lamp_ids is None or lamp_id in lamp_ids:
            states[lamp_id] = "repair" if status == "in_progress" else "fault"
    return states


def state_counts(db: Session) -> dict[str, int]:
    states = lamp_states(db)
    total = repository.count_streetlights(db)
    faults_waiting = sum(1 for state in states.values() if state == "fault")
    return {"working": total - len(states), "fault": faults_waiting, "repair": len(states) - faults_waiting}


def streetlights_geojson(db: Session, box: tuple[float, float, float, float] | None) -> dict[str, Any]:
    """The lamps in a box (or the whole commune) as GeoJSON points with their state, at most MAX_MAP_LAMPS."""
    if box is not None:
        west, south, east, north = box
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise MajalError(N_("The box must be west,south,east,north in degrees, west ≤ east and south ≤ north."),
                             where="bbox")
    lights = repository.streetlights_in_box(db, box or (-180.0, -90.0, 180.0, 90.0), MAX_MAP_LAMPS)
    states = lamp_states(db)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": light.id,
         "geometry": {"type": "Point", "coordinates": [light.lon, light.lat]},
         "properties": {"pole_number": light.pole_number, "state": states.get(light.id, "working"),
                        "technology": light.technology, "rated_power_w": light.rated_power_w,
                        "cabinet_id": light.cabinet_id}}
        for light in lights]}


def steps_text(programme: DimmingProgramme) -> str:
    return programmes.to_text(programmes.from_json(programme.steps))


def programme_text(cabinet: Cabinet) -> str:
    steps = programmes.from_json(cabinet.programme.steps) if cabinet.programme else FULL_NIGHT
    return programmes.to_text(steps)


def cabinet_energy(db: Session, cabinet_id: int, year: int, tariff: float, co2_factor: float) -> energy.Cost:
    arrays, profiles = _lamps_and_profiles(db, year)
    mine = arrays.cabinet == cabinet_id
    part = energy.Lamps(arrays.lamps.power_w[mine], arrays.lamps.technology[mine], arrays.lamps.dimmable[mine],
                        arrays.lamps.programme[mine])
    return energy.cost(energy.monthly_kwh(part, profiles).sum(axis=0), tariff, co2_factor)


@dataclass(frozen=True)
class JoinResult:
    joined: int  # reports joined to a work order already open for their lamp
    opened: int  # reports that opened a work order


def join_citizen_reports(db: Session, actor: str) -> JoinResult:
    """Open lighting reports of the last 90 days not yet joined: each goes to the nearest lamp within 25 m, onto
    its open work order or a new one (fault: reported by a citizen)."""
    from majal.requests.schemas import RequestQuery

    known = {chosen.code for chosen in requests.services(db)}
    codes = tuple(code for code in LIGHTING_SERVICES if code in known)
    if not codes:  # no service catalogue yet: no report to join
        return JoinResult(0, 0)
    rows, _services = requests.search(db, RequestQuery(service_codes=codes, statuses=("open",)))
    done = repository.linked_request_ids(db)
    pending = [row for row in rows if row.id not in done and row.lon is not None and row.lat is not None]
    positions = repository.lamp_positions(db)
    if not pending or not positions:
        return JoinResult(0, 0)
    ids = np.array([p[0] for p in positions])
    lons, lats = np.array([p[1] for p in positions]), np.array([p[2] for p in positions])
    joined = opened = 0
    for row in pending:
        assert row.lon is not None and row.lat is not None
        _forward, _back, metres = WGS84_GEOD.inv(np.full(ids.size, row.lon), np.full(ids.size, row.lat), lons, lats)
        nearest = int(np.argmin(metres))
        if metres[nearest] > JOIN_METRES:
            continue
        light = repository.streetlight_by_id(db, int(ids[nearest]))
        assert light is not None
        order = repository.open_work_order(db, light.id)
        if order is None:
            order = open_fault(db, light, faults.Fault.citizen_report, actor)
            opened += 1
        else:
            joined += 1
        repository.link_request(db, order, row.id, round(float(metres[nearest]), 1))
    return JoinResult(joined, opened)


@dataclass(frozen=True)
class FaultMonth:
    month: date
    opened: int
    repaired: int
    mean_hours_to_repair: float | None


def fault_months(db: Session, now: datetime | None = None) -> list[FaultMonth]:
    """The last twelve months, oldest first: work orders opened, repairs finished and their mean time to repair."""
    now = now or utcnow()
    months = [_month_start(now, back) for back in range(11, -1, -1)]
    lives = repository.work_order_lives(db, datetime.combine(months[0], datetime.min.time(), UTC) - timedelta(
        days=365))
    result = []
    for start in months:
        end = _month_start(datetime.combine(start, datetime.min.time(), UTC), -1)
        opened = sum(1 for _s, at, _c in lives if start <= _aware(at).date() < end)
        repairs = [(_aware(closed) - _aware(at)).total_seconds() / 3600 for status, at, closed in lives
                   if status == "repaired" and closed is not None and start <= _aware(closed).date() < end]
        result.append(FaultMonth(start, opened, len(repairs), sum(repairs) / len(repairs) if repairs else None))
    return result


def _month_start(moment: datetime, back: int) -> date:
    """The first day of the month `back` months before `moment`'s (negative: after)."""
    index = moment.year * 12 + moment.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)
