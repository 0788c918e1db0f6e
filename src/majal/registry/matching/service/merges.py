"""Merging and undoing: a list person merged into its survivor with both records kept as they were, a social
worker's decision on a pair, and an undo that restores both records exactly."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from majal.kit import audit
from majal.kit.audit import utcnow
from majal.kit.errors import Conflict, MajalError, NotFound
from majal.kit.i18n import N_
from majal.kit.security import StaffMember
from majal.kit.validation import MAX_ROW_ID
from majal.registry.matching import repository
from majal.registry.matching.models import ListPerson, MatchPair, Merge
from majal.registry.matching.service.access import check_commune, pair_for, scope
from majal.registry.models import Member

DECISIONS = ("same", "different")
SNAPSHOT_FIELDS = ("birth_date", "sex", "national_id_sealed", "idcs_digest", "cnie_digest", "merged_into_member_id",
                   "merged_into_person_id")
FILLED_FIELDS = ("birth_date", "sex", "national_id_sealed", "idcs_digest", "cnie_digest")


def _root(db: Session, person: ListPerson) -> ListPerson | Member:
    """The survivor a list person stands for now: follow its merges to the end."""
    seen: set[int] = set()
    current: ListPerson | Member = person
    while isinstance(current, ListPerson) and current.id not in seen:
        seen.add(current.id)
        if current.merged_into_member_id is not None:
            member = db.get(Member, current.merged_into_member_id)
            return member if member is not None else current
        if current.merged_into_person_id is None:
            return current
        following = db.get(ListPerson, current.merged_into_person_id)
        if following is None:
            return current
        current = following
    return current


def _side(db: Session, person_id: int | None, member_id: int | None) -> ListPerson | Member:
    found = db.get(ListPerson, person_id) if person_id is not None else db.get(Member, member_id)
    if found is None:
        raise NotFound(N_("A record of this pair no longer exists."))
    return found


def snapshot(person: ListPerson) -> dict[str, Any]:
    values = {name: getattr(person, name) for name in SNAPSHOT_FIELDS}
    values["birth_date"] = person.birth_date.isoformat() if person.birth_date else None
    return {"id": person.id, **values}


def _restore(person: ListPerson, snapshot: dict[str, Any]) -> None:
    for name in SNAPSHOT_FIELDS:
        value = snapshot.get(name)
        if name == "birth_date" and value is not None:
            value = date.fromisoformat(value)
        setattr(person, name, value)


def merge_pair(db: Session, pair: MatchPair, actor: str, reason: str) -> Merge | None:
    """Merge the pair's list person into the survivor: the member, else the earlier list person. The survivor, when a
    list person, takes the fields it lacked. None when the two already stand for the same person, or for two
    registry members (two registrations of one person are corrected on the households, not merged here)."""
    roots = [_root(db, side) if isinstance(side, ListPerson) else side for side in (
        _side(db, pair.left_person_id, pair.left_member_id), _side(db, pair.right_person_id, pair.right_member_id))]
    if type(roots[0]) is type(roots[1]) and roots[0].id == roots[1].id:
        return None
    persons = sorted((root for root in roots if isinstance(root, ListPerson)), key=lambda p: p.id)
    if not persons:
        return None  # one person registered twice: the decision is recorded, the households are corrected by hand
    members = [root for root in roots if isinstance(root, Member)]
    merged = persons[-1]
    survivor: ListPerson | Member = members[0] if members else persons[0]
    before = {"person": snapshot(merged),
              "survivor": snapshot(survivor) if isinstance(survivor, ListPerson) else {"member": survivor.id}}
    if isinstance(survivor, Member):
        merged.merged_into_member_id = survivor.id
    else:
        merged.merged_into_person_id = survivor.id
        if survivor.idcs_digest is None and survivor.cnie_digest is None and merged.national_id_sealed:
            for name in ("national_id_sealed", "idcs_digest", "cnie_digest"):
                setattr(survivor, name, getattr(merged, name))
        survivor.birth_date = survivor.birth_date or merged.birth_date
        survivor.sex = survivor.sex or merged.sex
    found = Merge(pair_id=pair.id, person_id=merged.id,
                  into_person_id=survivor.id if isinstance(survivor, ListPerson) else None,
                  into_member_id=survivor.id if isinstance(survivor, Member) else None,
                  before=before, actor=actor, reason=reason[:2000])
    db.add(found)
    db.flush()
    audit.record(db, actor, "registry.matching.merge", "merge", found.id,
                 {"pair": pair.id, "person": merged.id, "into_person": found.into_person_id,
                  "into_member": found.into_member_id})
    return found


def decide(db: Session, user: StaffMember, pair_id: int, decision: str, reason: str,
           ip: str | None = None) -> MatchPair:
    """A social worker's decision on a pair waiting for review: the same person (merged) or different people."""
    pair = pair_for(db, user, pair_id)
    if decision not in DECISIONS:
        raise MajalError(N_("Unknown value “%(value)s”; expected one of: %(expected)s."), where="decision",
                         value=decision[:20], expected=", ".join(DECISIONS))
    reason = reason.strip()
    if not reason:
        raise MajalError(N_("Say why: the decision is recorded."), where="reason")
    if len(reason) > 2000:
        raise MajalError(N_("Must be at most %(limit)s characters long."), where="reason", limit=2000)
    if pair.status != "review":
        raise Conflict(N_("This pair is already decided (%(status)s): undo its merge first to decide again."),
                       where="decision", status=pair.status)
    if decision == "same" and (pair.left_person_id is not None or pair.right_person_id is not None):
        merge_pair(db, pair, user.username, reason)
    pair.status, pair.decided_by, pair.decided_at, pair.decision_reason = decision, user.username, utcnow(), reason
    audit.record(db, user.username, "registry.matching.decide", "match_pair", pair.id,
                 {"decision": decision, "reason": reason[:200]}, ip=ip)
    return pair


