"""Fitting a PMT model: least squares of ln(consumption per person) on a template's variables, per milieu.

The template says which variables (and derivations) are fitted; the survey gives the households, their members and
the consumption measured for each. What comes out is a model version checked like any model file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.registry.pmt import data
from majal.registry.pmt.model_file import (
    MilieuModel,
    ModelVersion,
    default_model,
    model_to_json,
    parse_model,
    significant,
)
from majal.registry.pmt.scoring import derive


class FitError(MajalError):
    """A survey from which a model cannot be estimated."""

    code = "fit_failed"



@dataclass(frozen=True)
class FitResult:
    version: ModelVersion
    stats: dict[str, dict[str, Any]]  # per milieu: n, parameters, r2, adjusted_r2, residual_se, …


def fit(
    population: data.Population,
    consumption_pc: np.ndarray,
    template: ModelVersion,
    *,
    version: str,
    effective_from: date,
    effective_to: date | None = None,
    fixed_constants: Mapping[str, float] | None = None,
    description: str = "",
) -> FitResult:
    """Least squares of ln(consumption per person) on the template's variables and region dummies, per milieu.

    `consumption_pc` is aligned with `population.households`. With `fixed_constants` (e.g. the published 9.825 and
    8.695), the constant of that milieu is held and the rest is estimated on ln(consumption) − constant.
    Regions without a surveyed household in a milieu keep an effect of 0 and are listed in the fit statistics.
    """
    fixed_constants = dict(fixed_constants or {})
    if len(consumption_pc) != len(population) or not np.all(np.isfinite(consumption_pc)) or np.any(
            consumption_pc <= 0):
        raise FitError(N_("Consumption must be a number above 0 for every household."))
    variables = derive(population, template)
    y_all = np.log(consumption_pc)
    milieu_of = variables.get_column("milieu").to_numpy()
    regions = list(data.REGIONS)
    region_of = variables.get_column("region").to_physical().to_numpy()
    parts: dict[str, MilieuModel] = {}
    stats: dict[str, dict[str, Any]] = {}
    for milieu in data.MILIEUX:
        rows = milieu_of == milieu
        names = [v.name for v in template.variables_of(milieu)]
        x_vars = variables.filter(pl.Series(rows)).select(names).to_numpy().astype(np.float64)
        y = y_all[rows]
        present = [r for r in regions if r != template.reference_region and np.any(region_of[rows] ==
                                                                                    regions.index(r))]
        dummies = np.column_stack([(region_of[rows] == regions.index(r)).astype(np.float64) for r in present]) if \
            present else np.zeros((len(y), 0))
        fixed = milieu in fixed_constants
        columns = [x_vars, dummies] if fixed else [np.ones((len(y), 1)), x_vars, dummies]
        design = np.hstack(columns)
        labels = ([] if fixed else ["constant"]) + names + [f"region:{r}" for r in present]
        target = y - fixed_constants[milieu] if fixed else y
        n, p = design.shape
        if n <= p:
            raise FitError(N_("The survey has %(n)s %(milieu)s households: at least %(needed)s are needed to "
                              "estimate %(p)s parameters."), n=n, milieu=milieu, needed=p + 1, p=p)
        for j, name in enumerate(names):
            if np.ptp(x_vars[:, j]) == 0:
                raise FitError(N_("“%(name)s” takes the same value for every %(milieu)s household of the survey: its "
                                  "coefficient cannot be estimated."), name=name, milieu=milieu)
        beta, _residuals, rank, _sv = np.linalg.lstsq(design, target, rcond=None)
        if rank < p:
            raise FitError(N_("The %(milieu)s variables are collinear in the survey (rank %(rank)s of %(p)s): "
                              "their coefficients cannot be told apart."), milieu=milieu, rank=int(rank), p=p)
        fitted = design @ beta + (fixed_constants[milieu] if fixed else 0.0)
        residual = y - fitted
        ssr = float(residual @ residual)
        sst = float(((y - y.mean()) ** 2).sum())
        dof = n - p
        sigma2 = ssr / dof
        covariance = sigma2 * np.linalg.inv(design.T @ design)
        errors = np.sqrt(np.diag(covariance))
        estimates = dict(zip(labels, beta.tolist(), strict=True))
        standard_errors = dict(zip(labels, errors.tolist(), strict=True))
        constant = fixed_constants[milieu] if fixed else estimates["constant"]
        effects = {r: estimates.get(f"region:{r}", 0.0) for r in regions}
        r2 = 1 - ssr / sst if sst > 0 else 0.0
        stats[milieu] = {
            "n": n,
            "parameters": p,
            "r2": round(r2, 4),
            "adjusted_r2": round(1 - (1 - r2) * (n - 1) / dof, 4),
            "residual_se": round(math.sqrt(sigma2), 4),
            "constant_fixed": fixed,
            "regions_not_estimated": [r for r in regions if r != template.reference_region and r not in present],
            "standard_errors": {name: significant(value, 4) for name, value in standard_errors.items()},
        }
        parts[milieu] = MilieuModel(
            constant=constant,
            coefficients={name: estimates[name] for name in names},
            region_effects=effects,
            means={name: float(x_vars[:, j].mean()) for j, name in enumerate(names)},
            fit=stats[milieu],
        )
    fitted_version = ModelVersion(
        version=version, effective_from=effective_from, effective_to=effective_to, variables=template.variables,
        milieux=parts, rounding_decimals=template.rounding_decimals, rounding_mode=template.rounding_mode,
        reference_region=template.reference_region, description=description,
    )
    # What is written is what is used: read the model back through the same checks as any file.
    checked = parse_model(json.loads(model_to_json([fitted_version])), "fit").versions[0]
    return FitResult(checked, stats)


def fit_survey(
    households: pl.DataFrame,
    members: pl.DataFrame,
    consumption: pl.DataFrame,
    *,
    as_of: date,
    version: str,
    effective_from: date,
    template: ModelVersion | None = None,
    fixed_constants: Mapping[str, float] | None = None,
    description: str = "",
) -> FitResult:
    """`fit()` from plain survey tables (import format; `consumption`: household_id, consumption_pc), checked first.

    The variables fitted are the template's, by default those of the shipped model in force on `as_of`."""
    population = data.prepare(households, members, as_of=as_of)
    coerced = data.coerce(consumption, data.CONSUMPTION_COLUMNS, "consumption")
    return fit(population, data.align_consumption(population, coerced), template or default_model().at(as_of),
               version=version, effective_from=effective_from, fixed_constants=fixed_constants,
               description=description)
