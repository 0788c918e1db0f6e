"""Matching in the registry's database: one person, one record.

Lists of persons without registry identifiers (Jisr referrals, training sign-ups, legacy municipal and NGO lists) are
stored with their national ids sealed beside keyed digests, like members. A matching run takes a commune's members and
its list persons not yet merged, and gives them to the entity-resolution engine (`dedup.resolve`): the same IDCS or
CNIE digest links two records for certain, then the Fellegi–Sunter model scores the rest. Pairs at or above the
model's threshold are linked (the list person merged into its survivor); pairs in the uncertain band, alike records
holding two identifiers and one person found in two households go to a review queue. A social worker of the commune
(or a programme officer) decides "same person" or "different people" with a reason; every merge keeps both records
as they were, and an undo restores them exactly. Every read of the queue's personal data is audit-logged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session

from majal.accounts.models import User
from majal.kit import audit, crypto
from majal.kit.audit import utcnow
from majal.kit.errors import Conflict, Forbidden, MajalError, NotFound
from majal.kit.i18n import N_
from majal.kit.security import Role
from majal.kit.validation import MAX_ROW_ID
from majal.registry import agreement, dedup, repository
from majal.registry.models import Household, ListPerson, MatchPair, MatchRun, Member, Merge, PersonList
from majal.registry.names import name_key
from majal.registry.service import cnie_digest, idcs_digest

NATIONAL_ID_PURPOSE = "registry-list-national-id"
WEB_RUN_LIMIT = 40_000  # records a run started from a page may hold (about half a minute); beyond, use the CLI
QUEUE_PAGE = 100
DECISIONS = ("same", "different")
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
MAX_NAME = 100
MAX_ID = 64
SNAPSHOT_FIELDS = ("birth_date", "sex", "national_id_sealed", "idcs_digest", "cnie_digest", "merged_into_member_id",
                   "merged_into_person_id")
FILLED_FIELDS = ("birth_date", "sex", "national_id_sealed", "idcs_digest", "cnie_digest")


# --- who may do what -----------------------------------------------------------------------------------------------


def scope(user: User) -> str | None:
    """The commune whose records the user may see (None: every commune), or Forbidden."""
    if user.role in (Role.admin, Role.programme_officer):
        return None
    if user.role == Role.social_worker:
        return user.commune_code or ""
    raise Forbidden(N_("Your role does not give access to this page."))


def check_commune(user: User, commune: str) -> None:
    allowed = scope(user)
    if allowed is not None and allowed != commune:
        raise Forbidden(N_("These records are not in your commune."))


# --- importing a list ----------------------------------------------------------------------------------------------


def import_list(db: Session, content: bytes, *, name: str, commune: str, secret: str, actor: str, source: str = "",
                encoding: str = "utf-8") -> PersonList:
    """Check a persons CSV (the columns of `majal registry dedup`) and store it whole, or refuse it at the first bad
    row and field with nothing written."""
    name, commune = name.strip(), commune.strip()
    if not name or len(name) > 200:
        raise MajalError(N_("Give the list a name of at most %(limit)s characters."), where="--name", limit=200)
    if not commune or len(commune) > 32:
        raise MajalError(N_("Give the commune's code (at most %(limit)s characters)."), where="--commune", limit=32)
    if repository.person_list_by_name(db, commune, name) is not None:
        raise Conflict(N_("The commune already has a list named “%(name)s”."), where="--name", name=name)
    records = dedup.parse_persons_csv(content, encoding)
    rows = records.to_pylist()
    _check_lengths(rows)
    found = PersonList(name=name, commune=commune, source=source[:200], persons=len(rows), imported_by=actor)
    db.add(found)
    db.flush()
    identifiers = [dedup.national_id_kind(row["national_id"]) for row in rows]
    given = [idcs or cnie for idcs, cnie in identifiers]
    sealed = iter(crypto.seal_texts(secret, NATIONAL_ID_PURPOSE, [value for value in given if value]))
    for index, (row, (idcs, cnie)) in enumerate(zip(rows, identifiers, strict=True)):
        db.add(ListPerson(
            list_id=found.id, external_id=row["id"], row=index + 2, first_name=row["first_name"],
            last_name=row["last_name"], birth_date=date.fromisoformat(row["birth_date"]) if row["birth_date"] else None,
            sex=dedup.sex_code(row["sex"]), commune=row["commune"],
            national_id_sealed=next(sealed) if given[index] else None,
            idcs_digest=idcs_digest(secret, idcs) if idcs else None,
            cnie_digest=cnie_digest(secret, cnie) if cnie else None))
    db.flush()
    audit.record(db, actor, "registry.list.import", "person_list", found.id,
                 {"name": name, "commune": commune, "persons": len(rows)})
    return found


def _check_lengths(rows: list[dict[str, Any]]) -> None:
    for index, row in enumerate(rows):
        if len(row["id"]) > MAX_ID:
            raise MajalError(N_("Row %(row)s, column %(column)s: at most %(limit)s characters."), row=index + 2,
                             column="id", limit=MAX_ID)
        for column in ("first_name", "last_name", "commune"):
            if len(row[column]) > MAX_NAME:
                raise MajalError(N_("Row %(row)s, column %(column)s: at most %(limit)s characters."), row=index + 2,
                                 column=column, limit=MAX_NAME)


# --- a matching run ------------------------------------------------------------------------------------------------


@dataclass
class _Records:
    """The run's records in the engine's format, and what each engine id stands for."""

    table: pa.Table
    members: dict[str, Any]  # "m<id>" → member row
    persons: dict[str, ListPerson]  # "p<id>" → list person


def _records(db: Session, commune: str) -> _Records:
    members = repository.matching_members(db, commune)
    persons = repository.unmerged_persons(db, commune)
    # The engine links equal identifiers; it is given stand-ins for the digests, never an identifier in clear. A list
    # person's CNIE that a member holds stands for that member's IDCS, since the engine reads one identifier a record.
    idcs_codes: dict[str, str] = {}
    cnie_codes: dict[str, str] = {}

    def idcs_code(digest: str) -> str:
        return idcs_codes.setdefault(digest, f"{len(idcs_codes) + 1:010d}")

    for row in members:
        code = idcs_code(row.idcs_digest)
        if row.cnie_digest:
            cnie_codes[row.cnie_digest] = code
    columns: dict[str, list[str]] = {name: [] for name in (*dedup.INPUT_COLUMNS, "household_id")}

    def add(key: str, first: str, last: str, born: date | None, sex: str | None, place: str, national: str,
            household: str) -> None:
        for column, value in zip(columns, (key, first, last, born.isoformat() if born else "", sex or "", place,
                                           national, household), strict=True):
            columns[column].append(value)

    for row in members:
        add(f"m{row.id}", row.first_name_latin or row.first_name_ar, row.last_name_latin or row.last_name_ar,
            row.birth_date, row.sex, commune, idcs_code(row.idcs_digest), f"h{row.household_id}")
    for person in persons:
        national = ""
        if person.idcs_digest:
            national = idcs_code(person.idcs_digest)
        elif person.cnie_digest:
            national = cnie_codes.setdefault(person.cnie_digest, f"ZZ{len(cnie_codes) + 1:07d}")
        add(f"p{person.id}", person.first_name, person.last_name, person.birth_date, person.sex,
            person.commune or commune, national, "")
    return _Records(pa.table({name: pa.array(values, type=pa.string()) for name, values in columns.items()}),
                    {f"m{row.id}": row for row in members}, {f"p{p.id}": p for p in persons})


@dataclass(frozen=True)
class RunResult:
    run: MatchRun
    merged: int


def run_matching(db: Session, commune: str, *, actor: str, limit: int | None = None, seed: int = 0,
                 ip: str | None = None) -> RunResult:
    """Match the commune's unmerged list persons against its members and each other; link the certain pairs, queue
    the uncertain ones. Pairs already stored (decided or not) are not stored again."""
    started = time.perf_counter()
    found = _records(db, commune)
    size = found.table.num_rows
    if limit is not None and size > limit:
        raise MajalError(N_("%(records)s records to match: more than the %(limit)s a run started here may hold. Run "
                            "`majal registry match --commune %(commune)s` instead."),
                         records=size, limit=limit, commune=commune)
    if not found.persons:
        raise MajalError(N_("The commune has no list person left to match: import a list first."), where="commune")
    resolution = dedup.resolve(found.table, seed=seed)
    cluster_of = dict(zip(resolution.clusters.column("id").to_pylist(),
                          resolution.clusters.column("cluster_id").to_pylist(), strict=True))
    household_of_cluster = {cluster_of[key]: row.household_id for key, row in found.members.items()}
    known = {frozenset(_keys(*sides)) for sides in repository.pair_sides(db, commune)}
    run = MatchRun(commune=commune, records=size, compared=resolution.compared, linked=0, queued=0, seconds=0.0,
                   actor=actor)
    db.add(run)
    db.flush()
    # the queue first: the pairs waiting for a person come before those the run settled
    for row in resolution.review.to_pylist():
        left, right, reason = row["id_l"], row["id_r"], row["reason"]
        if reason == "uncertain_pair" and left[0] == right[0] == "m":
            continue  # two members hold two identifiers: only a strong likeness is worth a social worker's time
        if reason == "conflicting_ids":
            homes = {found.members[key].household_id if key in found.members
                     else household_of_cluster.get(cluster_of[key]) for key in (left, right)}
            if None not in homes and len(homes) == 2:
                reason = "two_households"
        if _new_pair(db, run, found, left, right, row["match_probability"], reason, "review", known) is not None:
            run.queued += 1
    links: list[MatchPair] = []
    for row in resolution.pairs.to_pylist():
        if row["decision"] == "match" and (row["id_l"][0] == "p" or row["id_r"][0] == "p"):
            pair = _new_pair(db, run, found, row["id_l"], row["id_r"], row["match_probability"], "match", "linked",
                             known)
            if pair is not None:
                links.append(pair)
    db.flush()
    merged = 0
    for pair in links:
        if _merge(db, pair, actor, "") is not None:
            merged += 1
    run.linked = len(links)
    run.seconds = round(time.perf_counter() - started, 3)
    audit.record(db, actor, "registry.matching.run", "match_run", run.id,
                 {"commune": commune, "records": size, "linked": run.linked, "queued": run.queued}, ip=ip)
    return RunResult(run, merged)


def _keys(left_person: int | None, left_member: int | None, right_person: int | None,
          right_member: int | None) -> tuple[str, str]:
    left = f"p{left_person}" if left_person is not None else f"m{left_member}"
    right = f"p{right_person}" if right_person is not None else f"m{right_member}"
    return left, right


def _new_pair(db: Session, run: MatchRun, found: _Records, left: str, right: str, probability: float | None,
              reason: str, status: str, known: set[frozenset[str]]) -> MatchPair | None:
    key = frozenset((left, right))
    if key in known or left == right:
        return None
    known.add(key)
    sides: dict[str, int | None] = {}
    for side, engine_id in (("left", left), ("right", right)):
        number = int(engine_id[1:])
        sides[f"{side}_person_id"] = number if engine_id[0] == "p" else None
        sides[f"{side}_member_id"] = number if engine_id[0] == "m" else None
    pair = MatchPair(run_id=run.id, commune=run.commune, probability=probability,
                     evidence=_evidence(found, left, right), reason=reason, status=status, **sides)
    db.add(pair)
    return pair


def _digests(found: _Records, key: str) -> tuple[str | None, str | None]:
    if key in found.members:
        row = found.members[key]
        return row.idcs_digest, row.cnie_digest
    person = found.persons[key]
    return person.idcs_digest, person.cnie_digest


def _evidence(found: _Records, left: str, right: str) -> str:
    (left_idcs, left_cnie), (right_idcs, right_cnie) = _digests(found, left), _digests(found, right)
    if left_idcs and left_idcs == right_idcs:
        return "idcs"
    if left_cnie and left_cnie == right_cnie:
        return "cnie"
    return "model"


# --- merging and undoing -------------------------------------------------------------------------------------------


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


def _snapshot(person: ListPerson) -> dict[str, Any]:
    values = {name: getattr(person, name) for name in SNAPSHOT_FIELDS}
    values["birth_date"] = person.birth_date.isoformat() if person.birth_date else None
    return {"id": person.id, **values}


def _restore(person: ListPerson, snapshot: dict[str, Any]) -> None:
    for name in SNAPSHOT_FIELDS:
        value = snapshot.get(name)
        if name == "birth_date" and value is not None:
            value = date.fromisoformat(value)
        setattr(person, name, value)


def _merge(db: Session, pair: MatchPair, actor: str, reason: str) -> Merge | None:
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
    before = {"person": _snapshot(merged),
              "survivor": _snapshot(survivor) if isinstance(survivor, ListPerson) else {"member": survivor.id}}
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


def decide(db: Session, user: User, pair_id: int, decision: str, reason: str, ip: str | None = None) -> MatchPair:
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
        _merge(db, pair, user.username, reason)
    pair.status, pair.decided_by, pair.decided_at, pair.decision_reason = decision, user.username, utcnow(), reason
    audit.record(db, user.username, "registry.matching.decide", "match_pair", pair.id,
                 {"decision": decision, "reason": reason[:200]}, ip=ip)
    return pair


def undo_merge(db: Session, user: User, merge_id: int, reason: str, ip: str | None = None) -> Merge:
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


def _check_person(db: Session, user: User, person: ListPerson) -> None:
    found = repository.person_lists_by_id(db, [person.list_id]).get(person.list_id)
    check_commune(user, found.commune if found else "")


def pair_for(db: Session, user: User, pair_id: int) -> MatchPair:
    scope(user)
    pair = repository.match_pair(db, pair_id) if 0 < pair_id <= MAX_ROW_ID else None
    if pair is None:
        raise NotFound(N_("No pair has this number."))
    check_commune(user, pair.commune)
    members = [i for i in (pair.left_member_id, pair.right_member_id) if i is not None]
    allowed = scope(user)
    if allowed is not None and repository.member_communes(db, members) - {allowed}:
        # the pair was found in this commune, but a household of it has moved since: its records are not ours
        raise Forbidden(N_("These records are not in your commune."))
    return pair


# --- what a social worker sees -------------------------------------------------------------------------------------


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


def queue(db: Session, user: User, *, status: str | None = "review", reason: str | None = None,
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


def pair_view(db: Session, user: User, pair_id: int, ip: str | None = None) -> PairView:
    """Both records side by side with their name keys and which comparisons agreed; the read is audit-logged."""
    pair = pair_for(db, user, pair_id)
    row = pair_rows(db, [pair])[0]
    audit.record(db, user.username, "registry.matching.pair.read", "match_pair", pair.id, ip=ip)
    return PairView(row, agreement.compare(row.left.record, row.right.record), repository.merges_of_pair(db, pair.id))


def runs(db: Session, user: User) -> list[MatchRun]:
    return repository.match_runs(db, scope(user))


def merge_for(db: Session, user: User, merge_id: int) -> Merge:
    """A merge the user may see (its list person is of their commune)."""
    scope(user)
    found = repository.merge(db, merge_id) if 0 < merge_id <= MAX_ROW_ID else None
    if found is None:
        raise NotFound(N_("No merge has this number."))
    person = _side(db, found.person_id, None)
    assert isinstance(person, ListPerson)
    _check_person(db, user, person)
    return found
