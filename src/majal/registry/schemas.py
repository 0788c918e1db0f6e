"""The registry's JSON API shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class DriverOut(BaseModel):
    group: str = Field(description="Variable group of the model, e.g. household_size")
    label: str = Field(description="The group in plain words, in the language of the request")
    effect: float = Field(description="Its effect on the index compared with the typical household of its milieu")


class DecisionOut(BaseModel):
    programme: str = Field(examples=["asd"])
    eligible: bool
    rule: str = Field(description="Version of the eligibility rule", examples=["ASD-2023"])
    comparator: str = Field(description="How the index is compared with the threshold", examples=["<="])
    threshold: float = Field(examples=[9.743001])
    monthly_amount: float = Field(description="MAD a month (ASD only; 0 otherwise)")
    birth_grant: float


class ScoreOut(BaseModel):
    kind: str = Field(description="computed (from the data as registered) or corrected (after a review)")
    score: float
    model_version: str
    as_of: date
    at: datetime
    drivers: list[DriverOut]
    decisions: list[DecisionOut]


class MemberOut(BaseModel):
    id: int
    idcs: str | None = Field(description="Only with identifiers=true and a reason; the access is recorded")
    sex: str
    birth_date: date
    relation: str
    education: str
    schooling: str
    occupation: str
    disability: bool
    marital_status: str


class ChangeOut(BaseModel):
    at: datetime
    actor: str
    field: str
    member_id: int | None
    old_value: str | None
    new_value: str | None
    reason: str


class HouseholdOut(BaseModel):
    id: int
    tracking_code: str
    milieu: str
    region: str
    commune: str | None
    district: str | None
    verified_at: datetime
    verification_due: datetime
    members: list[MemberOut]
    computed: ScoreOut | None
    corrected: ScoreOut | None
    changes: list[ChangeOut]


class CorrectionIn(BaseModel):
    field: str = Field(max_length=40, description="A correctable field of the household, or of the member given",
                       examples=["cars"])
    value: str = Field(max_length=400, description="The new value, as in the import format", examples=["1"])
    reason: str = Field(max_length=2000, examples=["A car seen at the home visit"])
    member_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="The member whose field it is")
    review_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="The open review it answers")


class CorrectionOut(BaseModel):
    change: ChangeOut
    corrected: ScoreOut = Field(description="The household's score after the correction")


class MoveIn(BaseModel):
    commune: str = Field(max_length=32, description="Code of the commune the household moves to",
                         examples=["OUJDA"])
    reason: str = Field(max_length=2000, examples=["The family now lives in Oujda (rental contract seen)"])


class MoveOut(BaseModel):
    household_id: int
    old_commune: str | None
    new_commune: str | None
    at: datetime
    actor: str
    reason: str


class MovesOut(BaseModel):
    household_id: int
    commune: str | None = Field(description="The commune the household is in now")
    moves: list[MoveOut] = Field(description="Its moves between communes, newest first")


class DueOut(BaseModel):
    household_id: int
    district: str | None
    verified_at: datetime


class DueListOut(BaseModel):
    total: int = Field(description="Households of the caller's commune not verified for a year")
    households: list[DueOut] = Field(description="The oldest first (at most 200)")


class TargetingOut(BaseModel):
    programme: str
    rule: str
    comparator: str
    threshold: float
    model_version: str
    households: int
    poor: int
    selected: int
    exclusion_error: float | None
    inclusion_error: float | None
    coverage_bottom_quintile: float
    coverage_by_decile: list[float] = Field(description="Decile 1 (poorest) first")
    auc: float | None


class CycleOut(BaseModel):
    id: int
    programme: str
    period: str
    commune: str | None
    status: str = Field(description="draft, approved, paid, or cancelled (a draft)")
    as_of: date
    model_version: str
    rule: str
    comparator: str
    threshold: float
    amount_table: str | None
    beneficiaries: int
    total_amount: float


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, examples=["Drawn for the wrong commune"])


class ReviewIn(BaseModel):
    tracking_code: str = Field(max_length=40, examples=["K7Q4-MXP2-A9BC"])
    birth_date: str = Field(max_length=10, description="A member's birth date, YYYY-MM-DD", examples=["1985-01-01"])
    reason: str = Field(max_length=2000)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=20)


class ReviewOut(BaseModel):
    review_id: int
    status: str


class EntitlementIn(BaseModel):
    household: dict[str, Any] = Field(description="The household's fields in the import format",
                                      examples=[{"household_id": 42, "milieu": "rural", "region": "MA-08"}])
    members: list[dict[str, Any]] = Field(max_length=60, description="Its members' fields in the import format")
    year: int | None = Field(default=None, ge=2000, le=2100, description="Rules of this year (reference 31 Dec)")
    as_of: date | None = Field(default=None, description="Reference date (overrides year; default today)")


class ChildLineOut(BaseModel):
    rank: int
    age: int
    category: str
    counted: bool
    base: float
    disability_supplement: float
    birth_grant: float


class AsdOut(BaseModel):
    table: str
    eligible: bool
    widow_without_pension: bool
    children: list[ChildLineOut]
    children_total: float
    floor_applied: bool
    monthly: float
    birth_grant: float


class ProgrammeDecisionOut(BaseModel):
    eligible: bool
    rule: str = Field(description="Rule version, comparator and threshold")


class EntitlementDriverOut(BaseModel):
    group: str
    effect: float


class EntitlementOut(BaseModel):
    household_id: int
    reference_date: date
    score: float
    model_version: str
    drivers: list[EntitlementDriverOut]
    programmes: dict[str, ProgrammeDecisionOut]
    asd: AsdOut
