"""The socio-economic index: a proxy-means-test (PMT) model kept as a versioned file, scored for millions at once.

The score of a household is

    score = constant[milieu] + Σ coefficient[milieu, v] × v + region_effect[milieu, region]

rounded as the model says. It behaves as ln(predicted annual consumption per person, MAD): lower is poorer. The model
is data, not code: a country supplies its own formula as a model file, and `fit()` estimates one from a survey.

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

Variable derivations (`expr`) are small JSON expressions over one household's columns and its members' columns
(`data.HOUSEHOLD_FIELDS`, `data.MEMBER_FIELDS`; a member's `age` is in full years at the reference date):

    household scope (a number)                      member scope (inside count, share and head)
    3.5                      a constant             true                        every member
    {"col": "rooms"}         a number or boolean    {"col": "diploma"}          a boolean (or "age", a number)
    {"is": ["dwelling", ["villa", "apartment"]]}    {"is": ["schooling", ["public"]]}
                             1 when the value is in the list, else 0
    {"count": P}             members for which P holds            {"ge": ["age", 15]}  also gt, le, lt
    {"share": P, "among": Q} members with P and Q / members with Q (0 when none has Q)
                                                                  {"between": ["age", 6, 20]} (inclusive)
    {"head": E}              E for the head of household          {"and": [P, …]}, {"or": [P, …]}, {"not": P}
    {"var": "hh_size"}       a variable defined earlier in the list
    {"add": [a, b, …]}, {"mul": [a, b, …]}, {"sub": [a, b]}, {"div": [a, b]} (0 when b is 0),
    {"pow": [a, 2]}, {"ln1p": a} = ln(1 + a)

The same expressions compile to Polars (here) and to SQL (`majal.registry.sql`): the formula runs unchanged on one
machine or on a Spark cluster.

Explanation: a household's drivers are the variable groups (a variable's `group`: age and age² together, …) whose
contribution coefficient × (value − survey mean) moves its score most, up or down, compared with the typical household
of its milieu. The region effect is not a driver: it is the same for every household of the region.

Performance: members are summed per household with `numpy.add.reduceat` over the member rows sorted by household
(`data.Population`), every other step is a Polars expression over whole columns; nothing loops over households.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.registry import data

FORMAT = "majal-pmt"
FORMAT_VERSION = 1
MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL_PATH = MODELS_DIR / "pmt-default.json"
ROUNDING_MODES = ("half_away_from_zero", "half_to_even")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

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


class ModelFileError(MajalError):
    """A model file that cannot be used; `where` is `file: path.in.the.json`."""

    code = "invalid_model"


class NoModelInForce(MajalError):
    code = "no_model_in_force"


class FitError(MajalError):
    """A survey from which a model cannot be estimated."""

    code = "fit_failed"


# --- expressions ---------------------------------------------------------------------------------------------------


def sql_number(value: float) -> str:
    """A DOUBLE literal for Spark SQL and DuckDB alike (plain decimals would be DECIMAL in Spark)."""
    text = repr(float(value))
    return text if "e" in text else text + "e0"


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


class Aggregates:
    """Member-level expressions summed per household, shared between the variables that use them."""

    def __init__(self) -> None:
        self.polars: dict[str, pl.Expr] = {}  # counts: a condition; other sums: a number
        self.sql: dict[str, str] = {}
        self.counts: set[str] = set()
        self.heads: set[str] = set()
        self._names: dict[str, str] = {}

    def add(self, key: str, expr: pl.Expr, sql: str, *, count: bool = False, head: bool = False) -> str:
        """`expr` is summed over the members (`count`: a condition, counted), or read on the head (`head`)."""
        if key not in self._names:
            name = f"agg_{len(self._names)}"
            self._names[key] = name
            self.polars[name] = expr
            self.sql[name] = sql
            if count:
                self.counts.add(name)
            if head:
                self.heads.add(name)
        return self._names[key]


class MemberNode:
    boolean: bool = True

    def polars(self) -> pl.Expr:
        raise NotImplementedError

    def sql(self) -> str:
        raise NotImplementedError

    def key(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class MemberTrue(MemberNode):
    def polars(self) -> pl.Expr:
        return pl.lit(value=True)

    def sql(self) -> str:
        return "TRUE"

    def key(self) -> str:
        return "true"


@dataclass(frozen=True)
class MemberColumn(MemberNode):
    name: str
    boolean: bool = True

    def polars(self) -> pl.Expr:
        return pl.col(self.name)

    def sql(self) -> str:
        return f"m.{self.name}"

    def key(self) -> str:
        return f"col({self.name})"


@dataclass(frozen=True)
class MemberIn(MemberNode):
    name: str
    values: tuple[str, ...]

    def polars(self) -> pl.Expr:
        column = pl.col(self.name)
        if len(self.values) == 1:
            return column == self.values[0]
        return column.is_in(list(self.values))

    def sql(self) -> str:
        return f"m.{self.name} IN ({_sql_list(self.values)})"

    def key(self) -> str:
        return f"is({self.name},{','.join(self.values)})"


_COMPARE: dict[str, tuple[str, Callable[[pl.Expr, float], pl.Expr]]] = {
    "ge": (">=", lambda c, k: c >= k),
    "gt": (">", lambda c, k: c > k),
    "le": ("<=", lambda c, k: c <= k),
    "lt": ("<", lambda c, k: c < k),
}


@dataclass(frozen=True)
class MemberCompare(MemberNode):
    op: str
    name: str
    value: float

    def polars(self) -> pl.Expr:
        return _COMPARE[self.op][1](pl.col(self.name), self.value)

    def sql(self) -> str:
        return f"m.{self.name} {_COMPARE[self.op][0]} {sql_number(self.value)}"

    def key(self) -> str:
        return f"{self.op}({self.name},{self.value!r})"


@dataclass(frozen=True)
class MemberBetween(MemberNode):
    name: str
    low: float
    high: float

    def polars(self) -> pl.Expr:
        return pl.col(self.name).is_between(self.low, self.high, closed="both")

    def sql(self) -> str:
        return f"m.{self.name} BETWEEN {sql_number(self.low)} AND {sql_number(self.high)}"

    def key(self) -> str:
        return f"between({self.name},{self.low!r},{self.high!r})"


@dataclass(frozen=True)
class MemberLogic(MemberNode):
    op: str  # and, or, not
    parts: tuple[MemberNode, ...]

    def polars(self) -> pl.Expr:
        if self.op == "not":
            return self.parts[0].polars().not_()
        exprs = [part.polars() for part in self.parts]
        return pl.all_horizontal(exprs) if self.op == "and" else pl.any_horizontal(exprs)

    def sql(self) -> str:
        if self.op == "not":
            return f"NOT ({self.parts[0].sql()})"
        return "(" + f" {self.op.upper()} ".join(f"({part.sql()})" for part in self.parts) + ")"

    def key(self) -> str:
        return f"{self.op}({';'.join(part.key() for part in self.parts)})"


class Node:
    """A household-level number."""

    def polars(self, aggregates: Aggregates) -> pl.Expr:
        raise NotImplementedError

    def sql(self, aggregates: Aggregates) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Constant(Node):
    value: float

    def polars(self, aggregates: Aggregates) -> pl.Expr:
        return pl.lit(self.value, dtype=pl.Float64)

    def sql(self, aggregates: Aggregates) -> str:
        return sql_number(self.value)


@dataclass(frozen=True)
class HouseholdColumn(Node):
    name: str

    def polars(self, aggregates: Aggregates) -> pl.Expr:
        return pl.col(self.name).cast(pl.Float64)

    def sql(self, aggregates: Aggregates) -> str:
        return f"CAST(h.{self.name} AS DOUBLE)"


@dataclass(frozen=True)
class HouseholdIn(Node):
    name: str
    values: tuple[str, ...]

    def polars(self, aggregates: Aggregates) -> pl.Expr:
        return pl.col(self.name).is_in(list(self.values)).cast(pl.Float64)

    def sql(self, aggregates: Aggregates) -> str:
        return f"CASE WHEN h.{self.name} IN ({_sql_list(self.values)}) THEN 1.0e0 ELSE 0.0e0 END"


def _sql_flag(node: MemberNode) -> str:
    return f"CASE WHEN {node.sql()} THEN 1 ELSE 0 END"


@dataclass(frozen=True)
class Count(Node):
    where: MemberNode

    def _name(self, aggregates: Aggregates) -> str:
        return aggregates.add(f"count[{self.where.key()}]", self.where.polars(), _sql_flag(self.where), count=True)

    def polars(self, aggregates: Aggregates) -> pl.Expr:
        return pl.col(self._name(aggregates)).cast(pl.Float64)

    def sql(self, aggregates: Aggregates) -> str:
        return f"CAST(a.{self._name(aggregates)} AS DOUBLE)"


@dataclass(frozen=True)
class Share(Node):
    where: MemberNode
    among: MemberNode

    def _names(self, aggregates: Aggregates) -> tuple[str, str]:
        both = MemberLogic("and", (self.where, self.among))
        numerator = aggregates.add(f"count[{both.key()}]", both.polars(), _sql_flag(both), count=True)
        denominator = aggregates.add(f"count[{self.among.key()}]", self.among.polars(), _sql_flag(self.among),
                                     count=True)
        return numerator, denominator

    def polars(self, aggregates: Aggregates) -> pl.Expr:
        numerator, denominator = self._names(aggregates)
        return (
            pl.when(pl.col(denominator) > 0)
            .then(pl.col(numerator).cast(pl.Float64) / pl.col(denominator).cast(pl.Float64))
            .otherwise(0.0)
        )

    def sql(self, aggregates: Aggregates) -> str:
        numerator, denominator = self._names(aggregates)
        return (f"CASE WHEN a.{denominator} > 0 THEN CAST(a.{numerator} AS DOUBLE) / CAST(a.{denominator} AS DOUBLE)"
                " ELSE 0.0e0 END")


@dataclass(frozen=True)
class Head(Node):
    value: MemberNode

    def _name(self, aggregates: Aggregates) -> str:
        head = MemberIn("relation", ("head",))
        value = _sql_flag(self.value) if self.value.boolean else f"CAST({self.value.sql()} AS DOUBLE)"
        return aggregates.add(f"head[{self.value.key()}]", self.value.polars().cast(pl.Float64),
                              f"CASE WHEN {head.sql()} THEN {value} ELSE 0 END", head=True)

    def polars(self, aggregates: Aggregates) -> pl.Expr:
        return pl.col(self._name(aggregates)).cast(pl.Float64)

    def sql(self, aggregates: Aggregates) -> str:
        return f"CAST(a.{self._name(aggregates)} AS DOUBLE)"


@dataclass(frozen=True)
class Arithmetic(Node):
    op: str  # add, mul, sub, div, pow, ln1p
    parts: tuple[Node, ...]
    exponent: float = 1.0

    def polars(self, aggregates: Aggregates) -> pl.Expr:
        exprs = [part.polars(aggregates) for part in self.parts]
        if self.op == "add":
            return pl.sum_horizontal(exprs)
        if self.op == "mul":
            product = exprs[0]
            for expr in exprs[1:]:
                product = product * expr
            return product
        if self.op == "sub":
            return exprs[0] - exprs[1]
        if self.op == "div":
            return pl.when(exprs[1] != 0).then(exprs[0] / exprs[1]).otherwise(0.0)
        if self.op == "pow":
            return exprs[0].pow(self.exponent)
        return exprs[0].log1p()

    def sql(self, aggregates: Aggregates) -> str:
        parts = [part.sql(aggregates) for part in self.parts]
        if self.op in ("add", "mul"):
            return "(" + (" + " if self.op == "add" else " * ").join(parts) + ")"
        if self.op == "sub":
            return f"({parts[0]} - {parts[1]})"
        if self.op == "div":
            return f"CASE WHEN {parts[1]} <> 0 THEN {parts[0]} / {parts[1]} ELSE 0.0e0 END"
        if self.op == "pow":
            return f"POWER({parts[0]}, {sql_number(self.exponent)})"
        return f"LN(1.0e0 + {parts[0]})"


class _Parser:
    """JSON expression → nodes, with a precise location for every mistake."""

    def __init__(self, source: str, defined: Mapping[str, Node]):
        self.source = source
        self.defined = defined

    def fail(self, path: str, message: str, **params: Any) -> ModelFileError:
        return ModelFileError(message, where=f"{self.source}: {path}", **params)

    def _single(self, obj: Any, path: str, keys: Iterable[str]) -> tuple[str, Any]:
        if not isinstance(obj, dict) or len(obj) != 1 or next(iter(obj)) not in keys:
            raise self.fail(path, N_("Expected one of these operations: %(expected)s."),
                            expected=", ".join(sorted(keys)))
        key = next(iter(obj))
        return key, obj[key]

    def _number(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(path, N_("Expected a number."))
        return float(value)

    def _field(self, name: Any, path: str, fields: Mapping[str, data.Column], kinds: Iterable[str]) -> data.Column:
        column = fields.get(name) if isinstance(name, str) else None
        if column is None:
            raise self.fail(path, N_("Unknown column “%(name)s”; expected one of: %(expected)s."), name=str(name),
                            expected=", ".join(name for name, c in fields.items() if c.kind in kinds))
        if column.kind not in kinds:
            raise self.fail(path, N_("The column “%(name)s” cannot be used here."), name=name)
        return column

    def _in(self, args: Any, path: str, fields: Mapping[str, data.Column]) -> tuple[str, tuple[str, ...]]:
        if not (isinstance(args, list) and len(args) == 2 and isinstance(args[1], list) and args[1]):
            raise self.fail(path, N_("Expected [column, [value, …]]."))
        column = self._field(args[0], path, fields, ("enum",))
        for value in args[1]:
            if value not in column.values:
                raise self.fail(path, N_("Unknown value “%(value)s”; expected one of: %(expected)s."),
                                value=str(value), expected=", ".join(column.values))
        return column.name, tuple(args[1])

    def member(self, obj: Any, path: str) -> MemberNode:
        if obj is True:
            return MemberTrue()
        ops = ("col", "is", "ge", "gt", "le", "lt", "between", "and", "or", "not")
        op, args = self._single(obj, path, ops)
        where = f"{path}.{op}"
        fields = data.MEMBER_FIELDS
        if op == "col":
            column = self._field(args, where, fields, ("bool", "count"))
            return MemberColumn(column.name, boolean=column.kind == "bool")
        if op == "is":
            return MemberIn(*self._in(args, where, fields))
        if op in _COMPARE:
            if not (isinstance(args, list) and len(args) == 2):
                raise self.fail(where, N_("Expected [column, number]."))
            return MemberCompare(op, self._field(args[0], where, fields, ("count",)).name, self._number(args[1], where))
        if op == "between":
            if not (isinstance(args, list) and len(args) == 3):
                raise self.fail(where, N_("Expected [column, lowest, highest]."))
            return MemberBetween(self._field(args[0], where, fields, ("count",)).name, self._number(args[1], where),
                                 self._number(args[2], where))
        parts = [args] if op == "not" else args
        if not isinstance(parts, list) or not parts:
            raise self.fail(where, N_("Expected a list of conditions."))
        nodes = tuple(self.member(part, f"{where}[{i}]") for i, part in enumerate(parts))
        if not all(node.boolean for node in nodes):
            raise self.fail(where, N_("Expected a condition (true or false), not a number."))
        return MemberLogic(op, nodes)

    def condition(self, obj: Any, path: str) -> MemberNode:
        node = self.member(obj, path)
        if not node.boolean:
            raise self.fail(path, N_("Expected a condition (true or false), not a number."))
        return node

    def household(self, obj: Any, path: str) -> Node:
        if not isinstance(obj, bool) and isinstance(obj, int | float):
            return Constant(self._number(obj, path))
        if isinstance(obj, dict) and set(obj) == {"share", "among"}:
            return Share(self.condition(obj["share"], f"{path}.share"), self.condition(obj["among"], f"{path}.among"))
        ops = ("col", "is", "count", "head", "var", "add", "mul", "sub", "div", "pow", "ln1p")
        op, args = self._single(obj, path, (*ops, "share"))
        where = f"{path}.{op}"
        if op == "share":
            raise self.fail(path, N_("“share” needs “among”: {\"share\": …, \"among\": …}."))
        if op == "col":
            return HouseholdColumn(self._field(args, where, data.HOUSEHOLD_FIELDS, ("bool", "count", "amount")).name)
        if op == "is":
            return HouseholdIn(*self._in(args, where, data.HOUSEHOLD_FIELDS))
        if op == "count":
            return Count(self.condition(args, where))
        if op == "head":
            return Head(self.member(args, where))
        if op == "var":
            if args not in self.defined:
                raise self.fail(where, N_("“%(name)s” is not a variable defined earlier in the list."), name=str(args))
            return self.defined[args]
        if op == "ln1p":
            return Arithmetic(op, (self.household(args, where),))
        if op == "pow":
            if not (isinstance(args, list) and len(args) == 2):
                raise self.fail(where, N_("Expected [expression, number]."))
            return Arithmetic(op, (self.household(args[0], f"{where}[0]"),), exponent=self._number(args[1], where))
        count = 2 if op in ("sub", "div") else None
        if not isinstance(args, list) or len(args) < 2 or (count is not None and len(args) != count):
            raise self.fail(where, N_("Expected a list of %(count)s expressions."), count=count or "2+")
        return Arithmetic(op, tuple(self.household(arg, f"{where}[{i}]") for i, arg in enumerate(args)))


# --- the model file ------------------------------------------------------------------------------------------------


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
        expr = _Parser(source, defined).household(item["expr"], f"{where}.expr")
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


def _significant(value: float, digits: int = 10) -> float:
    return float(f"{value:.{digits}g}")


def version_to_json(version: ModelVersion) -> dict[str, Any]:
    milieux: dict[str, Any] = {}
    for milieu, part in version.milieux.items():
        entry: dict[str, Any] = {
            "constant": _significant(part.constant),
            "coefficients": {name: _significant(value) for name, value in part.coefficients.items()},
            "region_effects": {name: _significant(value) for name, value in part.region_effects.items()},
        }
        if part.means:
            entry["means"] = {name: _significant(value, 8) for name, value in part.means.items()}
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


# --- scoring -------------------------------------------------------------------------------------------------------


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
    """Check and score households given as plain tables (the import format of `majal.registry.data`)."""
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


# --- fitting -------------------------------------------------------------------------------------------------------


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
            "standard_errors": {name: _significant(value, 4) for name, value in standard_errors.items()},
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
