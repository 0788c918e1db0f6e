"""What a social worker sees: the review queue and a pair side by side, with both records, their name keys and
which comparisons agreed; every read of it is audit-logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from majal.kit import audit
from majal.kit.errors import MajalError, NotFound
from majal.kit.i18n import N_
from majal.kit.security import StaffMember
from majal.registry.matching import agreement, repository
from majal.registry.matching.models import ListPerson, MatchPair, MatchRun, Merge, PersonList
from majal.registry.matching.names import name_key
from majal.registry.matching.service.access import pair_for, scope
from majal.registry.models import Household, Member

QUEUE_PAGE = 100
STATUSES = ("review", "linked", "same", "different")
REASONS = ("match", "uncertain_pair", "conflicting_ids", "two_households")
REASON_LABELS = {
    "match": N_("linked by the run"),
    "uncertain_pair": N_("uncertain: between the thresholds"),
    "conflicting_ids": N_("alike, but two different identifiers"),
    "two_households": N_("one person in two households"),
}
STATUS_LABELS = {
    "review": N_("to review"),
    "linked": N_("linked"),
    "same": N_("decided: same person"),
    "different": N_("decided: different people"),
}


@dataclass(frozen=True)
class Side:
    kind: str  # member | person
    id: int
    names: list[tuple[str, str, str]]  # (script label, "first last" as written, its name key)
    full_key: str
    birth_date: date | None
    sex: str | None
    commune: str
    household_id: int | None
    tracking_code: str | None
    list_name: str | None
    external_id: str | None
    merged_into: str | None  # "member 12" / "person 40": where this list person stands now
    record: agreement.Record


@dataclass(frozen=True)
class PairRow:
    pair: MatchPair
    left: Side
    right: Side


@dataclass(frozen=True)
class Queue:
    rows: list[PairRow]
    total: int
    lists: list[PersonList]


def pair_rows(db: Session, pairs: list[MatchPair]) -> list[PairRow]:
    person_ids = [i for p in pairs for i in (p.left_person_id, p.right_person_id) if i is not None]
    member_ids = [i for p in pairs for i in (p.left_member_id, p.right_member_id) if i is not None]
    persons = repository.list_persons(db, person_ids)
    members = repository.members_with_households(db, member_ids)
    lists = repository.person_lists_by_id(db, {p.list_id for p in persons.values()})

    def side(person_id: int | None, member_id: int | None) -> Side:
        if person_id is not None and person_id in persons:
            return _person_side(persons[person_id], lists.get(persons[person_id].list_id))
        if member_id not in members:
            raise NotFound(N_("A record of this pair no longer exists."))
        return _member_side(*members[member_id])

    return [PairRow(p, side(p.left_person_id, p.left_member_id), side(p.right_person_id, p.right_member_id))
            for p in pairs]


def _keyed(label: str, first: str, last: str) -> tuple[str, str, str]:
    written = f"{first} {last}".strip()
    return label, written, " ".join(key for key in (name_key(first), name_key(last)) if key)


def _person_side(person: ListPerson, found: PersonList | None) -> Side:
    merged = (f"member {person.merged_into_member_id}" if person.merged_into_member_id is not None
              else f"person {person.merged_into_person_id}" if person.merged_into_person_id is not None else None)
    return Side("person", person.id, [_keyed("list", person.first_name, person.last_name)],
                _full_key(person.first_name, person.last_name), person.birth_date, person.sex, person.commune, None,
                None, found.name if found else None, person.external_id, merged,
                agreement.Record(person.first_name, person.last_name, person.birth_date, person.sex, person.commune,
                                 person.idcs_digest, person.cnie_digest))


def _member_side(member: Member, household: Household) -> Side:
    names = [_keyed(script, first, last) for script, first, last in (
        ("arabic", member.first_name_ar, member.last_name_ar),
        ("latin", member.first_name_latin, member.last_name_latin)) if first or last]
    first = member.first_name_latin or member.first_name_ar
    last = member.last_name_latin or member.last_name_ar
    return Side("member", member.id, names, _full_key(first, last), member.birth_date, member.sex,
                household.commune or "", household.id, household.tracking_code, None, None, None,
                agreement.Record(first, last, member.birth_date, member.sex, household.commune or "",
                                 member.idcs_digest, member.cnie_digest))


def _full_key(first: str, last: str) -> str:
    return " ".join(sorted(key for key in (name_key(first), name_key(last)) if key))


def queue(db: Session, user: StaffMember, *, status: str | None = "review", reason: str | None = None,
          list_id: int | None = None, min_probability: float | None = None, offset: int = 0,
          limit: int = QUEUE_PAGE, ip: str | None = None) -> Queue:
    """The pairs the user may see, most probable first, with both records; the read is audit-logged."""
    commune = scope(user)
    if status is not None and status not in STATUSES:
        raise MajalError(N_("Unknown value “%(value)s”; expected one of: %(expected)s."), where="status",
                         value=status[:20], expected=", ".join(STATUSES))
    if reason is not None and reason not in REASONS:
        raise MajalError(N_("Unknown value “%(value)s”; expected one of: %(expected)s."), where="reason",
                         value=reason[:20], expected=", ".join(REASONS))
    pairs, total = repository.match_pairs(db, commune, status=status, reason=reason, list_id=list_id,
                                          min_probability=min_probability, limit=limit, offset=offset)
    rows = pair_rows(db, pairs)
    audit.record(db, user.username, "registry.matching.queue.read", "match_pair", None,
                 {"pairs": [p.id for p in pairs][:QUEUE_PAGE], "status": status, "reason": reason}, ip=ip)
    return Queue(rows, total, repository.person_lists(db, commune))


@dataclass(frozen=True)
class PairView:
    row: PairRow
    agreements: list[agreement.Agreement]
    merges: list[Merge]


def pair_view(db: Session, user: StaffMember, pair_id: int, ip: str | None = None) -> PairView:
    """Both records side by side with their name keys and which comparisons agreed; the read is audit-logged."""
    pair = pair_for(db, user, pair_id)
    row = pair_rows(db, [pair])[0]
    audit.record(db, user.username, "registry.matching.pair.read", "match_pair", pair.id, ip=ip)
    return PairView(row, agreement.compare(row.left.record, row.right.record), repository.merges_of_pair(db, pair.id))


def runs(db: Session, user: StaffMember) -> list[MatchRun]:
    return repository.match_runs(db, scope(user))