def undo_merge(db: Session, user: StaffMember, merge_id: int, reason: str, ip: str | None = None) -> Merge:
    """Restore both records of a merge exactly as they were; the merge stays in the history, marked undone, and its
    pair goes back to the review queue. Later merges of the same records must be undone first."""
    found = merge_for(db, user, merge_id)
    person = _side(db, found.person_id, None)
    assert isinstance(person, ListPerson)
    reason = reason.strip()
    if not reason:
        raise MajalError(N_("Say why: the decision is recorded."), where="reason")
    if found.undone_at is not None:
        raise Conflict(N_("This merge is already undone."))
    touched = [found.person_id] + ([found.into_person_id] if found.into_person_id is not None else [])
    later = repository.later_merges(db, found.id, touched)
    if later:
        raise Conflict(N_("A later merge (number %(merge)s) changed these records: undo it first."),
                       merge=later[0].id)
    _restore(person, found.before["person"])
    if found.into_person_id is not None:
        survivor = _side(db, found.into_person_id, None)
        assert isinstance(survivor, ListPerson)
        _restore(survivor, found.before["survivor"])
    found.undone_by, found.undone_at, found.undo_reason = user.username, utcnow(), reason[:2000]
    if found.pair_id is not None:
        pair = repository.match_pair(db, found.pair_id)
        if pair is not None:
            pair.status, pair.decided_by, pair.decided_at, pair.decision_reason = "review", None, None, ""
    audit.record(db, user.username, "registry.matching.undo", "merge", found.id,
                 {"pair": found.pair_id, "reason": reason[:200]}, ip=ip)
    return found


def _check_person(db: Session, user: StaffMember, person: ListPerson) -> None:
    found = repository.person_lists_by_id(db, [person.list_id]).get(person.list_id)
    check_commune(user, found.commune if found else "")


def merge_for(db: Session, user: StaffMember, merge_id: int) -> Merge:
    """A merge the user may see (its list person is of their commune)."""
    scope(user)
    found = repository.merge(db, merge_id) if 0 < merge_id <= MAX_ROW_ID else None
    if found is None:
        raise NotFound(N_("No merge has this number."))
    person = _side(db, found.person_id, None)
    assert isinstance(person, ListPerson)
    _check_person(db, user, person)
    return found
