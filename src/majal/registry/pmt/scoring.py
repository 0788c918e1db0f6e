"""The socio-economic index: a proxy-means-test (PMT) model kept as a versioned file, scored for millions at once.

The score of a household is

    score = constant[milieu] + Σ coefficient[milieu, v] × v + region_effect[milieu, region]

rounded as the model says. It behaves as ln(predicted annual consumption per person, MAD): lower is poorer. The model
is data, not code: a country supplies its own formula as a model file (`model_file`), and `fitting.fit()` estimates
one from a survey.

A model version (`model_file`) is compiled against a population (`data.Population`): its derivations become Polars
expressions (`expressions`) and the member sums they need are computed once per household.

Explanation: a household's drivers are the variable groups (a variable's `group`: age and age² together, …) whose
contribution coefficient × (value − survey mean) moves its score most, up or down, compared with the typical household
of its milieu. The region effect is not a driver: it is the same for every household of the region.

Performance: members are summed per household with `numpy.add.reduceat` over the member rows sorted by household
(`data.Population`), every other step is a Polars expression over whole columns; nothing loops over households.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from majal.kit.i18n import N_
from majal.registry.pmt import data
from majal.registry.pmt.expressions import Aggregates
from majal.registry.pmt.model_file import Model, ModelVersion

# Plain words for the groups of the default model (the model file may name others; those are shown as they are).
GROUP_LABELS: dict[str, str] = {
    "household_size": N_("household size"),
    "head_age": N_("age of the head of household"),
    "head_sex": N_("sex of the head of household"),
    "head_education": N_("education of the head of household"),
    "head_occupation": N_("occupation of the head of household"),
    "adults_education": N_("diplomas of the members aged 15 or more"),
    "adults_employment": N_("employment of the members aged 15 or more"),
    "crowding": N_("persons per room"),
    "dwelling": N_("type of dwelling"),
    "tenure": N_("ownership of the dwelling"),
    "amenities": N_("water, electricity and sanitation"),
    "phones": N_("mobile phones"),
    "vehicles": N_("cars and motorcycles"),
    "equipment": N_("household equipment"),
    "livestock": N_("cattle"),
    "land": N_("agricultural land"),
    "schooling": N_("children at school"),
    "energy_spending": N_("spending on butane, water and electricity"),
    "telecom_spending": N_("spending on telecommunications"),
}


@dataclass
class Compiled:
    """A model version compiled against one population: the member sums it needs and an expression per variable."""

    aggregates: Aggregates
    variables: dict[str, pl.Expr]


def compile_version(version: ModelVersion) -> Compiled:
    aggregates = Aggregates()
    return Compiled(aggregates, {v.name: v.expr.polars(aggregates) for v in version.variables})


def _member_column(members: pl.DataFrame, expr: pl.Expr) -> np.ndarray:
    values: np.ndarray = members.select(expr.alias("value")).to_series().to_numpy()
    if len(values) != members.height:  # a constant (e.g. "count": true) comes back as one value
        values = np.full(members.height, values[0])
    return values


def household_frame(population: data.Population, compiled: Compiled) -> pl.DataFrame:
    """The households with the member sums the model needs (as columns `agg_0`, `agg_1`, …).

    Counts are packed several to a 64-bit word (8 bits each while no household has 256 members or more), so that
    one `reduceat` over the members sums up to 8 of them: the segment sums are the costly part of scoring.
    """
    members = population.members
    aggregates = compiled.aggregates
    largest = int(np.diff(np.append(population.starts, members.height)).max()) if len(population) else 0
    bits = next(b for b in (8, 16, 32, 64) if largest < 2**b)
    per_word = 64 // bits
    field = np.dtype(f"<u{bits // 8}")
    counts = [name for name in aggregates.polars if name in aggregates.counts]
    sums: dict[str, np.ndarray] = {}
    for first in range(0, len(counts), per_word):
        group = counts[first:first + per_word]
        # member m's conditions side by side in one little-endian 64-bit word: field j is condition j (0 or 1)
        words = np.zeros((members.height, per_word), dtype=field)
        flags = members.select([aggregates.polars[name].alias(name) for name in group])
        for j, name in enumerate(group):
            words[:, j] = flags.get_column(name).to_numpy() if flags.height == members.height else flags[name][0]
        total = population.sum_by_household(words.view("<u8").reshape(-1))
        # the sums, field by field (no field overflows: a count is at most the household's size)
        fields = total.astype("<u8", copy=False).view(field).reshape(-1, per_word)
        for j, name in enumerate(group):
            sums[name] = fields[:, j]
    heads = [name for name in aggregates.polars if name in aggregates.heads]
    if heads:  # one select for all the head's values, read at the head rows
        values = members.select([aggregates.polars[name].alias(name) for name in heads])
        for name in heads:
            column = values.get_column(name).to_numpy()
            sums[name] = column[population.heads] if len(column) == members.height else np.full(
                len(population), column[0])
    for name, expr in aggregates.polars.items():
        if name not in aggregates.counts and name not in aggregates.heads:
            sums[name] = population.sum_by_household(_member_column(members, expr.cast(pl.Float64)))
    return population.households.with_columns(
        [pl.Series(name, sums[name]) for name in aggregates.polars]
    ) if sums else population.households


def derive(population: data.Population, version: ModelVersion) -> pl.DataFrame:
    """Every variable of the model for every household (household_id, milieu, region, then one column a variable)."""
    compiled = compile_version(version)
    frame = household_frame(population, compiled)
    return frame.lazy().select(
        "household_id", "milieu", "region", *[expr.alias(name) for name, expr in compiled.variables.items()]
    ).collect()


def _milieu_sum(version: ModelVersion, compiled: Compiled, milieu: str) -> pl.Expr:
    part = version.milieux[milieu]
    terms = [compiled.variables[v.name] * part.coefficients[v.name] for v in version.variables_of(milieu)]
    return pl.sum_horizontal([pl.lit(part.constant, dtype=pl.Float64), *terms])


def linear_score(frame: pl.DataFrame, version: ModelVersion, compiled: Compiled) -> pl.Series:
    """Unrounded scores of a household frame that carries the model's member sums.

    Each milieu's sum is evaluated on that milieu's rows only (gathered first), so no variable is computed twice."""
    urban = (frame.get_column("milieu") == "urban").to_numpy()
    region = frame.get_column("region").to_physical().to_numpy()
    out = np.empty(frame.height)
    for milieu, rows in (("urban", urban), ("rural", ~urban)):
        index = np.flatnonzero(rows)
        if not len(index):
            continue
        expr = _milieu_sum(version, compiled, milieu).alias("score")
        needed = sorted(set(expr.meta.root_names()))
        part = frame.select(needed)[index] if needed else pl.DataFrame({"_": np.zeros(len(index))})
        total = part.lazy().select(expr).collect().to_series().to_numpy()
        effects = np.array([version.milieux[milieu].region_effects[r] for r in data.REGIONS])
        out[index] = total + effects[region[index]]
    return pl.Series("score", out)


def round_scores(scores: pl.Series, version: ModelVersion) -> pl.Series:
    return scores.round(version.rounding_decimals, mode=version.rounding_mode)  # type: ignore[arg-type]


def score_population(population: data.Population, version: ModelVersion, *, explain: int = 3,
                     chunk: int = 500_000) -> pl.DataFrame:
    """household_id, score, model_version, and the `explain` strongest drivers (`driver_k`, `driver_k_effect`)."""
    compiled = compile_version(version)
    frame = household_frame(population, compiled)
    scores = round_scores(linear_score(frame, version, compiled), version)
    out = pl.DataFrame({
        "household_id": population.households.get_column("household_id"),
        "score": scores,
        "model_version": pl.Series([version.version], dtype=pl.Categorical).extend_constant(
            version.version, population.households.height - 1) if population.households.height else pl.Series(
            [], dtype=pl.Categorical),
    })
    if explain > 0:
        out = out.hstack(explain_frame(frame, version, compiled, top=explain, chunk=chunk))
    return out


def score(households: pl.DataFrame, members: pl.DataFrame, model: Model | ModelVersion, *,
          as_of: date | None = None, explain: int = 3) -> pl.DataFrame:
    """Check and score households given as plain tables (the import format of `majal.registry.pmt.data`)."""
    as_of = as_of or date.today()
    version = model.at(as_of) if isinstance(model, Model) else model
    population = data.prepare(households, members, as_of=as_of)
    return score_population(population, version, explain=explain)


def explain_frame(frame: pl.DataFrame, version: ModelVersion, compiled: Compiled, *, top: int = 3,
                  chunk: int = 500_000) -> pl.DataFrame:
    """The `top` variable groups that move each household's score most from its milieu's mean, with their effect."""
    groups = sorted({v.group for v in version.variables})
    names = [v.name for v in version.variables]
    index = {group: i for i, group in enumerate(groups)}
    # weights[m][variable, group] = coefficient when the variable belongs to the group in milieu m
    weights = {m: np.zeros((len(names), len(groups))) for m in data.MILIEUX}
    centre = {m: np.zeros(len(names)) for m in data.MILIEUX}
    for j, variable in enumerate(version.variables):
        for m in variable.milieux:
            weights[m][j, index[variable.group]] = version.milieux[m].coefficients[variable.name]
            centre[m][j] = version.milieux[m].means.get(variable.name, 0.0)
    top = min(top, len(groups))
    labels = pl.Series(groups, dtype=pl.Enum(groups))
    g = len(groups)
    # one product gives both milieux's effects: values @ [W_urban | W_rural] − means @ W (float32 is plenty for
    # effects shown to 4 decimals, and halves the memory traffic)
    both = np.hstack([weights["urban"], weights["rural"]]).astype(np.float32)
    shift = np.concatenate([centre["urban"] @ weights["urban"], centre["rural"] @ weights["rural"]]).astype(
        np.float32)
    driver_names: list[list[np.ndarray]] = [[] for _ in range(top)]
    driver_effects: list[list[np.ndarray]] = [[] for _ in range(top)]
    lazy = frame.lazy().select(pl.col("milieu") == "urban",
                               *[compiled.variables[name].cast(pl.Float32).alias(name) for name in names])
    for offset in range(0, frame.height, chunk):
        part = lazy.slice(offset, chunk).collect()
        urban = part.get_column("milieu").to_numpy()
        product = part.drop("milieu").to_numpy() @ both - shift
        effects = np.where(urban[:, None], product[:, :g], product[:, g:])
        size = np.abs(effects)
        rows = np.arange(len(effects))
        for k in range(top):  # the largest |effect| left, `top` times (ties: the group named first)
            pick = size.argmax(axis=1)
            driver_names[k].append(pick)
            driver_effects[k].append(effects[rows, pick])
            size[rows, pick] = -1.0
    columns: list[pl.Series] = []
    for k in range(top):
        chosen = np.concatenate(driver_names[k]) if driver_names[k] else np.zeros(0, dtype=np.int64)
        effect = np.concatenate(driver_effects[k]) if driver_effects[k] else np.zeros(0)
        columns.append(labels.gather(chosen).alias(f"driver_{k + 1}"))
        columns.append(pl.Series(f"driver_{k + 1}_effect", effect.astype(np.float64)).round(4))
    return pl.DataFrame(columns)
