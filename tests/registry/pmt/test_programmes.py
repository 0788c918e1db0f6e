"""AMO Tadamon and ASD: explicit comparators, versioned rules, and the ASD calculator against hand-computed amounts."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import numpy as np
import polars as pl
import pytest

from majal.registry.pmt import programmes
from tests.registry.builders import child, household, member, population

RULES = programmes.default_rules()
YEARS = {2023: date(2023, 12, 31), 2025: date(2025, 12, 31), 2026: date(2026, 12, 31)}


def amounts(members: list[dict[str, Any]], as_of: date, *, eligible: bool = True) -> dict[str, Any]:
    """The ASD amounts of household 1 made of `members` (the head is added first)."""
    head = member(household_id=1, birth_date=date(1980, 1, 1))
    pop = population([household(household_id=1)], [head, *members], as_of)
    table = RULES.table_at(as_of)
    return programmes.asd_amounts(pop, table, np.array([eligible])).row(0, named=True)


def monthly(members: list[dict[str, Any]], year: int) -> float:
    return amounts(members, YEARS[year])["asd_monthly"]


# --- eligibility ----------------------------------------------------------------------------------------------------


def test_thresholds_and_comparators_are_explicit() -> None:
    amo = RULES.rule_at("amo_tadamon", date(2026, 1, 1))
    asd = RULES.rule_at("asd", date(2026, 1, 1))
    assert (amo.comparator, amo.threshold) == ("<=", 9.3264284)
    assert (asd.comparator, asd.threshold) == ("<=", 9.743001)
    scores = pl.Series([9.3264283, 9.3264284, 9.3264285, 9.743001, 9.7430011])
    assert amo.decide(scores).to_list() == [True, True, False, False, False]
    assert asd.decide(scores).to_list() == [True, True, True, True, False]
    strict = programmes.EligibilityRule("asd", "ASD-STRICT", date(2023, 1, 1), None, "<", 9.743001)
    assert strict.decide(scores).to_list() == [True, True, True, False, False]
    assert asd.label == "ASD-2023: score <= 9.743001"


def test_no_asd_before_it_started() -> None:
    with pytest.raises(programmes.NoRuleInForce):
        RULES.rule_at("asd", date(2023, 11, 30))
    with pytest.raises(programmes.NoRuleInForce):
        RULES.table_at(date(2023, 11, 30))
    assert RULES.table_at(date(2024, 6, 1)).version == "ASD-AMOUNTS-2023"
    assert RULES.table_at(date(2025, 1, 1)).version == "ASD-AMOUNTS-2025"
    assert RULES.table_at(date(2030, 1, 1)).version == "ASD-AMOUNTS-2026"


# --- the calculator, by hand ---------------------------------------------------------------------------------------


def three_children(as_of_year: int) -> list[dict[str, Any]]:
    y = as_of_year
    return [
        child(1, date(y - 15, 3, 1), schooling="none"),  # 15, not at school: rank 1
        child(1, date(y - 8, 3, 1)),  # 8, at school: rank 2
        child(1, date(y - 2, 3, 1), schooling="none"),  # 2, under 6: rank 3
    ]


@pytest.mark.parametrize(("year", "expected"), [(2023, 150 + 200 + 200), (2025, 175 + 250 + 250),
                                                (2026, 200 + 300 + 300)])
def test_three_children_each_year(year: int, expected: float) -> None:
    assert monthly(three_children(year), year) == expected


@pytest.mark.parametrize(("year", "expected"), [
    # ranks 1–3 at school, 4 and 6 at school (36), 5 not at school aged 10 (24), the 7th is not paid for
    (2023, 3 * 200 + 36 + 24 + 36),
    (2025, 3 * 250 + 36 + 24 + 36),
    (2026, 3 * 300 + 36 + 24 + 36),
])
def test_seven_children_at_most_six_are_paid_for(year: int, expected: float) -> None:
    kids = [child(1, date(year - 20 + 2 * k, 5, 1), schooling="none" if k == 4 else "public") for k in range(7)]
    result = amounts(kids, YEARS[year])
    assert result["asd_monthly"] == expected
    assert result["asd_children"] == 6


@pytest.mark.parametrize(("year", "per_child"), [(2023, 350), (2025, 375), (2026, 400)])
def test_widow_without_pension(year: int, per_child: float) -> None:
    head = member(household_id=1, sex="F", marital_status="widowed", pension=False, birth_date=date(1975, 1, 1))
    kids = [child(1, date(year - 12, 1, 1)), child(1, date(year - 16, 1, 1), schooling="none"),
            child(1, date(year - 3, 1, 1), schooling="none")]
    pop = population([household(household_id=1)], [head, *kids], YEARS[year])
    table = RULES.table_at(YEARS[year])
    assert programmes.asd_amounts(pop, table, np.array([True]))["asd_monthly"][0] == 3 * per_child
    # with a pension, the ordinary rates apply
    head["pension"] = True
    pop = population([household(household_id=1)], [head, *kids], YEARS[year])
    ordinary = {2023: 150 + 200 + 200, 2025: 175 + 250 + 250, 2026: 200 + 300 + 300}[year]
    assert programmes.asd_amounts(pop, table, np.array([True]))["asd_monthly"][0] == ordinary


def test_disability_supplement_per_child() -> None:
    kids = three_children(2026)
    kids[1]["disability"] = True
    kids[2]["disability"] = True
    assert monthly(kids, 2026) == 800 + 2 * 100
    # one child not at school with a disability, 150 + 100 in 2023: below the floor
    assert monthly([child(1, date(2011, 1, 1), schooling="none", disability=True)], 2023) == 500
    # with a brother at school in 2026: 200 + 100 + 300, above it
    assert monthly([child(1, date(2011, 1, 1), schooling="none", disability=True),
                    child(1, date(2013, 1, 1))], 2026) == 200 + 100 + 300


def test_birth_grant_first_and_second_birth() -> None:
    as_of = date(2026, 12, 31)
    first = amounts([child(1, date(2026, 12, 2), schooling="none")], as_of)
    assert (first["asd_monthly"], first["asd_birth_grant"]) == (500, 2000)  # 300 for the baby, the floor is 500
    second = amounts([child(1, date(2020, 1, 1)), child(1, date(2026, 12, 2), schooling="none")], as_of)
    assert (second["asd_monthly"], second["asd_birth_grant"]) == (600, 1000)
    third = amounts([child(1, date(2019, 1, 1)), child(1, date(2020, 1, 1)),
                     child(1, date(2026, 12, 2), schooling="none")], as_of)
    assert third["asd_birth_grant"] == 0
    last_month = amounts([child(1, date(2026, 11, 30), schooling="none")], as_of)
    assert last_month["asd_birth_grant"] == 0


def test_floor_and_households_without_children() -> None:
    assert monthly([], 2023) == 500
    assert monthly([], 2026) == 500
    assert monthly([child(1, date(2011, 1, 1), schooling="none")], 2023) == 500  # 150 < 500
    assert monthly([child(1, date(2011, 1, 1))], 2026) == 500  # 300 < 500
    assert monthly([child(1, date(2011, 1, 1)), child(1, date(2012, 1, 1))], 2026) == 600


def test_who_counts_as_a_child() -> None:
    as_of = date(2026, 12, 31)
    kids = [
        child(1, date(2005, 12, 31)),  # 21 on the reference date: no longer a child
        member(household_id=1, relation="spouse", sex="F", birth_date=date(2007, 1, 1)),  # 19, but the spouse
        child(1, date(2010, 1, 1), relation="grandchild"),  # 16, a grandchild at school: counted
    ]
    result = amounts(kids, as_of)
    assert (result["asd_monthly"], result["asd_children"]) == (500, 1)


def test_nothing_for_a_household_that_is_not_eligible() -> None:
    result = amounts(three_children(2026), YEARS[2026], eligible=False)
    assert (result["asd_monthly"], result["asd_birth_grant"], result["asd_children"]) == (0, 0, 0)


def test_twins_are_ranked_by_idcs() -> None:
    as_of = date(2026, 12, 31)
    older = [child(1, date(2008, 1, 1)) for _ in range(3)]
    twins = [child(1, date(2012, 1, 1), idcs="0000009992", schooling="none"),
             child(1, date(2012, 1, 1), idcs="0000009991")]
    head = member(household_id=1, birth_date=date(1980, 1, 1))
    pop = population([household(household_id=1)], [head, *older, *twins], as_of)
    kids = programmes.children(pop, RULES.table_at(as_of))
    ranks = dict(zip(kids["idcs"].to_list(), kids["rank"].to_list(), strict=True))
    assert (ranks["0000009991"], ranks["0000009992"]) == (4, 5)
    assert programmes.asd_amounts(pop, RULES.table_at(as_of), np.array([True]))["asd_monthly"][0] == 900 + 36 + 24


def test_breakdown_explains_the_amount() -> None:
    as_of = date(2026, 12, 31)
    head = member(household_id=4, birth_date=date(1980, 1, 1))
    kids = [child(4, date(2000 + k, 1, 1), disability=k == 14) for k in range(8, 15)]
    pop = population([household(household_id=4)], [head, *kids], as_of)
    detail = programmes.breakdown(pop, 4, RULES.table_at(as_of), eligible=True)
    assert [line.rank for line in detail.children] == [1, 2, 3, 4, 5, 6, 7]
    assert [line.base for line in detail.children] == [300, 300, 300, 36, 36, 36, 0]
    assert detail.children[-1].counted is False and detail.children[-1].disability_supplement == 0
    assert detail.children_total == 1008 and detail.monthly == 1008 and not detail.floor_applied
    small = programmes.breakdown(population([household(household_id=4)], [head], as_of), 4,
                                 RULES.table_at(as_of), eligible=True)
    assert (small.children, small.monthly, small.floor_applied) == ((), 500, True)


def test_decide_records_rule_and_table() -> None:
    as_of = date(2025, 12, 31)
    head = member(household_id=1, birth_date=date(1980, 1, 1))
    pop = population([household(household_id=1), household(household_id=2)],
                     [head, member(household_id=2, birth_date=date(1970, 1, 1))], as_of)
    decisions = programmes.decide(pop, pl.Series([9.0, 9.5]), RULES)
    assert decisions["amo_tadamon_eligible"].to_list() == [True, False]
    assert decisions["asd_eligible"].to_list() == [True, True]
    assert decisions["asd_table"].cast(str).to_list() == ["ASD-AMOUNTS-2025"] * 2
    assert decisions["amo_tadamon_rule"].cast(str)[0] == "AMO-TADAMON-2022: score <= 9.3264284"


# --- rules files ----------------------------------------------------------------------------------------------------


def rules_document() -> dict[str, Any]:
    return json.loads(programmes.DEFAULT_RULES_PATH.read_text(encoding="utf-8"))


def test_overlapping_tables_are_refused() -> None:
    document = rules_document()
    document["asd_amounts"][1]["effective_from"] = "2024-12-31"
    with pytest.raises(programmes.RuleSetError) as caught:
        programmes.parse_rules(document, "r.json")
    assert str(caught.value) == ("r.json: asd_amounts: The effective dates of “ASD-AMOUNTS-2025” overlap those of "
                                 "“ASD-AMOUNTS-2023”.")


def test_overlapping_thresholds_are_refused() -> None:
    document = rules_document()
    later = copy.deepcopy(document["eligibility"]["asd"][0])
    later.update(version="ASD-2027", effective_from="2027-01-01", threshold=9.8)
    document["eligibility"]["asd"].append(later)
    with pytest.raises(programmes.RuleSetError):
        programmes.parse_rules(document)
    document["eligibility"]["asd"][0]["effective_to"] = "2026-12-31"
    rules = programmes.parse_rules(document)
    assert rules.rule_at("asd", date(2027, 1, 1)).threshold == 9.8


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("eligibility", "asd", 0, "comparator"), "≤", "Expected one of: <=, <"),
        (("eligibility", "asd", 0, "threshold"), "9.74", "Expected a number."),
        (("asd_amounts", 0, "per_child_widow"), [350, 350], "Expected a list of 6 amounts"),
        (("asd_amounts", 0, "household_floor"), -1, "Expected a number of at least 0"),
        (("asd_amounts", 0, "effective_from"), "1 Dec 2023", "Expected a date written YYYY-MM-DD."),
    ],
)
def test_bad_rules_are_refused_with_their_path(path: tuple[Any, ...], value: Any, message: str) -> None:
    document = rules_document()
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(programmes.RuleSetError) as caught:
        programmes.parse_rules(document, "r.json")
    assert message in str(caught.value)
    assert str(caught.value).startswith("r.json: " + ".".join(
        str(k) if isinstance(k, str) else f"[{k}]" for k in path).replace(".[", "["))
