"""Programme rules: AMO Tadamon and ASD eligibility thresholds and the ASD amount tables, as versioned rule sets.

Rules file (JSON, UTF-8; the default is `pmt/models/programmes-default.json`)
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
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.registry.pmt.model_file import MODELS_DIR, check_periods

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
