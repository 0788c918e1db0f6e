"""Variable derivations: the JSON expressions of a model file read into `expressions` nodes, with a precise location
for every mistake.

Derivations (`expr`) are small JSON expressions over one household's columns and its members' columns
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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.registry.pmt import data
from majal.registry.pmt.expressions import (
    COMPARISONS,
    Arithmetic,
    Constant,
    Count,
    Head,
    HouseholdColumn,
    HouseholdIn,
    MemberBetween,
    MemberColumn,
    MemberCompare,
    MemberIn,
    MemberLogic,
    MemberNode,
    MemberTrue,
    Node,
    Share,
)


class ModelFileError(MajalError):
    """A model file that cannot be used; `where` is `file: path.in.the.json`. Defined here, where the most of a file is
    checked (its derivations); `model_file` raises it for the rest."""

    code = "invalid_model"


class Parser:
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
        if op in COMPARISONS:
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

