"""A matching run: a commune's members and unmerged list persons given to the entity-resolution engine
(`dedup.resolve`, with stand-ins for the identifier digests), the certain pairs linked and merged, the uncertain ones
queued for review."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa
from sqlalchemy.orm import Session

from majal.kit import audit
from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.registry.matching import dedup, repository
from majal.registry.matching.models import ListPerson, MatchPair, MatchRun
from majal.registry.matching.service.merges import merge_pair

WEB_RUN_LIMIT = 40_000  # records a run started from a page may hold (about half a minute); beyond, use the CLI


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
        if merge_pair(db, pair, actor, "") is not None:
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
