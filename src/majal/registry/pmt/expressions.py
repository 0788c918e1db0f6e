"""The expression language of the model file: a variable's derivation as a tree of nodes, compiled to Polars and to
SQL alike.

A household-level `Node` is a number (a constant, a household column, a count, share or head value over its members,
arithmetic); a `MemberNode` is a condition or a number for each member. The member sums a model needs are collected
in `Aggregates`, shared between the variables that use them, so each is computed once per household. `polars()`
gives the expression the scorer evaluates (`majal.registry.pmt.scoring`), `sql()` the same expression for Spark SQL
and DuckDB (`majal.registry.pmt.sql`): the formula runs unchanged on one machine or on a Spark cluster. The JSON
syntax of the nodes is `majal.registry.pmt.derivations`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polars as pl


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


COMPARISONS: dict[str, tuple[str, Callable[[pl.Expr, float], pl.Expr]]] = {
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
        return COMPARISONS[self.op][1](pl.col(self.name), self.value)

    def sql(self) -> str:
        return f"m.{self.name} {COMPARISONS[self.op][0]} {sql_number(self.value)}"

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

