"""Matching in the database: person lists that came without registry identifiers, matching runs, the pairs they found
and the merges decided on them.

The tables keep their `registry_` names (they were created with the registry); list persons and pairs point at the
registry's members (`registry_members`), whose side of a pair is a member of a registered household.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from majal.db import Base
from majal.kit.audit import utcnow


class PersonList(Base):
    """A list of persons that came without registry identifiers: Jisr referrals, training sign-ups, a municipal or
    NGO list. Its persons are matched against the registry's members and against each other."""

    __tablename__ = "registry_person_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    commune: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(200), default="")  # the file it came from
    persons: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(120))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ListPerson(Base):
    """One person of a list, as written there; the national id sealed beside keyed digests. Once merged, the record
    points to the registry member or the list person it is the same as (the survivor)."""

    __tablename__ = "registry_list_persons"
    __table_args__ = (UniqueConstraint("list_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("registry_person_lists.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))  # the `id` of the list's file
    row: Mapped[int] = mapped_column(Integer)  # its row in the file (the header is row 1)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    commune: Mapped[str] = mapped_column(String(100), default="")  # as written in the list, in either script
    national_id_sealed: Mapped[str | None] = mapped_column(Text)
    idcs_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    cnie_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    merged_into_member_id: Mapped[int | None] = mapped_column(ForeignKey("registry_members.id", ondelete="SET NULL"))
    merged_into_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("registry_list_persons.id", ondelete="SET NULL"))


class MatchRun(Base):
    """One matching run over a commune: its unmerged list persons against each other and the commune's members."""

    __tablename__ = "registry_match_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune: Mapped[str] = mapped_column(String(32), index=True)
    records: Mapped[int] = mapped_column(Integer)
    compared: Mapped[int] = mapped_column(Integer)
    linked: Mapped[int] = mapped_column(Integer)
    queued: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MatchPair(Base):
    """Two records a run found to be, or perhaps to be, the same person. Each side is a list person or a member.

    reason: `match` (linked by the run: same IDCS or CNIE, or a probability above the threshold), `uncertain_pair`
    (between the review band and the threshold), `conflicting_ids` (alike, but two identifiers) or `two_households`
    (one person found in two households). status: `linked`, `review` (waiting for a social worker), `same` or
    `different` (decided)."""

    __tablename__ = "registry_match_pairs"
    __table_args__ = (Index("ix_registry_match_pairs_commune_status", "commune", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("registry_match_runs.id", ondelete="CASCADE"), index=True)
    commune: Mapped[str] = mapped_column(String(32))
    left_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("registry_list_persons.id", ondelete="CASCADE"), index=True)
    left_member_id: Mapped[int | None] = mapped_column(ForeignKey("registry_members.id", ondelete="CASCADE"))
    right_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("registry_list_persons.id", ondelete="CASCADE"), index=True)
    right_member_id: Mapped[int | None] = mapped_column(ForeignKey("registry_members.id", ondelete="CASCADE"))
    probability: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(String(8))  # idcs | cnie | model
    reason: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class Merge(Base):
    """A list person merged into its survivor, with both records as they were before, so that an undo restores
    them exactly. An undone merge stays, marked undone: the history keeps both."""

    __tablename__ = "registry_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("registry_match_pairs.id", ondelete="SET NULL"),
                                                index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("registry_list_persons.id", ondelete="CASCADE"), index=True)
    into_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("registry_list_persons.id", ondelete="CASCADE"), index=True)
    into_member_id: Mapped[int | None] = mapped_column(ForeignKey("registry_members.id", ondelete="CASCADE"))
    before: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"person": {...}, "survivor": {...}} as they were
    actor: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    undone_by: Mapped[str | None] = mapped_column(String(120))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undo_reason: Mapped[str] = mapped_column(Text, default="")
