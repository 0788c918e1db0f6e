"""Eligibility decisions and the ASD entitlement calculator, for a whole population or one household's breakdown.

Children are ranked by birth date, eldest first (twins by IDCS), as in the ANSS table where ranks 1–3 and 4–6 have
different amounts. The monthly amount is

    max(household_floor, Σ over the first max_children children of (rate[rank] + disability supplement))

or `no_children_flat` without children; the birth grant is paid beside it, once. Both are 0 for a household that is
not eligible for ASD.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from majal.registry.pmt import data
from majal.registry.pmt.programmes.rules import PROGRAMMES, AsdTable, Rules

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
