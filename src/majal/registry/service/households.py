"""One household as the registry's staff see it, and the lists of households to verify."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from majal.kit import audit
from majal.kit.audit import utcnow
from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.kit.security import Role, StaffMember
from majal.registry import repository
from majal.registry.models import FieldChange, Household, Member, Review, Score
from majal.registry.pmt import programmes
from majal.registry.pmt.programmes import AsdBreakdown
from majal.registry.service.access import check_registry_staff, household_for
from majal.registry.service.identifiers import CNIE_PURPOSE, IDCS_PURPOSE, unseal
from majal.registry.service.reasons import READ_REASON_LIMIT, reason_problem
from majal.registry.service.scores import population_of

VERIFY_EVERY = timedelta(days=365)


@dataclass(frozen=True)
class MemberView:
    id: int
    position: int
    idcs: str | None
    cnie: str | None
    names_ar: str
    names_latin: str
    sex: str
    birth_date: date
    age: int
    relation: str
    education: str
    diploma: bool
    schooling: str
    occupation: str
    disability: bool
    marital_status: str
    pension: bool


@dataclass(frozen=True)
class ProgrammeView:
    programme: str
    eligible: bool
    rule: str
    comparator: str
    threshold: float
    monthly_amount: float
    birth_grant: float
    margin: float  # threshold − score: how far below (positive) or above (negative) the threshold the score is


@dataclass(frozen=True)
class HouseholdView:
    household: Household
    members: list[MemberView]
    computed: Score | None
    corrected: Score | None
    in_force: Score | None
    eligibility: list[ProgrammeView]
    asd: AsdBreakdown | None
    reviews: list[Review]
    changes: list[FieldChange]
    verification_due: datetime
    overdue: bool
    scores: list[Score] = field(default_factory=list)


def household_view(db: Session, user: StaffMember, household_id: int, *, secret: str, reason: str,
                   identifiers: bool = True, ip: str | None = None) -> HouseholdView:
    """A household as a social worker sees it (with its members' identifiers opened when `identifiers`); the read
    is audit-logged with its reason."""
    found = household_for(db, user, household_id)
    reason = reason.strip()
    problem = reason_problem(reason, READ_REASON_LIMIT,
                              N_("Say why you need the identifiers: the access is recorded."))
    if problem is not None and (identifiers or reason):
        raise problem
    audit.record(db, user.username, "registry.household.read", "household", found.id,
                 {"reason": reason, "identifiers": identifiers}, ip=ip)
    return view_of(db, found, secret=secret, identifiers=identifiers)


def view_of(db: Session, found: Household, *, secret: str, identifiers: bool) -> HouseholdView:
    today = date.today()
    members = [_member_view(member, today, secret if identifiers else None) for member in found.members]
    latest = repository.latest_scores(db, found.id)
    computed, corrected = latest.get("computed"), latest.get("corrected")
    in_force = max((s for s in (computed, corrected) if s is not None), key=lambda s: s.id, default=None)
    views = [] if in_force is None else [
        ProgrammeView(d.programme, d.eligible, d.rule, d.comparator, d.threshold, d.monthly_amount, d.birth_grant,
                      d.threshold - in_force.score) for d in in_force.decisions]
    asd = _asd_breakdown(db, found.id, in_force)
    verified = found.verified_at if found.verified_at.tzinfo else found.verified_at.replace(tzinfo=UTC)
    due = verified + VERIFY_EVERY
    return HouseholdView(found, members, computed, corrected, in_force, views, asd, repository.reviews(db, found.id),
                         repository.changes(db, found.id), due, due <= utcnow(),
                         repository.score_history(db, found.id))


def _member_view(member: Member, today: date, secret: str | None) -> MemberView:
    age = today.year - member.birth_date.year - ((today.month, today.day) < (member.birth_date.month,
                                                                             member.birth_date.day))
    return MemberView(
        member.id, member.position,
        unseal(secret, IDCS_PURPOSE, member.idcs_sealed) if secret else None,
        unseal(secret, CNIE_PURPOSE, member.cnie_sealed) if secret else None,
        f"{member.first_name_ar} {member.last_name_ar}".strip(),
        f"{member.first_name_latin} {member.last_name_latin}".strip(),
        member.sex, member.birth_date, age, member.relation, member.education, member.diploma, member.schooling,
        member.occupation, member.disability, member.marital_status, member.pension)


def _asd_breakdown(db: Session, household_id: int, in_force: Score | None) -> AsdBreakdown | None:
    """How the ASD amount of the score in force is made, line by line (the calculator's own breakdown)."""
    if in_force is None:
        return None
    asd = next((d for d in in_force.decisions if d.programme == "asd"), None)
    if asd is None:
        return None
    try:
        population = population_of(db, [household_id], as_of=in_force.as_of)
        table = programmes.default_rules().table_at(in_force.as_of)
    except MajalError:
        return None
    return programmes.breakdown(population, household_id, table, eligible=asd.eligible)


@dataclass(frozen=True)
class DueList:
    rows: list[tuple[int, str | None, datetime]]
    total: int


def due_for_verification(db: Session, user: StaffMember, limit: int = 50) -> DueList:
    """Households of the worker's commune not verified for a year, oldest first."""
    check_registry_staff(user)
    commune = None if user.role == Role.admin else user.commune_code or ""
    rows, total = repository.due_for_verification(db, commune, utcnow() - VERIFY_EVERY, limit)
    return DueList(rows, total)


def household_count(db: Session, commune: str | None = None) -> int:
    return repository.household_count(db, commune)
