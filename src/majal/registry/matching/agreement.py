"""Which comparisons of two person records agreed, in the words of the matching model's levels (pure, no I/O).

The review page shows a social worker why a pair was put in front of them: the same levels as `dedup`'s
Fellegi–Sunter comparisons (names by their Moroccan name keys in either order, birth date with its usual errors, sex,
commune by its name key, national identifier), one plain-words label each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from majal.kit.i18n import N_
from majal.registry.matching.names import name_key

FIELD_LABELS = {
    "name": N_("Names"),
    "birth_date": N_("Birth date"),
    "sex": N_("Sex"),
    "commune": N_("Commune"),
    "national_id": N_("National identifier"),
}
LEVEL_LABELS = {
    "same_keys": N_("the same name keys, in either order"),
    "one_same_other_close": N_("one name key the same, the other one letter apart"),
    "same_family": N_("the same family name key only"),
    "same_given": N_("the same given name key only"),
    "both_close": N_("both name keys one letter apart"),
    "same": N_("the same"),
    "one_typo": N_("one character apart (a typing error?)"),
    "swapped": N_("day and month swapped"),
    "same_year": N_("the same year only"),
    "year_apart": N_("a year apart"),
    "different": N_("different"),
    "missing": N_("missing on one side: says nothing"),
}
AGREES = frozenset({"same_keys", "one_same_other_close", "same", "one_typo", "swapped"})
PARTLY = frozenset({"same_family", "same_given", "both_close", "same_year", "year_apart", "missing"})


@dataclass(frozen=True)
class Record:
    first_name: str
    last_name: str
    birth_date: date | None
    sex: str | None
    commune: str
    idcs_digest: str | None = None
    cnie_digest: str | None = None


@dataclass(frozen=True)
class Agreement:
    field: str
    level: str

    @property
    def tone(self) -> str:
        """agrees, partly (weak or no evidence) or disagrees: how the page marks it."""
        return "agrees" if self.level in AGREES else "partly" if self.level in PARTLY else "disagrees"


def close(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or transposition apart (optimal string alignment ≤ 1)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        wrong = [i for i in range(len(a)) if a[i] != b[i]]
        return len(wrong) == 1 or (len(wrong) == 2 and wrong[1] == wrong[0] + 1
                                   and a[wrong[0]] == b[wrong[1]] and a[wrong[1]] == b[wrong[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _names(left: Record, right: Record) -> str:
    lf, ll = name_key(left.first_name), name_key(left.last_name)
    rf, rl = name_key(right.first_name), name_key(right.last_name)
    if not (lf or ll) or not (rf or rl):
        return "missing"
    if sorted((lf, ll)) == sorted((rf, rl)):
        return "same_keys"
    if (lf == rf and close(ll, rl)) or (ll == rl and close(lf, rf)) or (lf == rl and close(ll, rf)) or (
            ll == rf and close(lf, rl)):
        return "one_same_other_close"
    if ll and ll == rl:
        return "same_family"
    if lf and lf == rf:
        return "same_given"
    if close(lf, rf) and close(ll, rl):
        return "both_close"
    return "different"


def _dates(left: date | None, right: date | None) -> str:
    if left is None or right is None:
        return "missing"
    if left == right:
        return "same"
    if left.year == right.year and left.month == right.day and left.day == right.month:
        return "swapped"
    if close(left.isoformat(), right.isoformat()):
        return "one_typo"
    if left.year == right.year:
        return "same_year"
    if abs(left.year - right.year) <= 1:
        return "year_apart"
    return "different"


def _equal(left: str | None, right: str | None) -> str:
    if not left or not right:
        return "missing"
    return "same" if left == right else "different"


def _identifiers(left: Record, right: Record) -> str:
    for a, b in ((left.idcs_digest, right.idcs_digest), (left.cnie_digest, right.cnie_digest)):
        if a and b:
            return "same" if a == b else "different"
    return "missing"


def compare(left: Record, right: Record) -> list[Agreement]:
    """Each field's level, in the order the page shows them."""
    return [
        Agreement("name", _names(left, right)),
        Agreement("birth_date", _dates(left.birth_date, right.birth_date)),
        Agreement("sex", _equal(left.sex, right.sex)),
        Agreement("commune", _equal(name_key(left.commune) or None, name_key(right.commune) or None)),
        Agreement("national_id", _identifiers(left, right)),
    ]
