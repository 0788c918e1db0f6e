"""Programme rules: AMO Tadamon and ASD eligibility, and the ASD entitlement calculator, as versioned rule sets.

Rules file (JSON, UTF-8; the default is `models/programmes-default.json`)
----------------------------------------------------------------------
    {
      "format": "majal-programmes", "format_version": 1,
      "eligibility": {
        "amo_tadamon": [{"version": "AMO-TADAMON-2022", "effective_from": "2022-12-01", "effective_to": null,
                         "comparator": "<=", "threshold": 9.3264284, "source": "…"}],
        "asd":         [{"version": "ASD-2023", …, "comparator": "<=", "threshold": 9.743001}]
      },
      "asd_amounts": [
        {"version": "ASD-AMOUNTS-2023", "effective_from": "2023-12-01", "effective_to": "2024-12-31",
         "child_age_limit": 21,                   children are the members younger than this (head and spouse aside)
         "young_child_age_limit": 6,              younger than this: paid as if at school
         "max_children": 6,                       children ranked after this are not paid for
         "per_child_young_or_schooled": [200, 200, 200, 36, 36, 36],     by rank, eldest first (MAD a month)
         "per_child_not_schooled":      [150, 150, 150, 24, 24, 24],
         "per_child_widow":             [350, 350, 350, 350, 350, 350],  replaces the above when the head of
                                                                         household is a widow without a pension
         "disability_supplement": 100,            per child with a disability (among the children paid for)
         "birth_grant": [2000, 1000],             once, for a child born in the reference month, by rank
         "no_children_flat": 500,                 a household without children under the age limit
         "household_floor": 500}                  no eligible household receives less a month
      ]
    }

A decision is `score <comparator> threshold` with the score rounded as its model says; the comparator is written in
the file (never assumed), and each decision carries the version of the rule that made it (`asd_rule`, …). The rule in
force on the reference date is used; the periods of the versions of one programme never overlap.

Children are ranked by birth date, eldest first (twins by IDCS), as in the ANSS table where ranks 1–3 and 4–6 have
different amounts. The monthly amount is

    max(household_floor, Σ over the first max_children children of (rate[rank] + disability supplement))

or `no_children_flat` without children; the birth grant is paid beside it, once. Both are 0 for a household that is
not eligible for ASD.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.registry import data
from majal.registry.scoring import MODELS_DIR, check_periods

FORMAT = "majal-programmes"
FORMAT_VERSION = 1
DEFAULT_RULES_PATH = MODELS_DIR / "programmes-default.json"
COMPARATORS = ("<=", "<")
PROGRAMMES = ("amo_tadamon", "asd")
_RATES = ("per_child_young_or_schooled", "per_child_not_schooled", "per_child_widow")


class RuleSetError(MajalError):
    """A rules file that cannot be used; `where` is `file: path.in.the.json`."""

    code = "invalid_rules"


class NoRuleInForce(MajalError):
    code = "no_rule_in_force"


@dataclass(frozen=True)
class EligibilityRule:
    programme: str
    version: str
    effective_from: date
    effective_to: date | None
    comparator: str
    threshold: float
    source: str = ""

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    @property
    def label(self) -> str:
        return f"{self.version}: score {self.comparator} {self.threshold!r}"

    def decide(self, scores: pl.Series) -> pl.Series:
        return (scores <= self.threshold) if self.comparator == "<=" else (scores < self.threshold)


@dataclass(frozen=True)
class AsdTable:
    version: str
    effective_from: date
    effective_to: date | None
    per_child_young_or_schooled: tuple[float, ...]
    per_child_not_schooled: tuple[float, ...]
    per_child_widow: tuple[float, ...]
    disability_supplement: float
    birth_grant: tuple[float, ...]
    no_children_flat: float
    household_floor: float
    child_age_limit: int = 21
    young_child_age_limit: int = 6
    max_children: int = 6

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class Rules:
    eligibility: dict[str, tuple[EligibilityRule, ...]]
    asd_tables: tuple[AsdTable, ...]
    source: str = "rules"

    def rule_at(self, programme: str, day: date) -> EligibilityRule:
        for rule in self.eligibility.get(programme, ()):
            if rule.in_force(day):
                return rule
        raise NoRuleInForce(N_("No %(programme)s rule is in force on %(date)s."), where=self.source,
                            programme=programme, date=day.isoformat())

    def table_at(self, day: date) -> AsdTable:
        for table in self.asd_tables:
            if table.in_force(day):
                return table
        raise NoRuleInForce(N_("No ASD amount table is in force on %(date)s."), where=self.source,
                            date=day.isoformat())


def year_reference_date(year: int) -> date:
    """The reference date of `--year Y`: 31 December of that year (ages, schooling age and the birth-grant month)."""
    return date(year, 12, 31)


# --- the rules file ------------------------------------------------------------------------------------------------


def parse_rules(obj: Any, source: str = "rules") -> Rules:
    def fail(path: str, message: str, **params: Any) -> RuleSetError:
        return RuleSetError(message, where=f"{source}: {path}" if path else source, **params)

    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise fail("format", N_("This is not a Majal programme rules file (\"format\": \"%(format)s\")."),
                   format=FORMAT)
    if obj.get("format_version") != FORMAT_VERSION:
        raise fail("format_version", N_("Unsupported format version; expected %(expected)s."),
                   expected=FORMAT_VERSION)
    raw_eligibility = obj.get("eligibility")
    if not isinstance(raw_eligibility, dict):
        raise fail("eligibility", N_("Expected an object with one list of rules per programme."))
    eligibility: dict[str, tuple[EligibilityRule, ...]] = {}
    for programme in PROGRAMMES:
        items = raw_eligibility.get(programme)
        path = f"eligibility.{programme}"
        if not isinstance(items, list) or not items:
            raise fail(path, N_("The rules of this programme are missing."))
        rules = []
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            if not isinstance(item, dict):
                raise fail(where, N_("Expected an object."))
            comparator = item.get("comparator")
            if comparator not in COMPARATORS:
                raise fail(f"{where}.comparator", N_("Expected one of: %(expected)s."),
                           expected=", ".join(COMPARATORS))
            rules.append(EligibilityRule(programme, _name(item, where, fail), *_period(item, where, source),
                                         comparator, _number(item.get("threshold"), f"{where}.threshold", fail),
                                         str(item.get("source", ""))))
        check_periods([(r.version, r.effective_from, r.effective_to) for r in rules], f"{source}: {path}",
                      RuleSetError)
        eligibility[programme] = tuple(rules)
    for programme in raw_eligibility:
        if programme not in PROGRAMMES:
            raise fail(f"eligibility.{programme}", N_("Unknown programme; expected one of: %(expected)s."),
                       expected=", ".join(PROGRAMMES))

    raw_tables = obj.get("asd_amounts")
    if not isinstance(raw_tables, list) or not raw_tables:
        raise fail("asd_amounts", N_("Expected a non-empty list."))
    tables = [_parse_table(item, f"asd_amounts[{i}]", source, fail) for i, item in enumerate(raw_tables)]
    check_periods([(t.version, t.effective_from, t.effective_to) for t in tables], f"{source}: asd_amounts",
                  RuleSetError)
    return Rules(eligibility, tuple(tables), source)


def _name(item: dict[str, Any], where: str, fail: Any) -> str:
    name = item.get("version")
    if not isinstance(name, str) or not name.strip():
        raise fail(f"{where}.version", N_("Expected a non-empty text."))
    return name.strip()


def _period(item: dict[str, Any], where: str, source: str) -> tuple[date, date | None]:
    def parse(key: str, optional: bool) -> date | None:
        value = item.get(key)
        if value is None and optional:
            return None
        try:
            if not isinstance(value, str):
                raise TypeError
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise RuleSetError(N_("Expected a date written YYYY-MM-DD."), where=f"{source}: {where}.{key}") from None

    start = parse("effective_from", optional=False)
    assert start is not None
    return start, parse("effective_to", optional=True)


def _number(value: Any, where: str, fail: Any, *, whole: bool = False, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise fail(where, N_("Expected a number."))
    if whole and value != int(value):
        raise fail(where, N_("Expected a whole number."))
    if value < minimum:
        raise fail(where, N_("Expected a number of at least %(minimum)s."), minimum=minimum)
    return float(value)


def _parse_table(item: Any, where: str, source: str, fail: Any) -> AsdTable:
    if not isinstance(item, dict):
        raise fail(where, N_("Expected an object."))
    name = _name(item, where, fail)
    start, end = _period(item, where, source)
    max_children = int(_number(item.get("max_children", 6), f"{where}.max_children", fail, whole=True, minimum=1))
    rates: dict[str, tuple[float, ...]] = {}
    for key in _RATES:
        values = item.get(key)
        if not isinstance(values, list) or len(values) != max_children:
            raise fail(f"{where}.{key}", N_("Expected a list of %(count)s amounts, one per child rank."),
                       count=max_children)
        rates[key] = tuple(_number(v, f"{where}.{key}[{i}]", fail) for i, v in enumerate(values))
    grants = item.get("birth_grant")
    if not isinstance(grants, list):
        raise fail(f"{where}.birth_grant", N_("Expected a list of amounts, one per birth rank."))
    return AsdTable(
        name, start, end,
        per_child_young_or_schooled=rates["per_child_young_or_schooled"],
        per_child_not_schooled=rates["per_child_not_schooled"],
        per_child_widow=rates["per_child_widow"],
        disability_supplement=_number(item.get("disability_supplement"), f"{where}.disability_supplement", fail),
        birth_grant=tuple(_number(v, f"{where}.birth_grant[{i}]", fail) for i, v in enumerate(grants)),
        no_children_flat=_number(item.get("no_children_flat"), f"{where}.no_children_flat", fail),
        household_floor=_number(item.get("household_floor"), f"{where}.household_floor", fail),
        child_age_limit=int(_number(item.get("child_age_limit", 21), f"{where}.child_age_limit", fail, whole=True,
                                    minimum=1)),
        young_child_age_limit=int(_number(item.get("young_child_age_limit", 6), f"{where}.young_child_age_limit",
                                          fail, whole=True)),
        max_children=max_children,
    )


def load_rules(path: Path) -> Rules:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleSetError(N_("No such file."), where=str(path)) from None
    except json.JSONDecodeError as error:
        raise RuleSetError(N_("Malformed JSON at line %(line)s, column %(column)s."), where=str(path),
                           line=error.lineno, column=error.colno) from None
    except (OSError, UnicodeDecodeError) as error:
        raise RuleSetError(N_("This file cannot be read: %(reason)s"), where=str(path), reason=str(error)) from None
    return parse_rules(obj, path.name)


@cache
def default_rules() -> Rules:
    return load_rules(DEFAULT_RULES_PATH)


# --- ASD amounts ---------------------------------------------------------------------------------------------------

CATEGORY_YOUNG_OR_SCHOOLED = "young_or_schooled"
CATEGORY_NOT_SCHOOLED = "not_schooled"
CATEGORY_WIDOW = "widow"
CATEGORIES = [CATEGORY_YOUNG_OR_SCHOOLED, CATEGORY_NOT_SCHOOLED, CATEGORY_WIDOW]


def _household_index(population: data.Population) -> np.ndarray:
    counts = np.diff(np.append(population.starts, population.members.height))
    return np.repeat(np.arange(len(population), dtype=np.int32), counts)


def widow_households(population: data.Population) -> np.ndarray:
    """Households whose head is a widow without a pension (boolean, one per household)."""
    flag = population.members.select(
        (pl.col("sex") == "F") & (pl.col("marital_status") == "widowed") & pl.col("pension").not_()
    ).to_series().to_numpy()
    widows: np.ndarray = flag[population.heads]
    return widows


def children(population: data.Population, table: AsdTable) -> pl.DataFrame:
    """One row per child (members under the age limit other than the head and spouse), eldest first in each
    household, with rank, category and amounts: the vectorised core of the calculator and of its breakdown."""
    members = population.members
    as_of = population.as_of
    is_child = members.select(
        (pl.col("age") < table.child_age_limit) & pl.col("relation").is_in(["head", "spouse"]).not_()
    ).to_series().to_numpy()
    rows = np.flatnonzero(is_child)
    household = _household_index(population)[rows]
    kids = members.select("idcs", "birth_date", "age", "disability", schooled=pl.col("schooling") != "none")[
        rows].with_columns(household=pl.Series(household), row=pl.Series(rows, dtype=pl.Int64))
    kids = kids.sort(["household", "birth_date", "idcs"], multithreaded=True)
    position = np.arange(kids.height)
    hh = kids.get_column("household").to_numpy()
    new_group = np.ones(kids.height, dtype=bool)
    if kids.height:
        new_group[1:] = hh[1:] != hh[:-1]
    rank = position - np.maximum.accumulate(np.where(new_group, position, 0)) + 1
    widow = widow_households(population)[hh] if kids.height else np.zeros(0, bool)

    counted = rank <= table.max_children
    paid_rank = np.where(counted, rank, 0)  # 0 for the children after max_children: they get nothing

    def by_rank(rates: tuple[float, ...]) -> np.ndarray:
        lookup = np.zeros(len(rates) + 1)
        lookup[1:] = rates
        return lookup[paid_rank]

    young = kids.get_column("age").to_numpy() < table.young_child_age_limit
    schooled = kids.get_column("schooled").to_numpy()
    base = np.where(widow, by_rank(table.per_child_widow),
                    np.where(young | schooled, by_rank(table.per_child_young_or_schooled),
                             by_rank(table.per_child_not_schooled)))
    category = np.where(widow, 2, np.where(young | schooled, 0, 1))  # index into CATEGORIES
    supplement = np.where(counted & kids.get_column("disability").to_numpy(), table.disability_supplement, 0.0)
    born = kids.get_column("birth_date")
    this_month = ((born.dt.year() == as_of.year) & (born.dt.month() == as_of.month)).to_numpy()
    grants = np.zeros(len(table.birth_grant) + 2)
    grants[1:len(table.birth_grant) + 1] = table.birth_grant
    grant = np.where(this_month, grants[np.minimum(rank, len(table.birth_grant) + 1)], 0.0)
    return kids.with_columns(
        rank=pl.Series(rank, dtype=pl.Int32),
        counted=pl.Series(counted),
        category=pl.Series(CATEGORIES, dtype=pl.Enum(CATEGORIES)).gather(category),
        base=pl.Series(base),
        disability_supplement=pl.Series(supplement),
        amount=pl.Series(base + supplement),
        birth_grant=pl.Series(grant),
    )


def asd_amounts(population: data.Population, table: AsdTable, eligible: np.ndarray) -> pl.DataFrame:
    """Monthly amount, birth grant and children paid for, one row per household (0 when not eligible)."""
    kids = children(population, table)
    n = len(population)
    hh = kids.get_column("household").to_numpy()
    total = np.bincount(hh, weights=kids.get_column("amount").to_numpy(), minlength=n)
    grant = np.bincount(hh, weights=kids.get_column("birth_grant").to_numpy(), minlength=n)
    paid_for = np.bincount(hh, weights=kids.get_column("counted").to_numpy().astype(np.float64), minlength=n)
    monthly = np.where(paid_for > 0, np.maximum(total, table.household_floor),
                       max(table.no_children_flat, table.household_floor))
    return pl.DataFrame({
        "asd_monthly": np.where(eligible, monthly, 0.0),
        "asd_birth_grant": np.where(eligible, grant, 0.0),
        "asd_children": np.where(eligible, paid_for, 0).astype(np.int16),
    })


def decide(population: data.Population, scores: pl.Series, rules: Rules, *, as_of: date | None = None
           ) -> pl.DataFrame:
    """Per programme the decision and the rule that made it, and the ASD amounts (rows in population order)."""
    day = as_of or population.as_of
    n = len(population)
    columns: dict[str, pl.Series] = {}
    for programme in PROGRAMMES:
        rule = rules.rule_at(programme, day)
        columns[f"{programme}_eligible"] = rule.decide(scores).alias(f"{programme}_eligible")
        columns[f"{programme}_rule"] = pl.repeat(rule.label, n, eager=True).cast(pl.Categorical).alias(
            f"{programme}_rule")
    table = rules.table_at(day)
    amounts = asd_amounts(population, table, columns["asd_eligible"].to_numpy())
    return pl.DataFrame(list(columns.values())).hstack(amounts).with_columns(
        asd_table=pl.repeat(table.version, n, eager=True).cast(pl.Categorical))


# --- one household's breakdown -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildLine:
    rank: int
    age: int
    category: str  # young_or_schooled, not_schooled, widow
    counted: bool
    base: float
    disability_supplement: float
    birth_grant: float


@dataclass(frozen=True)
class AsdBreakdown:
    table: str
    eligible: bool
    widow: bool
    children: tuple[ChildLine, ...]
    children_total: float  # Σ base + supplements over the children paid for
    floor_applied: bool  # the household floor (or the flat amount without children) decided the amount
    monthly: float
    birth_grant: float


def breakdown(population: data.Population, household_id: int, table: AsdTable, *, eligible: bool) -> AsdBreakdown:
    """How the ASD amount of one household is made, line by line (the same computation as the batch)."""
    ids = population.households.get_column("household_id").to_numpy()
    index = int(np.searchsorted(ids, household_id))
    if index >= len(ids) or ids[index] != household_id:
        raise KeyError(household_id)
    kids = children(population, table).filter(pl.col("household") == index)
    amounts = asd_amounts(population, table, np.ones(len(population), dtype=bool)).row(index, named=True)
    lines = tuple(
        ChildLine(int(row["rank"]), int(row["age"]), str(row["category"]), bool(row["counted"]), float(row["base"]),
                  float(row["disability_supplement"]), float(row["birth_grant"]))
        for row in kids.iter_rows(named=True)
    )
    total = sum(line.base + line.disability_supplement for line in lines if line.counted)
    monthly = float(amounts["asd_monthly"])
    return AsdBreakdown(
        table=table.version, eligible=eligible, widow=bool(widow_households(population)[index]), children=lines,
        children_total=total, floor_applied=monthly > total, monthly=monthly if eligible else 0.0,
        birth_grant=float(amounts["asd_birth_grant"]) if eligible else 0.0,
    )
