"""The demo commune's social registry: a few thousand synthetic households in its districts, the same every time."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from sqlalchemy import update
from sqlalchemy.orm import Session

from majal.config import Settings
from majal.kit.audit import utcnow
from majal.registry import DEMO_COMMUNE, service
from majal.registry.matching import demo as matching_demo
from majal.registry.models import Household
from majal.registry.pmt import data, synth
from majal.territory import service as territory

COMMUNE = DEMO_COMMUNE
REGION = "MA-02"  # L'Oriental
HOUSEHOLDS = 3_000
OVERDUE_EVERY = 12  # one household in twelve was last verified more than a year ago


def load(db: Session, settings: Settings) -> bool:
    """The demo households, then the matched lists over them."""
    added = households(db, settings)
    return matching_demo.matched_list(db, settings) or added


def households(db: Session, settings: Settings) -> bool:
    """Register the demo households (once): drawn by `synth` with the demo seed, spread over the commune's
    districts, scored and decided as an import would."""
    if service.household_count(db) > 0:
        return False
    districts: list[str | None] = [district.code for district in territory.overview(db).districts] or [None]
    hh, mm = synth.generate_frames(HOUSEHOLDS, synth.DEMO_SEED)
    ids = hh.get_column("household_id")
    hh = hh.with_columns(
        commune=pl.lit(COMMUNE), region=pl.lit(REGION).cast(hh.schema["region"]),
        district=pl.Series([districts[(i - 1) % len(districts)] for i in ids.to_list()], dtype=pl.String),
    )
    files = data.PopulationFiles(hh, mm, None, data.Sources())
    service.import_population(db, files, secret=settings.resolved_secret_key, actor="demo", as_of=date.today())
    db.execute(update(Household).where(Household.id % OVERDUE_EVERY == 0).values(
        verified_at=utcnow() - timedelta(days=400)))
    return True
