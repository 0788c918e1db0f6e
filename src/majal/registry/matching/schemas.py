"""The matching API's shapes: the review queue, a pair side by side with what agrees, decisions and merges."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class MatchSideOut(BaseModel):
    kind: str = Field(description="member (of a registry household) or person (of a list)")
    id: int
    names: list[str] = Field(description="The names as written (a member may have them in both scripts)")
    name_keys: list[str] = Field(description="The Moroccan name key of each, as the matching compares them")
    birth_date: date | None
    sex: str | None
    commune: str
    household_id: int | None
    list_name: str | None
    merged_into: str | None = Field(description="Where a merged list person stands now: member N or person N")


class AgreementOut(BaseModel):
    field: str = Field(examples=["birth_date"])
    level: str = Field(examples=["swapped"])
    words: str = Field(description="The level in plain words, in the language of the request")
    tone: str = Field(description="agrees, partly or disagrees")


class MergeOut(BaseModel):
    id: int
    pair_id: int | None
    person_id: int
    into_person_id: int | None
    into_member_id: int | None
    actor: str
    at: datetime
    reason: str
    undone_by: str | None
    undone_at: datetime | None
    undo_reason: str


class MatchPairOut(BaseModel):
    id: int
    run_id: int
    commune: str
    probability: float | None = Field(description="Match probability from the model; 1 for the same identifier")
    evidence: str = Field(description="idcs, cnie or model")
    reason: str = Field(description="match, uncertain_pair, conflicting_ids or two_households")
    status: str = Field(description="review, linked, same or different")
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str
    left: MatchSideOut
    right: MatchSideOut


class MatchPairDetailOut(MatchPairOut):
    agreements: list[AgreementOut]
    merges: list[MergeOut]


class MatchQueueOut(BaseModel):
    total: int
    pairs: list[MatchPairOut]


class DecisionIn(BaseModel):
    decision: str = Field(max_length=20, description="same or different", examples=["same"])
    reason: str = Field(max_length=2000, examples=["Same mother's name and address on the Jisr referral"])


class UndoIn(BaseModel):
    reason: str = Field(max_length=2000, examples=["Two sisters with close names"])
