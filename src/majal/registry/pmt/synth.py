"""A deterministic synthetic population of Moroccan households, with a hidden true consumption.

`generate(n, seed)` builds households and members in the import format of `majal.registry.pmt.data`, plus the table
`consumption` (household_id, consumption_pc): the annual consumption per person that a household survey would
measure. It is generated FROM a known model, `models/pmt-synth-truth.json` (published constants 9.825 urban and
8.695 rural, 35 and 28 variables, 12 region effects):

    ln(consumption_pc) = truth score (unrounded) + ε,   ε ~ Normal(0, σ[milieu]), independent of everything else

so `fitting.fit()` on this survey must find the truth's coefficients again, and `evaluation` measures how well a
threshold on the score finds the households that are really poor.

The structure follows public figures, roughly: 12 regions weighted by population (2024 census), urban share per region,
about 3.8 persons per household (the RSU counts 18.9 M people in 5.2 M households), a head of household aged 20–95
(a woman in about one household in six, often a widow), a spouse, children, sometimes a grandparent or a relative;
schooling by age and milieu; assets, amenities and utility spending that rise with an unobserved household wealth.
Nothing here is real data.

Same `n`, `seed` and reference date, same population, on any machine: households are drawn in fixed chunks of
250,000, each from its own random stream derived from (seed, first household of the chunk). IDCS are unique 10-digit
numbers (an affine bijection of 0 … 10¹⁰ − 1), so they never collide. Generation is vectorised (numpy) and runs in
chunks, so millions of households fit in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

from majal.registry.pmt import data
from majal.registry.pmt.model_file import MODELS_DIR, Model, ModelVersion, load_model
from majal.registry.pmt.scoring import compile_version, household_frame, linear_score

TRUTH_MODEL_PATH = MODELS_DIR / "pmt-synth-truth.json"
GENERATOR = "majal-registry-synth/1"
REFERENCE_DATE = date(2024, 1, 1)  # ages are drawn at this date; birth dates are before it
NOISE_SD = {"urban": 0.42, "rural": 0.36}  # σ of ε in ln(consumption)
DEMO_SEED = 2025
DEMO_HOUSEHOLDS = 20_000

# code: (share of households, urban share, wealth shift)
REGION_PROFILE: dict[str, tuple[float, float, float]] = {
    "MA-01": (0.115, 0.60, 0.05),
    "MA-02": (0.066, 0.66, -0.05),
    "MA-03": (0.124, 0.60, -0.05),
    "MA-04": (0.136, 0.67, 0.15),
    "MA-05": (0.071, 0.46, -0.20),
    "MA-06": (0.208, 0.72, 0.25),
    "MA-07": (0.127, 0.42, -0.15),
    "MA-08": (0.047, 0.33, -0.35),
    "MA-09": (0.081, 0.55, 0.00),
    "MA-10": (0.012, 0.62, -0.05),
    "MA-11": (0.010, 0.90, 0.20),
    "MA-12": (0.005, 0.72, 0.25),
}
_EMPLOYED = ("employee", "self_employed", "employer", "labourer", "farmer")


@cache
def truth_model() -> Model:
    return load_model(TRUTH_MODEL_PATH)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _codes(values: tuple[str, ...], index: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(values, dtype=object)[index].astype(str)).cast(pl.Enum(list(values)))


@dataclass
class _Chunk:
    households: pl.DataFrame
    members: pl.DataFrame


def _streams(seed: int, first_id: int, count: int) -> np.random.Generator:
    """One generator for a chunk, derived from the seed and the chunk's first household (chunking is fixed)."""
    return np.random.default_rng(np.random.SeedSequence([seed, first_id]))


