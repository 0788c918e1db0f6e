"""The demo commune's social registry: a few thousand synthetic households in its districts, the same every time."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

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
SURVEY_HOUSEHOLDS = 20_000
OVERDUE_EVERY = 12  # one household in twelve was last verified more than a year ago


def load(db: Session, settings: Settings) -> bool:
    """The demo households, the matched lists over them, and a survey for the targeting dashboard."""
    added = households(db, settings)
    added = matching_demo.matched_list(db, settings) or added
    return survey(db) or added


def survey(db: Session) -> bool:
    """A synthetic survey, written in the import format and loaded as `majal registry survey import` loads one."""
    if service.latest_survey(db) is not None:
        return False
    with tempfile.TemporaryDirectory(prefix="majal-demo-survey-") as folder:
        synth.write(synth.generate(SURVEY_HOUSEHOLDS, synth.DEMO_SEED), Path(folder), formats=("parquet",),
                    seed=synth.DEMO_SEED)
        files = data.read_population(Path(folder), consumption=True)
        service.import_survey(db, files, "Synthetic survey (demo)", synth.REFERENCE_DATE, actor="demo")
    return True


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
