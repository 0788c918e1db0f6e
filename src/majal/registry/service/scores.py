"""Scores and decisions: the engines run on households read back from the database, and what they give stored;
one household's entitlement from its data alone; how well the targeting reaches the poor of the demo survey."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
import polars as pl
from sqlalchemy.orm import Session

from majal.kit import audit
from majal.kit.audit import utcnow
from majal.kit.errors import MajalError, NotFound
from majal.kit.i18n import N_, format_number, gettext
from majal.kit.security import StaffMember
from majal.registry import repository
from majal.registry.models import Decision, Score, Survey
from majal.registry.pmt import data, evaluation, model_file, programmes, scoring
from majal.registry.service.access import check_officer

EXPLAIN = 3


def store_scores(db: Session, population: data.Population, version: model_file.ModelVersion, rules: programmes.Rules,
                 *, kind: str, actor: str, review_id: int | None = None) -> int:
    """Score and decide every household of `population`, and store the scores with their decisions."""
    if len(population) == 0:
        return 0
    day = population.as_of
    scores = scoring.score_population(population, version, explain=EXPLAIN)
    decisions = programmes.decide(population, scores.get_column("score"), rules, as_of=day)
    rules_in_force = {name: rules.rule_at(name, day) for name in programmes.PROGRAMMES}
    table = rules.table_at(day)
    now = utcnow()
    ids = repository.reserve_ids(db, Score, scores.height)
    drivers = [k for k in range(1, EXPLAIN + 1) if f"driver_{k}" in scores.columns]
    driver_json = scores.select(pl.concat_list([
        pl.struct(group=pl.col(f"driver_{k}").cast(pl.String), effect=pl.col(f"driver_{k}_effect"))
        for k in drivers]).alias("drivers")).get_column("drivers") if drivers else None
    score_frame = pl.DataFrame({
        "id": pl.Series(ids, dtype=pl.Int64), "household_id": scores.get_column("household_id"),
        "kind": kind, "score": scores.get_column("score"), "model_version": version.version, "as_of": day,
        "drivers": [orjson.dumps(value).decode() for value in driver_json.to_list()] if driver_json is not None
        else ["[]"] * scores.height,
        "review_id": pl.Series([review_id] * scores.height, dtype=pl.Int64), "actor": actor, "at": now,
    })
    repository.insert_frame(db, Score, score_frame)
    parts = []
    for name, rule in rules_in_force.items():
        asd = name == "asd"
        parts.append(pl.DataFrame({
            "score_id": score_frame.get_column("id"), "household_id": scores.get_column("household_id"),
            "programme": name, "eligible": decisions.get_column(f"{name}_eligible"), "rule": rule.version,
            "comparator": rule.comparator, "threshold": rule.threshold,
            "monthly_amount": decisions.get_column("asd_monthly") if asd else 0.0,
            "birth_grant": decisions.get_column("asd_birth_grant") if asd else 0.0,
            "amount_table": pl.Series([table.version if asd else None] * scores.height, dtype=pl.String),
        }))
    repository.insert_frame(db, Decision, pl.concat(parts))
    return len(ids)


def population_of(db: Session, household_ids: Sequence[int] | None = None, commune: str | None = None,
                   as_of: date | None = None) -> data.Population:
    households, members = repository.engine_frames(db, household_ids, commune)
    return data.prepare(households, members, as_of=as_of or date.today(),
                        sources=data.Sources("registry households", "registry members"))


def rescore(db: Session, household_ids: Sequence[int], *, kind: str, actor: str, review_id: int | None = None,
            as_of: date | None = None) -> int:
    """Score registered households again from what the database holds now."""
    population = population_of(db, household_ids, as_of=as_of)
    version = model_file.default_model().at(population.as_of)
    return store_scores(db, population, version, programmes.default_rules(), kind=kind, actor=actor,
                        review_id=review_id)


def entitlement(household: dict[str, Any], members: list[dict[str, Any]], day: date, *,
                model: model_file.Model | None = None, rules: programmes.Rules | None = None,
                sources: data.Sources | None = None) -> tuple[dict[str, Any], programmes.AsdBreakdown]:
    """Score one household given in the import format (JSON records), decide each programme and break its ASD amount
    down line by line. Nothing is read from or written to the registry."""
    model, rules = model or model_file.default_model(), rules or programmes.default_rules()
    members = [{"household_id": household.get("household_id"), **member} for member in members]
    version = model.at(day)
    population = data.prepare(data.records_frame([household], data.HOUSEHOLD_COLUMNS),
                              data.records_frame(members, data.MEMBER_COLUMNS), as_of=day,
                              sources=sources or data.Sources("household", "members"))
    scores = scoring.score_population(population, version, explain=EXPLAIN)
    decisions = programmes.decide(population, scores.get_column("score"), rules, as_of=day)
    household_id = int(population.households.get_column("household_id")[0])
    detail = programmes.breakdown(population, household_id, rules.table_at(day),
                                  eligible=bool(decisions.get_column("asd_eligible")[0]))
    return scores.row(0, named=True) | decisions.row(0, named=True), detail


def entitlement_json(row: dict[str, Any], detail: programmes.AsdBreakdown, day: date) -> dict[str, Any]:
    return {
        "household_id": row["household_id"], "reference_date": day.isoformat(), "score": row["score"],
        "model_version": row["model_version"],
        "drivers": [{"group": row[f"driver_{k}"], "effect": row[f"driver_{k}_effect"]} for k in range(1, 4)
                    if f"driver_{k}" in row],
        "programmes": {p: {"eligible": row[f"{p}_eligible"], "rule": row[f"{p}_rule"]}
                       for p in programmes.PROGRAMMES},
        "asd": {
            "table": detail.table, "eligible": detail.eligible, "widow_without_pension": detail.widow,
            "children": [line.__dict__ for line in detail.children], "children_total": detail.children_total,
            "floor_applied": detail.floor_applied, "monthly": detail.monthly, "birth_grant": detail.birth_grant,
        },
    }


# --- targeting evaluation ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Targeting:
    programme: str
    rule: programmes.EligibilityRule
    model_version: str
    report: evaluation.TargetingReport
    survey_households: int
    survey_name: str


NO_SURVEY = N_("No survey is loaded yet. Load one with its measured consumption: "
               "majal registry survey import FOLDER (households, members and consumption files).")


def import_survey(db: Session, files: data.PopulationFiles, name: str, as_of: date, actor: str) -> Survey:
    """A survey checked whole (the import format, every household with its consumption), scored with the model in
    force on its date, and kept for the targeting dashboard; the latest one is the one evaluated."""
    if files.consumption is None:
        raise MajalError(N_("A survey needs its consumption file."), where="consumption")
    population = data.prepare(files.households, files.members, as_of=as_of, sources=files.sources)
    consumption = data.align_consumption(population, files.consumption, files.sources.consumption)
    version = model_file.default_model().at(as_of)
    scores = scoring.score_population(population, version, explain=0).get_column("score").to_numpy()
    survey = repository.add_survey(db, name=name.strip()[:200] or as_of.isoformat(), as_of=as_of,
                                   model_version=version.version, scores=scores, consumption=consumption,
                                   actor=actor)
    audit.record(db, actor, "registry.survey.import", "survey", survey.id,
                 {"households": survey.households, "model": version.version})
    return survey


def latest_survey(db: Session) -> Survey | None:
    return repository.latest_survey(db)


def targeting(db: Session, user: StaffMember, programme: str, threshold: float | None = None) -> Targeting:
    """How well the model and the programme's threshold (or a threshold to try) reach the poor of the latest survey:
    exclusion and inclusion errors, coverage by decile, AUC."""
    check_officer(user)
    if programme not in programmes.PROGRAMMES:
        raise MajalError(N_("Unknown value “%(value)s”; expected one of: %(expected)s."), where="programme",
                         value=programme[:40], expected=", ".join(programmes.PROGRAMMES))
    survey = repository.latest_survey(db)
    if survey is None:
        raise NotFound(NO_SURVEY)
    scores, consumption = repository.survey_values(db, survey.id)
    rule = programmes.default_rules().rule_at(programme, max(survey.as_of, date.today()))
    chosen = rule.threshold if threshold is None else threshold
    report = evaluation.evaluate(scores, consumption, threshold=chosen, comparator=rule.comparator,
                                 label=rule.version)
    return Targeting(programme, rule, survey.model_version, report, len(scores), survey.name)


def group_label(group: str) -> str:
    return gettext(scoring.GROUP_LABELS.get(group, group))


def money(value: float) -> str:
    return format_number(value)