def _draw_chunk(first_id: int, count: int, seed: int, reference: date) -> _Chunk:
    rng = _streams(seed, first_id, count)
    n = count
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    codes = list(REGION_PROFILE)
    weights = np.array([p[0] for p in REGION_PROFILE.values()])
    region = rng.choice(len(codes), size=n, p=weights / weights.sum())
    urban_share = np.array([p[1] for p in REGION_PROFILE.values()])[region]
    urban = rng.random(n) < urban_share
    # an unobserved wealth that assets, amenities and spending follow; registrants are poorer than the country
    shift = np.array([p[2] for p in REGION_PROFILE.values()])[region]
    wealth = rng.standard_normal(n) + shift + 0.05 * urban - 0.45

    # --- size and head --------------------------------------------------------------------------------------------
    size = 1 + rng.poisson(np.where(urban, 2.55, 3.15) * np.exp(-0.10 * wealth))
    size = np.minimum(size, 14)
    head_female = rng.random(n) < np.where(size == 1, 0.45, 0.14)
    head_age = np.clip(22 + rng.gamma(5.0, 5.6, n), 20, 95).astype(np.int64)
    u = rng.random(n)
    male_status = np.select([u < 0.90, u < 0.94, u < 0.97], [1, 2, 3], 0)  # married, widowed, divorced, single
    female_status = np.select([u < 0.12, u < 0.67, u < 0.87], [1, 2, 3], 0)
    head_status = np.where(head_female, female_status, male_status)  # index into MARITAL_STATUSES
    alone = size == 1
    head_status = np.where(alone & (head_status == 1), np.where(head_female, 2, 0), head_status)
    has_spouse = (head_status == 1) & (size >= 2)

    # --- members: one row each, in household order: head, spouse, others ------------------------------------------
    m_household = np.repeat(np.arange(n), size)
    position = np.arange(len(m_household)) - np.repeat(np.cumsum(size) - size, size)
    is_head = position == 0
    is_spouse = (position == 1) & has_spouse[m_household]
    m = len(m_household)
    h_age = head_age[m_household]
    roll = rng.random(m)
    grandchild_p = np.where(h_age > 55, 0.35, 0.01)
    parent_p = grandchild_p + np.where(h_age < 60, 0.04, 0.0)
    other_relation = np.select(
        [roll < grandchild_p, roll < parent_p, roll < parent_p + 0.06, roll < parent_p + 0.07],
        [3, 4, 5, 6], 2)  # grandchild, parent, other_relative, non_relative, else child
    relation = np.where(is_head, 0, np.where(is_spouse, 1, other_relation))
    child_span = np.clip(h_age - 18, 1, 42)
    age = np.select(
        [is_head, is_spouse, relation == 2, relation == 3, relation == 4, relation == 5],
        [h_age,
         np.clip(h_age + np.where(head_female[m_household], 4, -5) + rng.normal(0, 4, m), 18, 99),
         rng.random(m) * child_span,
         rng.random(m) * 22,
         np.clip(h_age + 22 + rng.random(m) * 14, 40, 105),
         rng.random(m) * 70],
        15 + rng.random(m) * 45,
    ).astype(np.int64)
    age = np.clip(age, 0, 105)
    female = np.where(is_head, head_female[m_household],
                      np.where(is_spouse, ~head_female[m_household], rng.random(m) < 0.5))
    # birth date: `age` full years before the reference date, and 1 … 364 more days
    ref_ordinal = reference.toordinal()
    birth_ordinal = ref_ordinal - np.round(age * 365.2425).astype(np.int64) - rng.integers(1, 365, m)
    birth = (birth_ordinal - date(1970, 1, 1).toordinal()).astype("datetime64[D]")

    mw = wealth[m_household]
    m_urban = urban[m_household]
    # schooling now, by age and milieu
    enrol_p = np.select(
        [age < 6, age < 15, age < 18, age < 21, age < 25],
        [0.0, np.where(m_urban, 0.97, 0.90), np.where(m_urban, 0.82, 0.55), np.where(m_urban, 0.45, 0.20),
         np.where(m_urban, 0.22, 0.07)], 0.0)
    enrolled = rng.random(m) < enrol_p * np.clip(1 + 0.05 * mw, 0.5, 1.2)
    private = enrolled & (rng.random(m) < _sigmoid(-2.2 + 1.3 * mw + 0.9 * m_urban))
    schooling = np.where(enrolled, np.where(private, 2, 1), 0)
    # highest education attended
    latent = 0.8 * mw + 0.6 * m_urban - 0.035 * (age - 30) + rng.standard_normal(m)
    adult_level = np.select([latent < -0.5, latent < 0.5, latent < 1.6], [0, 1, 2], 3)
    adult_level = np.where(age < 18, np.minimum(adult_level, 2), adult_level)
    school_level = np.select([age < 12, age < 18], [1, 2], 3)
    education = np.select(
        [age < 6, enrolled, age < 15], [0, school_level, np.where(rng.random(m) < 0.55, 1, 0)], adult_level)
    diploma_p = np.select([education == 1, education == 2, education == 3], [0.45, 0.65, 0.9], 0.0)
    diploma = (age >= 12) & (rng.random(m) < diploma_p * np.where(enrolled, 0.6, 1.0))
    # occupation
    working_age = (age >= 15) & ~enrolled
    work_p = np.where(female, np.where(m_urban, 0.18, 0.28), np.where(age < 25, 0.55, 0.82))
    work_p = np.where(is_head, np.where(female, 0.45, 0.85), work_p) * np.where(age >= 65, 0.35, 1.0)
    works = working_age & (rng.random(m) < np.clip(work_p + 0.04 * mw, 0, 0.97))
    t = rng.random(m)
    employee_p = np.clip(np.where(m_urban, 0.45, 0.15) + 0.10 * mw, 0.02, 0.85)
    urban_job = np.select([t < employee_p, t < employee_p + 0.22, t < employee_p + 0.25], [0, 1, 2], 3)
    rural_job = np.select([t < employee_p, t < employee_p + 0.15, t < employee_p + 0.17, t < employee_p + 0.42],
                          [0, 1, 2, 3], 4)
    job = np.where(m_urban, urban_job, rural_job)  # employee, self_employed, employer, labourer, farmer
    idle = np.select(
        [enrolled, age < 15, age >= 60, female & (rng.random(m) < 0.8), rng.random(m) < 0.6],
        [6, 9, 8, 7, 5], 9)  # student, inactive, retired, homemaker, unemployed, inactive
    occupation = np.where(works, job, idle)
    disability = rng.random(m) < np.where(age < 21, 0.018, np.where(age >= 65, 0.08, 0.03))
    marital = np.select(
        [is_head, is_spouse, age < 18],
        [head_status[m_household], 1, 0],
        np.where(rng.random(m) < np.where(age < 30, 0.25, 0.6), 1,
                 np.where(age >= 60, 2, 0)),
    )
    pension = np.where(occupation == 8, rng.random(m) < np.where(m_urban, 0.55, 0.25),
                       (marital == 2) & (rng.random(m) < 0.15))

    # --- dwelling, amenities, assets, spending -------------------------------------------------------------------
    adults = np.bincount(m_household, weights=(age >= 18), minlength=n)
    rooms = np.clip(1 + rng.poisson(np.clip(0.9 + 0.22 * size + 0.45 * wealth, 0.2, 8)), 1, 12)
    d = rng.random(n)
    villa_p = _sigmoid(-3.0 + 1.3 * wealth)
    rudimentary_p = _sigmoid(-2.4 - 1.2 * wealth)
    urban_dwelling = np.select(
        [d < villa_p, d < villa_p + rudimentary_p, d < villa_p + rudimentary_p + 0.25],
        [np.where(rng.random(n) < 0.7, 1, 0), 4, 3], 2)  # apartment/villa, rudimentary, traditional, modern
    rural_dwelling = np.select([d < rudimentary_p * 1.3, d < rudimentary_p * 1.3 + 0.25, d < 0.97], [4, 2, 5], 6)
    dwelling = np.where(urban, urban_dwelling, rural_dwelling)
    owner = rng.random(n) < np.where(urban, 0.62, 0.86)
    electricity = rng.random(n) < np.where(urban, 0.995, _sigmoid(2.2 + 0.9 * wealth))
    piped_water = rng.random(n) < np.where(urban, _sigmoid(2.4 + wealth), _sigmoid(-0.2 + 0.9 * wealth))
    sewer = rng.random(n) < np.where(urban, _sigmoid(1.4 + wealth), _sigmoid(-2.8 + 0.5 * wealth))
    toilet = rng.random(n) < np.where(urban, _sigmoid(2.0 + wealth), _sigmoid(-0.3 + wealth))
    bathroom = rng.random(n) < _sigmoid(-0.6 + 1.1 * wealth + 0.8 * urban)
    kitchen = rng.random(n) < _sigmoid(0.9 + 0.8 * wealth)
    phones = np.clip(rng.poisson(np.clip(0.5 + 0.75 * adults + 0.3 * wealth, 0.1, 10)), 0, 9)
    cars = np.clip(rng.poisson(np.exp(-2.4 + 0.95 * wealth)), 0, 4)
    motorcycles = np.clip(rng.poisson(np.exp(-2.0 + 0.3 * wealth + 0.3 * ~urban)), 0, 3)
    laptop = rng.random(n) < _sigmoid(-1.6 + 1.2 * wealth + 0.5 * urban)
    fridge = rng.random(n) < _sigmoid(1.0 + 1.1 * wealth + 0.6 * urban)
    washing_machine = rng.random(n) < _sigmoid(-0.9 + 1.1 * wealth + 0.4 * urban)
    internet = rng.random(n) < _sigmoid(-1.0 + 1.1 * wealth + 0.9 * urban)
    cows = np.where(urban, rng.poisson(0.02, n), np.clip(rng.poisson(np.exp(-0.6 + 0.4 * wealth)), 0, 40))
    has_land = rng.random(n) < np.where(urban, 0.03, 0.55)
    land_ha = np.where(has_land, np.round(np.exp(rng.normal(0.2 + 0.5 * wealth, 0.9)), 2), 0.0)
    spend_butane = np.round(np.exp(np.log(700 + 90 * size) + 0.12 * wealth + rng.normal(0, 0.3, n)), 0)
    water_electricity = np.where(urban, np.log(2200 + 150 * size), np.log(900 + 80 * size)) + 0.35 * wealth
    spend_water_electricity = np.round(
        np.exp(water_electricity + rng.normal(0, 0.35, n)) * np.where(electricity, 1.0, 0.25), 0)
    spend_telecom = np.round(
        np.exp(np.log(150 + 260 * phones) + 0.3 * wealth + rng.normal(0, 0.4, n)) + 1200 * internet, 0)

    # --- IDCS: a bijection of 0 … 10^10 − 1, so no two people share one ----------------------------------------------
    first_member = _members_before(seed, first_id)
    serial = first_member + np.arange(m, dtype=np.int64)
    idcs = (serial * 7_368_787 + 1_000_003 * (seed % 1000) + 4_202_411) % 10_000_000_000
    households = pl.DataFrame({
        "household_id": ids,
        "milieu": _codes(data.MILIEUX, np.where(urban, 0, 1)),
        "region": _codes(tuple(data.REGIONS), region),
        "rooms": rooms.astype(np.int32),
        "dwelling": _codes(data.DWELLINGS, dwelling),
        "owner": owner, "electricity": electricity, "piped_water": piped_water, "sewer": sewer, "toilet": toilet,
        "bathroom": bathroom, "kitchen": kitchen,
        "phones": phones.astype(np.int32), "cars": cars.astype(np.int32), "motorcycles": motorcycles.astype(np.int32),
        "cows": cows.astype(np.int32),
        "laptop": laptop, "fridge": fridge, "washing_machine": washing_machine, "internet": internet,
        "land_ha": land_ha, "spend_butane": spend_butane, "spend_water_electricity": spend_water_electricity,
        "spend_telecom": spend_telecom,
    })
    members = pl.DataFrame({
        "household_id": ids[m_household],
        "idcs": pl.Series(idcs).cast(pl.String).str.zfill(10),
        "sex": _codes(data.SEXES, np.where(female, 0, 1)),
        "birth_date": pl.Series(birth, dtype=pl.Date),
        "relation": _codes(data.RELATIONS, relation),
        "education": _codes(data.EDUCATION, education),
        "diploma": diploma,
        "schooling": _codes(data.SCHOOLING, schooling),
        "occupation": _codes(data.OCCUPATIONS, occupation),
        "disability": disability,
        "marital_status": _codes(data.MARITAL_STATUSES, marital),
        "pension": pension,
    })
    return _Chunk(households, members)


