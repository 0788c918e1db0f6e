"""The demo commune's matching: names for the demo registry's members, and a Jisr referral list of about 200 persons
drawn from them — written as lists write names (Arabic script or a Latin spelling, typing errors, swapped names, wrong
or missing birth dates), with a few newcomers and a few persons listed twice — matched, so that the review queue has
pairs to decide."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from majal.config import Settings
from majal.kit import crypto
from majal.registry import DEMO_COMMUNE as COMMUNE
from majal.registry import service
from majal.registry.matching import persons, repository
from majal.registry.matching import service as matching
from majal.registry.models import Household, Member

LIST_NAME = "Jisr referrals (demo)"
FROM_REGISTRY = 170
NEWCOMERS = 20
LISTED_TWICE = 10
SEED = 2026
COMMUNE_SPELLINGS = ("Berkane", "BERKANE", "بركان", "Berkan", "")


def matched_list(db: Session, settings: Settings) -> bool:
    """Name the demo members (those without a name), import the demo list and run the matching, once."""
    if repository.person_list_by_name(db, COMMUNE, LIST_NAME) is not None:
        return False
    rows = db.execute(select(Member.id, Member.household_id, Member.sex, Member.birth_date, Member.idcs_sealed,
                             Member.first_name_latin, Member.first_name_ar)
                      .join(Household, Member.household_id == Household.id).where(Household.commune == COMMUNE)
                      .order_by(Member.id)).all()
    if not rows:
        return False
    names = persons.name_members([r.sex for r in rows], [r.household_id for r in rows], SEED)
    unnamed = [(row, name) for row, name in zip(rows, names, strict=True)
               if not row.first_name_latin and not row.first_name_ar]
    if unnamed:
        db.execute(update(Member), [
            {"id": row.id, "first_name_latin": first.latin[0], "last_name_latin": last.latin[0],
             "first_name_ar": first.arabic[0], "last_name_ar": last.arabic[0]} for row, (first, last) in unnamed])
    content = _list_csv(rows, names, settings.resolved_secret_key)
    matching.import_list(db, content, name=LIST_NAME, commune=COMMUNE, secret=settings.resolved_secret_key,
                         actor="demo", source="demo")
    matching.run_matching(db, COMMUNE, actor="demo")
    return True


def _list_csv(rows: Sequence[Any], names: list[tuple[persons.Name, persons.Name]], secret: str) -> bytes:
    rng = random.Random(SEED)  # noqa: S311 - demo data, the same every time
    chosen = rng.sample(range(len(rows)), min(FROM_REGISTRY, len(rows)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "first_name", "last_name", "birth_date", "sex", "commune", "national_id"])
    written: list[list[str]] = []
    for index in chosen:
        row, (first, last) = rows[index], names[index]
        arabic = rng.random() < 0.4
        given, family = persons.spelled(first, rng, arabic), persons.spelled(last, rng, arabic)
        if rng.random() < 0.12:
            given = persons.misspelled(given, rng)
        if rng.random() < 0.12:
            family = persons.misspelled(family, rng)
        if rng.random() < 0.05:
            given, family = family, given
        draw = rng.random()
        born = "" if draw < 0.08 else persons.wrong_date(row.birth_date, rng) if draw < 0.25 else \
            row.birth_date.isoformat()
        national = crypto.unseal_text(secret, service.IDCS_PURPOSE, row.idcs_sealed) if rng.random() < 0.1 else ""
        written.append([given, family, born, row.sex if rng.random() > 0.1 else "", rng.choice(COMMUNE_SPELLINGS),
                        national])
    newcomers = persons.name_members(["F" if rng.random() < 0.5 else "M" for _ in range(NEWCOMERS)],
                                     list(range(NEWCOMERS)), SEED + 1)
    for first, last in newcomers:
        arabic = rng.random() < 0.4
        written.append([persons.spelled(first, rng, arabic), persons.spelled(last, rng, arabic),
                        f"{rng.randrange(1950, 2008)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}", "",
                        rng.choice(COMMUNE_SPELLINGS), ""])
    for record in rng.sample(written, LISTED_TWICE):  # referred twice, by two services writing differently
        again = list(record)
        again[0] = persons.misspelled(again[0], rng) if rng.random() < 0.5 else again[0]
        again[5] = ""
        written.append(again)
    rng.shuffle(written)
    for number, record in enumerate(written, start=1):
        writer.writerow([f"JISR-{number:04d}", *record])
    return out.getvalue().encode("utf-8")
