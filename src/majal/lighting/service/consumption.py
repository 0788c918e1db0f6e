"""Energy and retrofits: every lamp's night profile under its cabinet's programme, as kWh, dirhams and CO2 per
month, and what replacing lamps by LEDs would save."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.lighting import energy, formats, programmes, repository
from majal.lighting.service.dimming import FULL_NIGHT, commune_position, year_nights
from majal.territory import service as territory


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


def cabinet_energy(db: Session, cabinet_id: int, year: int, tariff: float, co2_factor: float) -> energy.Cost:
    arrays, profiles = _lamps_and_profiles(db, year)
    mine = arrays.cabinet == cabinet_id
    part = energy.Lamps(arrays.lamps.power_w[mine], arrays.lamps.technology[mine], arrays.lamps.dimmable[mine],
                        arrays.lamps.programme[mine])
    return energy.cost(energy.monthly_kwh(part, profiles).sum(axis=0), tariff, co2_factor)