CHUNK = 250_000  # households per random stream; fixed, so that populations do not depend on memory


def _members_before(seed: int, first_id: int) -> int:
    """A fixed budget of IDCS serial numbers per chunk (16 per household, far above the largest household)."""
    return (first_id - 1) * 16


def generate_frames(
    households: int, seed: int, *, reference: date = REFERENCE_DATE,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Households and members (no consumption): the cheap part, for benchmarks and demos."""
    hh_parts, m_parts = [], []
    for first in range(1, households + 1, CHUNK):
        count = min(CHUNK, households + 1 - first)
        part = _draw_chunk(first, count, seed, reference)
        hh_parts.append(part.households)
        m_parts.append(part.members)
        if on_progress:
            on_progress(count)
    if not hh_parts:
        empty = _draw_chunk(1, 0, seed, reference)
        return empty.households, empty.members
    return pl.concat(hh_parts, rechunk=True), pl.concat(m_parts, rechunk=True)


def true_consumption(population: data.Population, seed: int, truth: ModelVersion | None = None) -> np.ndarray:
    """Annual consumption per person: exp(truth score + ε); ε drawn per household from (seed, household_id)."""
    truth = truth or truth_model().at(population.as_of)
    compiled = compile_version(truth)
    mean = linear_score(household_frame(population, compiled), truth, compiled).to_numpy()
    ids = population.households.get_column("household_id").to_numpy()
    urban = (population.households.get_column("milieu") == "urban").to_numpy()
    noise = np.empty(len(ids))
    for first in range(0, len(ids), CHUNK):
        rng = np.random.default_rng(np.random.SeedSequence([seed, 7, int(ids[first])]))
        noise[first:first + CHUNK] = rng.standard_normal(min(CHUNK, len(ids) - first))
    sd = np.where(urban, NOISE_SD["urban"], NOISE_SD["rural"])
    return np.round(np.exp(mean + sd * noise), 2)


@dataclass(frozen=True)
class Survey:
    households: pl.DataFrame
    members: pl.DataFrame
    consumption: pl.DataFrame  # household_id, consumption_pc
    population: data.Population


def generate(households: int, seed: int, *, reference: date = REFERENCE_DATE,
             on_progress: Callable[[int], None] | None = None) -> Survey:
    """A synthetic survey: households, members, and their hidden consumption per person."""
    hh, mm = generate_frames(households, seed, reference=reference, on_progress=on_progress)
    population = data.prepare(hh, mm, as_of=reference)
    consumption = pl.DataFrame({
        "household_id": population.households.get_column("household_id"),
        "consumption_pc": true_consumption(population, seed),
    })
    return Survey(hh, mm, consumption, population)


def write(survey: Survey, directory: Path, *, formats: tuple[str, ...] = ("parquet", "csv"), seed: int,
          reference: date = REFERENCE_DATE) -> list[Path]:
    """households, members and consumption files in the import format, and a manifest of how they were made."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    written += data.write_table(survey.households, directory, "households", formats)
    written += data.write_table(survey.members, directory, "members", formats)
    written += data.write_table(survey.consumption, directory, "consumption", formats)
    manifest = directory / "manifest.json"
    manifest.write_text(json.dumps({
        "generator": GENERATOR, "households": survey.households.height, "members": survey.members.height,
        "seed": seed, "reference_date": reference.isoformat(), "truth_model": truth_model().versions[0].version,
        "noise_sd": NOISE_SD,
    }, indent=2) + "\n", encoding="utf-8")
    return [*written, manifest]


DEFAULT_MODEL_VERSION = "MA-PMT-DEMO-1"
DEFAULT_MODEL_EFFECTIVE_FROM = date(2022, 12, 1)
PUBLISHED_CONSTANTS = {"urban": 9.825, "rural": 8.695}


def build_default_model() -> str:
    """The text of `models/pmt-default.json`: the truth's variables fitted on the demo survey (seed 2025, 20,000
    households), the constants held at the published values. Deterministic: `tests/registry/pmt` checks the shipped file
    against it."""
    from majal.registry.pmt.fitting import fit
    from majal.registry.pmt.model_file import model_to_json

    survey = generate(DEMO_HOUSEHOLDS, DEMO_SEED)
    consumption = data.align_consumption(survey.population, survey.consumption)
    result = fit(
        survey.population, consumption, truth_model().versions[0], version=DEFAULT_MODEL_VERSION,
        effective_from=DEFAULT_MODEL_EFFECTIVE_FROM, fixed_constants=PUBLISHED_CONSTANTS,
        description=(
            f"Demonstration model: least squares of ln(annual consumption per person) on the demo survey "
            f"(majal registry synth --households {DEMO_HOUSEHOLDS} --seed {DEMO_SEED}), separately for urban and "
            "rural households, with the constants held at the published 9.825 (urban) and 8.695 (rural). Fitted "
            "on synthetic data: replace it with a model fitted on your country's survey (majal registry fit)."
        ),
    )
    return model_to_json([result.version])


if __name__ == "__main__":  # python -m majal.registry.pmt.synth: rewrite the shipped default model
    (MODELS_DIR / "pmt-default.json").write_text(build_default_model(), encoding="utf-8")
