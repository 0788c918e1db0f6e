"""The social registry in the database: households, members, their change history, scores, decisions, programme
cycles and index reviews.

Household and member columns mirror the import format of `majal.registry.pmt.data`, so a household read back from the
database goes through the same engines as a file. Identifiers (IDCS, CNIE) are stored sealed with the instance's key
(`kit.crypto`) beside a keyed hash used for lookups and uniqueness; they never appear in clear in the database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from majal.db import Base
from majal.kit.audit import utcnow

CANCELLED = "cancelled"  # the status of a cycle cancelled as a draft
CYCLE_LIVE = f"status != '{CANCELLED}'"


class Household(Base):
    __tablename__ = "registry_households"
    __table_args__ = (Index("ix_registry_households_commune_verified", "commune", "verified_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # household_id of the import
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    milieu: Mapped[str] = mapped_column(String(8))
    region: Mapped[str] = mapped_column(String(8))
    commune: Mapped[str | None] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(400), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    rooms: Mapped[int] = mapped_column(Integer)
    dwelling: Mapped[str] = mapped_column(String(24))
    owner: Mapped[bool] = mapped_column(Boolean)
    electricity: Mapped[bool] = mapped_column(Boolean)
    piped_water: Mapped[bool] = mapped_column(Boolean)
    sewer: Mapped[bool] = mapped_column(Boolean)
    toilet: Mapped[bool] = mapped_column(Boolean)
    bathroom: Mapped[bool] = mapped_column(Boolean)
    kitchen: Mapped[bool] = mapped_column(Boolean)
    phones: Mapped[int] = mapped_column(Integer)
    cars: Mapped[int] = mapped_column(Integer)
    motorcycles: Mapped[int] = mapped_column(Integer)
    cows: Mapped[int] = mapped_column(Integer)
    laptop: Mapped[bool] = mapped_column(Boolean)
    fridge: Mapped[bool] = mapped_column(Boolean)
    washing_machine: Mapped[bool] = mapped_column(Boolean)
    internet: Mapped[bool] = mapped_column(Boolean)
    land_ha: Mapped[float] = mapped_column(Float)
    spend_butane: Mapped[float] = mapped_column(Float)
    spend_water_electricity: Mapped[float] = mapped_column(Float)
    spend_telecom: Mapped[float] = mapped_column(Float)
    contact_sealed: Mapped[str | None] = mapped_column(Text)  # phone or email for notices, encrypted
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    verified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    members: Mapped[list[Member]] = relationship(back_populates="household", order_by="Member.position")


class Member(Base):
    __tablename__ = "registry_members"
    __table_args__ = (UniqueConstraint("household_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("registry_households.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order within the household, as imported
    idcs_sealed: Mapped[str] = mapped_column(Text)
    idcs_digest: Mapped[str] = mapped_column(String(64), unique=True)  # a person belongs to one household
    cnie_sealed: Mapped[str | None] = mapped_column(Text)
    cnie_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    first_name_ar: Mapped[str] = mapped_column(String(100), default="")
    last_name_ar: Mapped[str] = mapped_column(String(100), default="")
    first_name_latin: Mapped[str] = mapped_column(String(100), default="")
    last_name_latin: Mapped[str] = mapped_column(String(100), default="")
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    relation: Mapped[str] = mapped_column(String(16))
    education: Mapped[str] = mapped_column(String(16))
    diploma: Mapped[bool] = mapped_column(Boolean)
    schooling: Mapped[str] = mapped_column(String(8))
    occupation: Mapped[str] = mapped_column(String(16))
    disability: Mapped[bool] = mapped_column(Boolean)
    marital_status: Mapped[str] = mapped_column(String(16))
    pension: Mapped[bool] = mapped_column(Boolean)

    household: Mapped[Household] = relationship(back_populates="members")


class FieldChange(Base):
    """One changed field of a household or a member: who, when, old → new, and why."""

    __tablename__ = "registry_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("registry_households.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("registry_members.id", ondelete="SET NULL"))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("registry_reviews.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(String(400))
    new_value: Mapped[str | None] = mapped_column(String(400))
    actor: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Score(Base):
    """A household's index: `computed` from the data as registered, `corrected` after a review changed the data.
    Both are kept; the latest of each kind is the one in force."""

    __tablename__ = "registry_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("registry_households.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # computed | corrected
    score: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(80))
    as_of: Mapped[date] = mapped_column(Date)
    drivers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{group, effect}], strongest first
    review_id: Mapped[int | None] = mapped_column(ForeignKey("registry_reviews.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    decisions: Mapped[list[Decision]] = relationship(back_populates="score", order_by="Decision.programme")


class Decision(Base):
    """Eligibility for one programme from one score, with the rule that made it (version, comparator, threshold)."""

    __tablename__ = "registry_decisions"
    __table_args__ = (UniqueConstraint("score_id", "programme"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("registry_scores.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("registry_households.id", ondelete="CASCADE"), index=True)
    programme: Mapped[str] = mapped_column(String(16))
    eligible: Mapped[bool] = mapped_column(Boolean)
    rule: Mapped[str] = mapped_column(String(80))
    comparator: Mapped[str] = mapped_column(String(2))
    threshold: Mapped[float] = mapped_column(Float)
    monthly_amount: Mapped[float] = mapped_column(Float, default=0.0)
    birth_grant: Mapped[float] = mapped_column(Float, default=0.0)
    amount_table: Mapped[str | None] = mapped_column(String(80))

    score: Mapped[Score] = relationship(back_populates="decisions")


class Cycle(Base):
    """A programme's payment cycle: a frozen snapshot of who receives what, under which model and rule."""

    __tablename__ = "registry_cycles"
    # one cycle of a programme per period, leaving aside cancelled drafts: a cancelled draft is drawn again
    __table_args__ = (Index("uq_registry_cycles_programme_period", "programme", "period", unique=True,
                            sqlite_where=text(CYCLE_LIVE), postgresql_where=text(CYCLE_LIVE)),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    commune: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12))  # draft | approved | paid, or cancelled (a draft)
    as_of: Mapped[date] = mapped_column(Date)
    model_version: Mapped[str] = mapped_column(String(80))
    rule: Mapped[str] = mapped_column(String(80))
    comparator: Mapped[str] = mapped_column(String(2))
    threshold: Mapped[float] = mapped_column(Float)
    amount_table: Mapped[str | None] = mapped_column(String(80))
    beneficiaries: Mapped[int] = mapped_column(Integer)
    total_amount: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_by: Mapped[str | None] = mapped_column(String(120))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Entitlement(Base):
    """One beneficiary of a cycle, frozen: the score and the amount as they were when the cycle was drawn."""

    __tablename__ = "registry_entitlements"
    __table_args__ = (UniqueConstraint("cycle_id", "household_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("registry_cycles.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("registry_households.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    monthly_amount: Mapped[float] = mapped_column(Float)
    birth_grant: Mapped[float] = mapped_column(Float)


class Review(Base):
    """A request to review a household's index, opened by the household or by a social worker."""

    __tablename__ = "registry_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("registry_households.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # open | closed
    opened_by: Mapped[str] = mapped_column(String(120))  # "household" or a staff username
    reason: Mapped[str] = mapped_column(Text, default="")
    contact_sealed: Mapped[str | None] = mapped_column(Text)  # where the household wants the outcome, encrypted
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_by: Mapped[str | None] = mapped_column(String(120))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(Text, default="")


class Survey(Base):
    """A household survey with measured consumption, loaded by the programme (`majal registry survey import`): the
    officer's targeting dashboard evaluates the model and the thresholds against it."""

    __tablename__ = "registry_surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date] = mapped_column(Date)  # the survey's reference date
    model_version: Mapped[str] = mapped_column(String(64))  # the model its households were scored with
    households: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(120))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SurveyHousehold(Base):
    """One surveyed household: its index under the survey's model and its measured consumption (no identity)."""

    __tablename__ = "registry_survey_households"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("registry_surveys.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    consumption_pc: Mapped[float] = mapped_column(Float)  # measured consumption per person

