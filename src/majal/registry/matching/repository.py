"""Queries for matching (the only place with SQL for it): person lists, runs, pairs and merges, and the registry's
members as the matching reads them (a pair's member side is a member of a registered household)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from majal.registry.matching.models import ListPerson, MatchPair, MatchRun, Merge, PersonList
from majal.registry.models import Household, Member
from majal.registry.repository import CHUNK


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def matching_members(db: Session, commune: str) -> list[Any]:
    """The commune's members as the matching needs them: id, household, names, birth date, sex, digests."""
    return list(db.execute(
        select(Member.id, Member.household_id, Member.first_name_ar, Member.last_name_ar, Member.first_name_latin,
               Member.last_name_latin, Member.birth_date, Member.sex, Member.idcs_digest, Member.cnie_digest)
        .join(Household, Member.household_id == Household.id).where(Household.commune == commune)
        .order_by(Member.id)))


def unmerged_persons(db: Session, commune: str) -> list[ListPerson]:
    return list(db.scalars(
        select(ListPerson).join(PersonList, ListPerson.list_id == PersonList.id)
        .where(PersonList.commune == commune, ListPerson.merged_into_member_id.is_(None),
               ListPerson.merged_into_person_id.is_(None)).order_by(ListPerson.id)))


def pair_sides(db: Session, commune: str) -> list[tuple[int | None, int | None, int | None, int | None]]:
    rows = db.execute(select(MatchPair.left_person_id, MatchPair.left_member_id, MatchPair.right_person_id,
                             MatchPair.right_member_id).where(MatchPair.commune == commune))
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def match_pairs(db: Session, commune: str | None, *, status: str | None, reason: str | None, list_id: int | None,
                min_probability: float | None, limit: int, offset: int = 0) -> tuple[list[MatchPair], int]:
    """Pairs of the commune (all communes when None), most probable first, and how many in all."""
    query = select(MatchPair)
    if commune is not None:
        # a member whose household has since moved to another commune is no longer this commune's to see
        query = query.where(MatchPair.commune == commune, ~_member_elsewhere(MatchPair.left_member_id, commune),
                            ~_member_elsewhere(MatchPair.right_member_id, commune))
    if status is not None:
        query = query.where(MatchPair.status == status)
    if reason is not None:
        query = query.where(MatchPair.reason == reason)
    if min_probability is not None:
        query = query.where(MatchPair.probability >= min_probability)
    if list_id is not None:
        in_list = select(ListPerson.id).where(ListPerson.list_id == list_id)
        query = query.where(MatchPair.left_person_id.in_(in_list) | MatchPair.right_person_id.in_(in_list))
    total = int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = db.scalars(query.order_by(MatchPair.probability.desc().nulls_first(), MatchPair.id)
                      .limit(limit).offset(offset))
    return list(rows), total


def _member_elsewhere(member_id: Any, commune: str) -> Any:
    return exists().where(Member.id == member_id, Household.id == Member.household_id,
                          Household.commune.is_distinct_from(commune))


def member_communes(db: Session, member_ids: Iterable[int]) -> set[str | None]:
    """The communes of the households of these members."""
    wanted = sorted(set(member_ids))
    if not wanted:
        return set()
    return set(db.scalars(select(Household.commune).join(Member, Member.household_id == Household.id)
                          .where(Member.id.in_(wanted)).distinct()))


def match_pair(db: Session, pair_id: int) -> MatchPair | None:
    return db.get(MatchPair, pair_id)


def list_persons(db: Session, ids: Iterable[int]) -> dict[int, ListPerson]:
    wanted = sorted(set(ids))
    found: dict[int, ListPerson] = {}
    for part in _chunks(wanted):
        found.update((p.id, p) for p in db.scalars(select(ListPerson).where(ListPerson.id.in_(part))))
    return found


def members_with_households(db: Session, ids: Iterable[int]) -> dict[int, tuple[Member, Household]]:
    wanted = sorted(set(ids))
    found: dict[int, tuple[Member, Household]] = {}
    for part in _chunks(wanted):
        rows = db.execute(select(Member, Household).join(Household, Member.household_id == Household.id)
                          .where(Member.id.in_(part)))
        found.update((row[0].id, (row[0], row[1])) for row in rows)
    return found


def person_lists(db: Session, commune: str | None) -> list[PersonList]:
    query = select(PersonList).order_by(PersonList.id.desc())
    if commune is not None:
        query = query.where(PersonList.commune == commune)
    return list(db.scalars(query))


def person_lists_by_id(db: Session, ids: Iterable[int]) -> dict[int, PersonList]:
    wanted = sorted(set(ids))
    return {found.id: found for found in db.scalars(select(PersonList).where(PersonList.id.in_(wanted)))}


def person_list_by_name(db: Session, commune: str, name: str) -> PersonList | None:
    return db.scalar(select(PersonList).where(PersonList.commune == commune, PersonList.name == name))


def match_runs(db: Session, commune: str | None, limit: int = 10) -> list[MatchRun]:
    query = select(MatchRun).order_by(MatchRun.id.desc()).limit(limit)
    if commune is not None:
        query = query.where(MatchRun.commune == commune)
    return list(db.scalars(query))


def merge(db: Session, merge_id: int) -> Merge | None:
    return db.get(Merge, merge_id)


def merges_of_pair(db: Session, pair_id: int) -> list[Merge]:
    return list(db.scalars(select(Merge).where(Merge.pair_id == pair_id).order_by(Merge.id)))


def later_merges(db: Session, merge_id: int, person_ids: Sequence[int]) -> list[Merge]:
    """Merges after `merge_id`, not undone, that changed one of these list persons (merged it or into it)."""
    return list(db.scalars(select(Merge).where(
        Merge.id > merge_id, Merge.undone_at.is_(None),
        Merge.person_id.in_(person_ids) | Merge.into_person_id.in_(person_ids)).order_by(Merge.id)))

