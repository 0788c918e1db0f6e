"""Matching JSON API under /api/v1/registry/: the review queue, a pair with what agrees, decisions and undoing a
merge, for social workers (their commune's records) and programme officers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from majal.accounts.deps import current_user
from majal.accounts.models import User
from majal.kit.i18n import gettext
from majal.kit.openapi import error_responses
from majal.kit.validation import RowId
from majal.kit.web import DB, client_ip, verify_csrf
from majal.registry.matching import agreement
from majal.registry.matching import service as matching
from majal.registry.matching.models import MatchPair, Merge
from majal.registry.matching.schemas import (
    DecisionIn,
    MatchPairDetailOut,
    MatchPairOut,
    MatchQueueOut,
    MergeOut,
    UndoIn,
)

router = APIRouter(prefix="/api/v1/registry", tags=["registry"])


def _ip(request: Request) -> str | None:
    return client_ip(request)


def allowed_pair(db: DB, pair_id: RowId, user: Annotated[User, Depends(current_user)]) -> MatchPair:
    """The pair, if the caller may see it: checked before the body is read, so a refusal is a refusal."""
    return matching.pair_for(db, user, pair_id)


def allowed_merge(db: DB, merge_id: RowId, user: Annotated[User, Depends(current_user)]) -> Merge:
    return matching.merge_for(db, user, merge_id)


def _side(side: matching.Side) -> dict[str, Any]:
    return {"kind": side.kind, "id": side.id, "names": [written for _s, written, _k in side.names],
            "name_keys": [key for _s, _w, key in side.names], "birth_date": side.birth_date, "sex": side.sex,
            "commune": side.commune, "household_id": side.household_id, "list_name": side.list_name,
            "merged_into": side.merged_into}


def _pair(row: matching.PairRow) -> dict[str, Any]:
    p = row.pair
    return {"id": p.id, "run_id": p.run_id, "commune": p.commune, "probability": p.probability,
            "evidence": p.evidence, "reason": p.reason, "status": p.status, "decided_by": p.decided_by,
            "decided_at": p.decided_at, "decision_reason": p.decision_reason, "left": _side(row.left),
            "right": _side(row.right)}


def _merge(m: Merge) -> dict[str, Any]:
    return {name: getattr(m, name) for name in MergeOut.model_fields}


@router.get("/matches", response_model=MatchQueueOut, responses=error_responses(400, 401, 403))
def queue(request: Request, db: DB, user: Annotated[User, Depends(current_user)],
          status: Annotated[str | None, Query(max_length=20, description="review (default), linked, same, "
                                              "different; empty for all")] = "review",
          reason: Annotated[str | None, Query(max_length=20)] = None,
          list_id: Annotated[RowId | None, Query()] = None,
          min_probability: Annotated[float | None, Query(ge=0, le=1)] = None,
          offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
          limit: Annotated[int, Query(ge=1, le=500)] = matching.QUEUE_PAGE) -> dict[str, Any]:
    """Pairs of the caller's commune (every commune for programme officers), most probable first, with both
    records. The read is recorded."""
    found = matching.queue(db, user, status=status or None, reason=reason or None, list_id=list_id,
                           min_probability=min_probability, offset=offset, limit=limit, ip=_ip(request))
    return {"total": found.total, "pairs": [_pair(row) for row in found.rows]}


@router.get("/matches/{pair_id}", response_model=MatchPairDetailOut, responses=error_responses(401, 403, 404))
def pair(request: Request, db: DB, pair: Annotated[MatchPair, Depends(allowed_pair)],
         user: Annotated[User, Depends(current_user)]) -> dict[str, Any]:
    """A pair side by side: names and their keys, birth date, sex, commune, household, which comparisons agreed, and
    its merges. The read is recorded."""
    view = matching.pair_view(db, user, pair.id, ip=_ip(request))
    return {**_pair(view.row), "merges": [_merge(m) for m in view.merges],
            "agreements": [{"field": a.field, "level": a.level, "words": gettext(agreement.LEVEL_LABELS[a.level]),
                            "tone": a.tone} for a in view.agreements]}


@router.post("/matches/{pair_id}/decision", response_model=MatchPairOut, dependencies=[Depends(verify_csrf)],
             responses=error_responses(400, 401, 403, 404, 409))
def decide(request: Request, db: DB, pair: Annotated[MatchPair, Depends(allowed_pair)],
           user: Annotated[User, Depends(current_user)], body: DecisionIn) -> dict[str, Any]:
    """"same" (the list person is merged into its survivor) or "different", with a reason. A pair is decided once:
    undo its merge to decide again."""
    matching.decide(db, user, pair.id, body.decision, body.reason, ip=_ip(request))
    return _pair(matching.pair_rows(db, [pair])[0])


@router.post("/merges/{merge_id}/undo", response_model=MergeOut, dependencies=[Depends(verify_csrf)],
             responses=error_responses(400, 401, 403, 404, 409))
def undo(request: Request, db: DB, merge: Annotated[Merge, Depends(allowed_merge)],
         user: Annotated[User, Depends(current_user)], body: UndoIn) -> dict[str, Any]:
    """Restore both records of a merge exactly; the merge stays in the history, marked undone."""
    return _merge(matching.undo_merge(db, user, merge.id, body.reason, ip=_ip(request)))
