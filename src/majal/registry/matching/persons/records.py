"""Synthetic persons in households, each written in one to five records as lists write them, with the truth beside;
and names for the demo registry's members."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa

from majal.registry.matching.persons.spellings import (
    Name,
    communes,
    date_error,
    family_table,
    name_table,
    phone_as_written,
    spelling,
    typo,
)
from majal.registry.matching.persons.tables import FEMALE, MALE

# How often each record departs from the person's true details (transliteration variants come on top: a third of
# the records are in Arabic script, the others in one of the name's Latin spellings).
RATES = {
    "typo": 0.05,            # per name: a letter replaced, dropped, added, doubled or two letters swapped
    "swap": 0.04,            # given and family names in each other's field
    "date_missing": 0.06,
    "date_error": 0.08,      # day and month swapped, the year only (YYYY-01-01), a year off, a wrong digit
    "sex_missing": 0.05,
    "commune_missing": 0.05,
    "commune_other": 0.02,   # the person moved, or the list names another commune
    "arabic": 0.35,
}

COLUMNS = ("id", "first_name", "last_name", "birth_date", "sex", "commune", "national_id", "phone", "household_id")
RECORDS_PER_COMMUNE = 2000
@dataclass
class _Person:
    first: Name
    last: Name
    sex: str
    birth: date
    commune: int
    household: int
    idcs: str | None
    cnie: str | None
    phone: str | None


def _people(count: int, rng: random.Random, places: int) -> list[_Person]:
    male, male_w = name_table(MALE)
    female, female_w = name_table(FEMALE)
    family, family_w = family_table()
    commune_w = [1.0 / (rank + 5) for rank in range(places)]
    today = date(2025, 1, 1)
    people: list[_Person] = []
    used_idcs: set[str] = set()
    used_cnie: set[str] = set()
    household = 0

    def born(age: int) -> date:
        day = today - timedelta(days=age * 365 + rng.randrange(365))
        if day.year < 1965 and rng.random() < 0.3:
            return date(day.year, 1, 1)  # older civil-status records often hold the year only
        return day

    def identifiers(age: int) -> tuple[str | None, str | None]:
        idcs = cnie = None
        if rng.random() < 0.6:
            while idcs is None or idcs in used_idcs:
                idcs = str(rng.randrange(10**9, 10**10))
            used_idcs.add(idcs)
        if age >= 18 and rng.random() < 0.5:
            while cnie is None or cnie in used_cnie:
                cnie = rng.choice("ABCDEFGHIJKLMNPQRSTUVWXYZ") + rng.choice(("", "A", "B", "E", "J")) + str(
                    rng.randrange(10**5, 10**6))
            used_cnie.add(cnie)
        return idcs, cnie

    def phone() -> str:
        return rng.choice("67") + str(rng.randrange(10**7, 10**8))

    while len(people) < count:
        household += 1
        commune = rng.choices(range(places), commune_w)[0]
        head_sex = "M" if rng.random() < 0.75 else "F"
        head_age = rng.randrange(22, 85)
        surname = rng.choices(family, family_w)[0]
        home_phone = phone() if rng.random() < 0.5 else None
        members: list[tuple[str, int, Name, str | None]] = [(head_sex, head_age, surname, home_phone)]
        if rng.random() < 0.75:
            spouse_age = max(18, head_age + rng.randrange(-12, 6) * (1 if head_sex == "M" else -1))
            spouse_name = rng.choices(family, family_w)[0]
            members.append(("F" if head_sex == "M" else "M", spouse_age, spouse_name,
                             phone() if rng.random() < 0.4 else home_phone))
        mother_age = min(age for sex, age, _, _ in members) if len(members) > 1 else head_age
        children = rng.choice((0, 0, 1, 2, 2, 3, 3, 4, 5)) if mother_age > 20 else 0
        child_surname = surname if head_sex == "M" or len(members) == 1 else members[1][2]
        for _ in range(children):
            child_age = rng.randrange(0, max(1, min(mother_age - 18, 40)))
            members.append(("M" if rng.random() < 0.5 else "F", child_age, child_surname,
                            phone() if child_age > 16 and rng.random() < 0.5 else None))
        given_keys: set[tuple[str, str]] = set()
        for sex, age, last, tel in members:
            names, weights = (male, male_w) if sex == "M" else (female, female_w)
            first = rng.choices(names, weights)[0]
            while (sex, first.latin[0]) in given_keys:  # parents do not give two children the same name
                first = rng.choices(names, weights)[0]
            given_keys.add((sex, first.latin[0]))
            idcs, cnie = identifiers(age)
            people.append(_Person(first, last, sex, born(age), commune, household, idcs, cnie, tel))
    return people[:count]


def _records_per_person(rng: random.Random) -> int:
    draw = rng.random()
    return 1 if draw < 0.55 else 2 if draw < 0.8 else 3 if draw < 0.92 else 4 if draw < 0.97 else 5


def synthesize(n: int, seed: int = 0) -> pa.Table:
    """`n` person records with a `person_id` truth column: records with the same person_id are the same person."""
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed; nothing secret
    places = communes(max(20, n // RECORDS_PER_COMMUNE))  # a list this long spans this many communes
    people = _people(max(1, round(n / 1.76)) + 10, rng, len(places))
    columns: dict[str, list[str | None]] = {name: [] for name in (*COLUMNS, "person_id")}
    total = 0
    for index, person in enumerate(people):
        if total >= n:
            break
        copies = min(_records_per_person(rng), n - total)
        total += copies
        for _ in range(copies):
            arabic = rng.random() < RATES["arabic"]
            first = spelling(person.first, rng, arabic)
            last = spelling(person.last, rng, arabic)
            if rng.random() < RATES["typo"]:
                first = typo(first, rng)
            if rng.random() < RATES["typo"]:
                last = typo(last, rng)
            if rng.random() < RATES["swap"]:
                first, last = last, first
            draw = rng.random()
            birth = (
                "" if draw < RATES["date_missing"]
                else date_error(person.birth, rng) if draw < RATES["date_missing"] + RATES["date_error"]
                else person.birth.isoformat()
            )
            sex = "" if rng.random() < RATES["sex_missing"] else person.sex
            commune_draw = rng.random()
            moved = commune_draw < RATES["commune_other"]
            commune_index = rng.randrange(len(places)) if moved else person.commune
            latin_commune, arabic_commune = places[commune_index]
            missing = commune_draw > 1 - RATES["commune_missing"]
            commune = "" if missing else (arabic_commune if arabic else latin_commune)
            identifier = ""
            if person.idcs and rng.random() < 0.25:
                identifier = person.idcs
            elif person.cnie and rng.random() < 0.2:
                identifier = person.cnie
            phone = phone_as_written(person.phone, rng) if person.phone and rng.random() < 0.4 else ""
            household = person.household if rng.random() > 0.01 else rng.randrange(1, len(people))
            columns["first_name"].append(first)
            columns["last_name"].append(last)
            columns["birth_date"].append(birth)
            columns["sex"].append(sex)
            columns["commune"].append(commune)
            columns["national_id"].append(identifier)
            columns["phone"].append(phone)
            columns["household_id"].append(f"H{household:07d}")
            columns["person_id"].append(f"T{index + 1:07d}")
    order = list(range(len(columns["first_name"])))
    rng.shuffle(order)
    columns = {name: [values[i] for i in order] for name, values in columns.items() if name != "id"}
    ids: list[str | None] = [f"P{i + 1:07d}" for i in range(len(order))]
    return pa.table({"id": ids, **{name: columns[name] for name in COLUMNS[1:]}, "person_id": columns["person_id"]})


# --- names for registered persons, and the ways lists write them (the registry's demo) -----------------------------


def name_members(sexes: Sequence[str], households: Sequence[int], seed: int) -> list[tuple[Name, Name]]:
    """A given and a family name for each registered person, from the same frequency tables: one family name per
    household (the first person's), given names by sex, never twice in one household."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed; nothing secret
    male, male_w = name_table(MALE)
    female, female_w = name_table(FEMALE)
    family, family_w = family_table()
    names: list[tuple[Name, Name]] = []
    surname: dict[int, Name] = {}
    given: dict[int, set[str]] = {}
    for sex, household in zip(sexes, households, strict=True):
        last = surname.setdefault(household, rng.choices(family, family_w)[0])
        table, weights = (male, male_w) if sex == "M" else (female, female_w)
        taken = given.setdefault(household, set())
        first = rng.choices(table, weights)[0]
        for _ in range(20):
            if first.latin[0] not in taken:
                break
            first = rng.choices(table, weights)[0]
        taken.add(first.latin[0])
        names.append((first, last))
    return names


def spelled(name: Name, rng: random.Random, arabic: bool, canonical: bool = False) -> str:
    """The name in Arabic script or one of its Latin spellings; `canonical`: the first (the civil-status one)."""
    if canonical:
        return name.arabic[0] if arabic else name.latin[0]
    return spelling(name, rng, arabic)


def misspelled(text: str, rng: random.Random) -> str:
    return typo(text, rng)


def wrong_date(true: date, rng: random.Random) -> str:
    """One of the usual date errors: day and month swapped, the year only, a year off, a digit mistyped."""
    return date_error(true, rng)
