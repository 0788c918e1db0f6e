"""Corrections of a household's data, each kept in its history with who, when, old and new value and why, and the
yearly re-verification; both rescore the household."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from majal.kit import audit
from majal.kit.audit import utcnow
from majal.kit.errors import Forbidden, MajalError, NotFound
from majal.kit.i18n import N_, gettext
from majal.kit.security import Role, StaffMember
from majal.registry import labels, repository
from majal.registry.models import FieldChange, Household, Member, Score
from majal.registry.pmt import data
from majal.registry.service.access import household_for
from majal.registry.service.reasons import CONTROL_CHARACTERS, CORRECTION_REASON_LIMIT, reason_problem
from majal.registry.service.reviews import open_review_of
from majal.registry.service.scores import rescore

CORRECTORS = frozenset({Role.social_worker, Role.admin})
MOVERS = frozenset({Role.programme_officer, Role.admin})


@dataclass(frozen=True)
class FieldRule:
    """A field of a household or a member that can be changed after registration: its format, the roles that may
    change it and whether it decides who may see the household. Such a field is never corrected: it has its own
    action (the commune: `move_household`), with a reason, in the history of every commune it concerns."""

    column: data.Column
    roles: frozenset[Role] = CORRECTORS
    decides_access: bool = False


def _text_rule(name: str) -> FieldRule:
    return FieldRule(data.Column(name, "text", required=False))


# Household fields: the import format's, plus the address. The commune decides which social workers see the
# household (`check_household_access`); nothing else does (the district, region and milieu only weigh in the score).
HOUSEHOLD_FIELDS: dict[str, FieldRule] = {
    c.name: FieldRule(c, MOVERS, decides_access=True) if c.name == "commune" else FieldRule(c)
    for c in data.HOUSEHOLD_COLUMNS if c.name != "household_id"} | {"address": _text_rule("address")}
MEMBER_FIELDS: dict[str, FieldRule] = {
    c.name: FieldRule(c) for c in data.MEMBER_COLUMNS if c.name not in ("household_id", "idcs")} | {
    name: _text_rule(name) for name in ("first_name_ar", "last_name_ar", "first_name_latin", "last_name_latin")}
ACCESS_FIELDS = frozenset(name for name, rule in HOUSEHOLD_FIELDS.items() if rule.decides_access)


def correctable_fields(user: StaffMember) -> tuple[list[str], list[str]]:
    """The household and member fields `user` may change with a correction (not those with their own action)."""
    def allowed(rules: dict[str, FieldRule]) -> list[str]:
        return [name for name, rule in rules.items() if user.role in rule.roles and not rule.decides_access]

    return allowed(HOUSEHOLD_FIELDS), allowed(MEMBER_FIELDS)


def _check_may_correct(user: StaffMember, name: str, rule: FieldRule) -> None:
    """403 for a role the field does not give to; a field that decides access is changed by its own action only."""
    label = labels.field_label(name)
    if user.role not in rule.roles:
        if rule.decides_access:
            raise Forbidden(N_("%(field)s decides who may see the household: only a programme officer changes it, "
                               "by moving the household, with a reason."), where="field", field=label)
        raise Forbidden(N_("Your role may not change the field %(field)s."), where="field", field=label)
    if rule.decides_access:
        raise MajalError(N_("%(field)s decides who may see the household: move the household instead, with a "
                            "reason."), where="field", field=label)


class InvalidFields(MajalError):
    """Several fields of a form refused at once, each with its own message (shown together, each at its field)."""

    def __init__(self, problems: list[MajalError]):
        first = problems[0]
        super().__init__(first.message, where=first.where, **first.params)
        self.problems = problems

    def translated(self) -> str:
        return " ".join(problem.translated() for problem in self.problems)


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:400]


def _convert(column: data.Column, value: str) -> Any:
    frame = data.coerce(pl.DataFrame({column.name: [value]}, schema={column.name: pl.String}), [column], "value")
    converted = frame.get_column(column.name)[0]
    if column.kind == "text":
        converted = (converted or "").strip()
        limit = 400 if column.name == "address" else 100
        if len(converted) > limit:
            raise MajalError(N_("Must be at most %(limit)s characters long."), where=column.name, limit=limit)
        if CONTROL_CHARACTERS.search(converted):
            raise MajalError(N_("The value contains characters that cannot be stored (control characters)."),
                             where=column.name)
    if column.kind == "date" and converted is not None and converted > date.today():
        raise MajalError(N_("The birth date %(value)s is after the reference date %(as_of)s."), where=column.name,
                         value=converted.isoformat(), as_of=date.today().isoformat())
    return converted


def correct(db: Session, user: StaffMember, household_id: int, *, field_name: str, value: str, reason: str,
            member_id: int | None = None, review_id: int | None = None, ip: str | None = None) -> Score:
    """Change one field of a household or of one of its members, keep the change in the history, and rescore the
    household (a `corrected` score beside the computed one). Refused whole if the household would no longer be valid
    (for example no head)."""
    found = household_for(db, user, household_id)
    rule = (HOUSEHOLD_FIELDS if member_id is None else MEMBER_FIELDS).get(field_name)
    if rule is None:
        raise MajalError(N_("This field cannot be corrected."), where="field")
    _check_may_correct(user, field_name, rule)
    reason = reason.strip()
    problem = reason_problem(reason, CORRECTION_REASON_LIMIT, N_("Say why the data is corrected."))
    if problem is not None:
        raise problem
    review = open_review_of(db, found, review_id) if review_id is not None else None
    target: Household | Member = found
    if member_id is not None:
        member = next((m for m in found.members if m.id == member_id), None)
        if member is None:
            raise NotFound(N_("This person is not a member of this household."), where="member_id")
        target = member
    new = _convert(rule.column, value)
    old = getattr(target, field_name)
    if _shown(old) == _shown(new):
        raise MajalError(N_("The new value is the same as the old one."), where="value")
    setattr(target, field_name, new)
    db.add(FieldChange(household_id=found.id, member_id=member_id, review_id=review.id if review else None,
                       field=field_name, old_value=_shown(old), new_value=_shown(new), actor=user.username,
                       reason=reason[:2000]))
    db.flush()
    audit.record(db, user.username, "registry.household.correct", "household", found.id,
                 {"field": field_name, "member_id": member_id, "review_id": review_id}, ip=ip)
    rescore(db, [found.id], kind="corrected", actor=user.username, review_id=review.id if review else None)
    latest = repository.latest_scores(db, found.id)["corrected"]
    return latest


def latest_change(db: Session, household_id: int) -> FieldChange:
    """The household's last history entry (the correction just made)."""
    return repository.changes(db, household_id)[0]


def verify(db: Session, user: StaffMember, household_id: int, note: str = "", ip: str | None = None) -> Household:
    """The yearly re-verification: the data was checked with the household; its score is computed again today."""
    found = household_for(db, user, household_id)
    now = utcnow()
    db.add(FieldChange(household_id=found.id, field="verified_at", old_value=_shown(found.verified_at),
                       new_value=_shown(now), actor=user.username,
                       reason=note.strip()[:2000] or gettext(N_("Yearly verification"))))
    found.verified_at = now
    db.flush()
    audit.record(db, user.username, "registry.household.verify", "household", found.id, ip=ip)
    rescore(db, [found.id], kind="computed", actor=user.username)
    return found
