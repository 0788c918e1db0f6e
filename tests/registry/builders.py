"""Small hand-made populations for the registry tests: every field explicit, so expected values can be worked out by
hand."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import polars as pl

from majal.registry.pmt import data

HOUSEHOLD: dict[str, Any] = {
    "household_id": 1, "milieu": "urban", "region": "MA-06", "commune": "Berkane", "district": None, "rooms": 3,
    "dwelling": "modern_house", "owner": True, "electricity": True, "piped_water": True, "sewer": True,
    "toilet": True, "bathroom": True, "kitchen": True, "phones": 2, "cars": 0, "motorcycles": 0, "cows": 0,
    "laptop": False, "fridge": True, "washing_machine": False, "internet": False, "land_ha": 0.0,
    "spend_butane": 1200.0, "spend_water_electricity": 3000.0, "spend_telecom": 1200.0,
}
MEMBER: dict[str, Any] = {
    "household_id": 1, "idcs": "0000000001", "sex": "M", "birth_date": date(1980, 6, 15), "relation": "head",
    "education": "primary", "diploma": False, "schooling": "none", "occupation": "labourer", "disability": False,
    "marital_status": "married", "pension": False,
}
_serial = [100]


def household(**fields: Any) -> dict[str, Any]:
    return {**copy.deepcopy(HOUSEHOLD), **fields}


def member(**fields: Any) -> dict[str, Any]:
    _serial[0] += 1
    return {**copy.deepcopy(MEMBER), "idcs": f"{_serial[0]:010d}", **fields}


def child(household_id: int, born: date, schooling: str = "public", **fields: Any) -> dict[str, Any]:
    defaults = {"relation": "child", "occupation": "student" if schooling != "none" else "inactive",
                "marital_status": "single", "education": "primary" if schooling != "none" else "none"}
    return member(household_id=household_id, birth_date=born, schooling=schooling, **(defaults | fields))


def frames(households: list[dict[str, Any]], members: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed tables, as a Parquet file would give them."""
    hh = pl.DataFrame(households, schema={c.name: c.dtype for c in data.HOUSEHOLD_COLUMNS})
    mm = pl.DataFrame(members, schema={c.name: c.dtype for c in data.MEMBER_COLUMNS})
    return hh, mm


def population(households: list[dict[str, Any]], members: list[dict[str, Any]], as_of: date) -> data.Population:
    hh, mm = frames(households, members)
    return data.prepare(hh, mm, as_of=as_of)
