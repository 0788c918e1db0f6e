"""The PMT model file: versions of the proxy-means-test formula as data, read, checked and written back.

A country supplies its own formula as a model file, and `fitting.fit()` estimates one from a survey. A version is in
force over a period; `Model.at(day)` picks the one that scores a reference date.

Model file (JSON, UTF-8)
------------------------
    {
      "format": "majal-pmt", "format_version": 1,
      "versions": [
        {
          "version": "MA-PMT-DEMO-2025.1",              unique name, recorded beside every score
          "effective_from": "2023-01-01",                the version scores reference dates in
          "effective_to": null,                          [effective_from, effective_to] (null: open-ended);
                                                         the periods of the versions of a file never overlap
          "description": "…",
          "rounding": {"decimals": 7, "mode": "half_away_from_zero"},     or "half_to_even"
          "reference_region": "MA-08",                  its region effect must be 0
          "variables": [
            {"name": "hh_size", "label": "Household size", "group": "household_size",
             "milieux": ["urban", "rural"], "expr": {"count": true}},
            …
          ],
          "milieux": {
            "urban": {"constant": 9.825,
                      "coefficients": {"hh_size": -0.21, …},     one per variable used in this milieu, no more
                      "region_effects": {"MA-01": 0.05, …},      one per region (data.REGIONS), no more
                      "means": {"hh_size": 3.6, …},              optional: the survey means (for explanations)
                      "fit": {"n": 12000, "r2": 0.61, …}},       optional: fit statistics, written by `fit()`
            "rural": {…}
          }
        }
      ]
    }

The derivations (`expr`) are described in `majal.registry.pmt.derivations`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.registry.pmt import data
from majal.registry.pmt.derivations import ModelFileError, Parser
from majal.registry.pmt.expressions import Node

FORMAT = "majal-pmt"
FORMAT_VERSION = 1
MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL_PATH = MODELS_DIR / "pmt-default.json"
ROUNDING_MODES = ("half_away_from_zero", "half_to_even")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class NoModelInForce(MajalError):
    code = "no_model_in_force"



@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    group: str
    milieux: frozenset[str]
    expr: Node
    definition: Any  # the JSON expression, written back as it was read


@dataclass(frozen=True)
class MilieuModel:
    constant: float
    coefficients: dict[str, float]
    region_effects: dict[str, float]
    means: dict[str, float] = field(default_factory=dict)
    fit: dict[str, Any] | None = None


@dataclass(frozen=True)
class ModelVersion:
    version: str
    effective_from: date
    effective_to: date | None
    variables: tuple[Variable, ...]
    milieux: dict[str, MilieuModel]
    rounding_decimals: int = 7
    rounding_mode: str = "half_away_from_zero"
    reference_region: str = data.REFERENCE_REGION
    description: str = ""

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def variables_of(self, milieu: str) -> list[Variable]:
        return [variable for variable in self.variables if milieu in variable.milieux]


@dataclass(frozen=True)
class Model:
    versions: tuple[ModelVersion, ...]
    source: str = "model"

    def at(self, day: date) -> ModelVersion:
        for version in self.versions:
            if version.in_force(day):
                return version
        raise NoModelInForce(N_("No version of the model is in force on %(date)s."), where=self.source,
                             date=day.isoformat())


def _date(value: Any, where: str, *, optional: bool = False) -> date | None:
    if value is None and optional:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ModelFileError(N_("Expected a date written YYYY-MM-DD."), where=where) from None


def _periods_overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def check_periods(periods: Sequence[tuple[str, date, date | None]], where: str, error: type[MajalError]) -> None:
    """Refuse two versions in force on the same day."""
    for i, (name_a, from_a, to_a) in enumerate(periods):
        if to_a is not None and to_a < from_a:
            raise error(N_("“%(version)s” ends before it starts."), where=where, version=name_a)
        for name_b, from_b, to_b in periods[:i]:
            if _periods_overlap(from_a, to_a, from_b, to_b):
                raise error(N_("The effective dates of “%(version)s” overlap those of “%(other)s”."), where=where,
                            version=name_a, other=name_b)


def parse_model(obj: Any, source: str = "model") -> Model:
    """A model from its JSON form; refuses anything the scorer could not use, saying where."""

    def fail(path: str, message: str, **params: Any) -> ModelFileError:
        return ModelFileError(message, where=f"{source}: {path}" if path else source, **params)

    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise fail("format", N_("This is not a Majal PMT model file (\"format\": \"%(format)s\")."), format=FORMAT)
    if obj.get("format_version") != FORMAT_VERSION:
        raise fail("format_version", N_("Unsupported format version; expected %(expected)s."),
                   expected=FORMAT_VERSION)
    raw_versions = obj.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        raise fail("versions", N_("Expected a non-empty list."))
    versions = [_parse_version(raw, f"versions[{i}]", source, fail) for i, raw in enumerate(raw_versions)]
    names = [version.version for version in versions]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise fail(f"versions[{i}].version", N_("The version “%(version)s” is listed twice."), version=name)
    check_periods([(v.version, v.effective_from, v.effective_to) for v in versions], f"{source}: versions",
                  ModelFileError)
    return Model(tuple(versions), source)


def _parse_version(raw: Any, path: str, source: str, fail: Callable[..., ModelFileError]) -> ModelVersion:
    if not isinstance(raw, dict):
        raise fail(path, N_("Expected an object."))
    name = raw.get("version")
    if not isinstance(name, str) or not name.strip():
        raise fail(f"{path}.version", N_("Expected a non-empty text."))
    effective_from = _date(raw.get("effective_from"), f"{source}: {path}.effective_from")
    effective_to = _date(raw.get("effective_to"), f"{source}: {path}.effective_to", optional=True)
    assert effective_from is not None
    rounding = raw.get("rounding", {"decimals": 7, "mode": "half_away_from_zero"})
    decimals = rounding.get("decimals") if isinstance(rounding, dict) else None
    mode = rounding.get("mode", "half_away_from_zero") if isinstance(rounding, dict) else None
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12:
        raise fail(f"{path}.rounding.decimals", N_("Expected a whole number from 0 to 12."))
    if mode not in ROUNDING_MODES:
        raise fail(f"{path}.rounding.mode", N_("Expected one of: %(expected)s."), expected=", ".join(ROUNDING_MODES))
    reference = raw.get("reference_region", data.REFERENCE_REGION)
    if reference not in data.REGIONS:
        raise fail(f"{path}.reference_region", N_("Unknown region “%(region)s”; expected one of: %(expected)s."),
                   region=str(reference), expected=", ".join(data.REGIONS))

    raw_variables = raw.get("variables")
    if not isinstance(raw_variables, list) or not raw_variables:
        raise fail(f"{path}.variables", N_("Expected a non-empty list."))
    defined: dict[str, Node] = {}
    variables: list[Variable] = []
    for i, item in enumerate(raw_variables):
        where = f"{path}.variables[{i}]"
        if not isinstance(item, dict):
            raise fail(where, N_("Expected an object."))
        var_name = item.get("name")
        if not isinstance(var_name, str) or not _NAME.match(var_name):
            raise fail(f"{where}.name", N_("Expected a name of lower-case letters, digits and _."))
        if var_name in defined:
            raise fail(f"{where}.name", N_("The variable “%(name)s” is defined twice."), name=var_name)
        milieux = item.get("milieux")
        if not isinstance(milieux, list) or not milieux or not set(milieux) <= set(data.MILIEUX):
            raise fail(f"{where}.milieux", N_("Expected a list of milieux among: %(expected)s."),
                       expected=", ".join(data.MILIEUX))
        if "expr" not in item:
            raise fail(f"{where}.expr", N_("The derivation of the variable is missing."))
        expr = Parser(source, defined).household(item["expr"], f"{where}.expr")
        defined[var_name] = expr
        variables.append(Variable(var_name, str(item.get("label", var_name)), str(item.get("group", var_name)),
                                  frozenset(milieux), expr, item["expr"]))

    raw_milieux = raw.get("milieux")
    if not isinstance(raw_milieux, dict):
        raise fail(f"{path}.milieux", N_("Expected an object with “urban” and “rural”."))
    milieux_models: dict[str, MilieuModel] = {}
    for milieu in data.MILIEUX:
        where = f"{path}.milieux.{milieu}"
        part = raw_milieux.get(milieu)
        if not isinstance(part, dict):
            raise fail(where, N_("The coefficients of this milieu are missing."))
        constant = part.get("constant")
        if isinstance(constant, bool) or not isinstance(constant, int | float) or not math.isfinite(constant):
            raise fail(f"{where}.constant", N_("Expected a number."))
        used = [variable.name for variable in variables if milieu in variable.milieux]
        coefficients = _numbers(part.get("coefficients"), f"{where}.coefficients", used, fail,
                                N_("The coefficient of “%(name)s” is missing."),
                                N_("“%(name)s” is not a variable of this milieu."))
        effects = _numbers(part.get("region_effects"), f"{where}.region_effects", list(data.REGIONS), fail,
                           N_("The region effect of “%(name)s” is missing."),
                           N_("Unknown region “%(name)s”."))
        if effects[reference] != 0:
            raise fail(f"{where}.region_effects.{reference}", N_("The reference region's effect must be 0."))
        means = part.get("means") or {}
        if not isinstance(means, dict) or any(
            not isinstance(value, int | float) or isinstance(value, bool) for value in means.values()
        ):
            raise fail(f"{where}.means", N_("Expected an object of numbers."))
        fit_stats = part.get("fit")
        milieux_models[milieu] = MilieuModel(float(constant), coefficients, effects,
                                             {key: float(value) for key, value in means.items()},
                                             fit_stats if isinstance(fit_stats, dict) else None)
    return ModelVersion(name.strip(), effective_from, effective_to, tuple(variables), milieux_models, decimals, mode,
                        reference, str(raw.get("description", "")))


def _numbers(obj: Any, path: str, expected: Sequence[str], fail: Callable[..., ModelFileError], missing: str,
             unknown: str) -> dict[str, float]:
    if not isinstance(obj, dict):
        raise fail(path, N_("Expected an object of numbers."))
    for name in expected:
        if name not in obj:
            raise fail(path, missing, name=name)
    for name, value in obj.items():
        if name not in expected:
            raise fail(f"{path}.{name}", unknown, name=name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise fail(f"{path}.{name}", N_("Expected a number."))
    return {name: float(obj[name]) for name in expected}


def load_model(path: Path) -> Model:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelFileError(N_("No such file."), where=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ModelFileError(N_("This file cannot be read: %(reason)s"), where=str(path), reason=str(error)) from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as error:
        raise ModelFileError(N_("Malformed JSON at line %(line)s, column %(column)s."), where=str(path),
                             line=error.lineno, column=error.colno) from None
    return parse_model(obj, path.name)


@cache
def default_model() -> Model:
    """The model shipped with Majal: fitted on the demo survey (see `synth.build_default_model`)."""
    return load_model(DEFAULT_MODEL_PATH)


def significant(value: float, digits: int = 10) -> float:
    return float(f"{value:.{digits}g}")


def version_to_json(version: ModelVersion) -> dict[str, Any]:
    milieux: dict[str, Any] = {}
    for milieu, part in version.milieux.items():
        entry: dict[str, Any] = {
            "constant": significant(part.constant),
            "coefficients": {name: significant(value) for name, value in part.coefficients.items()},
            "region_effects": {name: significant(value) for name, value in part.region_effects.items()},
        }
        if part.means:
            entry["means"] = {name: significant(value, 8) for name, value in part.means.items()}
        if part.fit is not None:
            entry["fit"] = part.fit
        milieux[milieu] = entry
    return {
        "version": version.version,
        "effective_from": version.effective_from.isoformat(),
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        "description": version.description,
        "rounding": {"decimals": version.rounding_decimals, "mode": version.rounding_mode},
        "reference_region": version.reference_region,
        "variables": [
            {"name": v.name, "label": v.label, "group": v.group,
             "milieux": [m for m in data.MILIEUX if m in v.milieux], "expr": v.definition}
            for v in version.variables
        ],
        "milieux": milieux,
    }


def _dumps(obj: Any, indent: str = "") -> str:
    """Indented JSON, except that each variable's derivation and milieux stay on one line."""
    inner = indent + "  "
    if isinstance(obj, dict) and obj:
        items = []
        for key, value in obj.items():
            flat = key == "expr" or (key in ("milieux", "regions_not_estimated") and isinstance(value, list))
            text = json.dumps(value, ensure_ascii=False) if flat else _dumps(value, inner)
            items.append(f"{inner}{json.dumps(key, ensure_ascii=False)}: {text}")
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(obj, list) and obj:
        return "[\n" + ",\n".join(inner + _dumps(value, inner) for value in obj) + "\n" + indent + "]"
    return json.dumps(obj, ensure_ascii=False)


def model_to_json(versions: Sequence[ModelVersion]) -> str:
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "versions": [version_to_json(v) for v in versions]}
    return _dumps(document) + "\n"

