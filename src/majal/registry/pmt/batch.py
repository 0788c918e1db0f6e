"""The national batch: check, score, decide and compute the ASD amount of every household, in one pass.

`run()` is what `majal registry score` and `bench/registry_score.py` call: plain tables in, one row per household out,
in `household_id` order:

    household_id, score, model_version,
    amo_tadamon_eligible, amo_tadamon_rule, asd_eligible, asd_rule,
    asd_table, asd_monthly, asd_birth_grant, asd_children,
    driver_1, driver_1_effect, … (the `explain` strongest drivers of the score)

Each decision carries the rule that made it (version, comparator and threshold), each score its model version.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from majal.registry.pmt import data, programmes, scoring
from majal.registry.pmt.model_file import Model

STEPS = ("check", "score", "decide")


def run(
    households: pl.DataFrame,
    members: pl.DataFrame,
    *,
    model: Model,
    rules: programmes.Rules,
    as_of: date,
    explain: int = 3,
    sources: data.Sources | None = None,
    on_step: Callable[[str], None] | None = None,
) -> pl.DataFrame:
    """See the module docstring; `on_step(name)` is called as each of `STEPS` ends."""

    def done(step: str) -> None:
        if on_step:
            on_step(step)

    version = model.at(as_of)  # refuse before the long work when nothing is in force
    for programme in programmes.PROGRAMMES:
        rules.rule_at(programme, as_of)
    rules.table_at(as_of)
    population = data.prepare(households, members, as_of=as_of, sources=sources)
    done("check")
    scores = scoring.score_population(population, version, explain=explain)
    done("score")
    decisions = programmes.decide(population, scores.get_column("score"), rules, as_of=as_of)
    done("decide")
    drivers = [name for name in scores.columns if name.startswith("driver_")]
    return pl.concat([scores.select("household_id", "score", "model_version"), decisions, scores.select(drivers)],
                     how="horizontal").select(
        "household_id", "score", "model_version",
        "amo_tadamon_eligible", "amo_tadamon_rule", "asd_eligible", "asd_rule",
        "asd_table", "asd_monthly", "asd_birth_grant", "asd_children", *drivers,
    )
