"""Registry JSON API under /api/v1/registry/: households for the social workers of their commune, the targeting
evaluation and the cycles for programme officers, and index reviews for households."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from majal.accounts.deps import current_user
from majal.accounts.models import User
from majal.kit.errors import MajalError
from majal.kit.i18n import current_language
from majal.kit.openapi import error_responses
from majal.kit.validation import BigRowId, RowId
from majal.kit.web import DB, client_ip, verify_csrf
from majal.registry import service
from majal.registry.models import FieldChange, Score
from majal.registry.pmt import programmes
from majal.registry.schemas import (
    CancelIn,
    CorrectionIn,
    CorrectionOut,
    CycleOut,
    DueListOut,
    EntitlementIn,
    EntitlementOut,
    HouseholdOut,
    MoveIn,
    MoveOut,
    MovesOut,
    ReviewIn,
    ReviewOut,
    TargetingOut,
)

router = APIRouter(prefix="/api/v1/registry", tags=["registry"])
HouseholdId = BigRowId


def _score(score: Score | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {"kind": score.kind, "score": score.score, "model_version": score.model_version, "as_of": score.as_of,
            "at": score.at,
            "drivers": [{**d, "label": service.group_label(str(d.get("group")))} for d in score.drivers],
            "decisions": [{"programme": d.programme, "eligible": d.eligible, "rule": d.rule,
                           "comparator": d.comparator, "threshold": d.threshold,
                           "monthly_amount": d.monthly_amount, "birth_grant": d.birth_grant}
                          for d in score.decisions]}


@router.get("/households/{household_id}", response_model=HouseholdOut, responses=error_responses(400, 401, 403, 404))
def household(request: Request, db: DB, household_id: BigRowId,
              user: Annotated[User, Depends(current_user)],
              reason: Annotated[str, Query(max_length=200, description="Why the household is read (recorded)")] = "",
              identifiers: Annotated[bool, Query(description="Include the members' IDCS (needs a reason)")] = False,
              ) -> dict[str, Any]:
    """A household with its members, scores, decisions and history: for a social worker of its commune (and
    admins). Every read is recorded with the caller and the reason."""
    view = service.household_view(db, user, household_id, secret=request.app.state.secret_key,
                                  reason=reason if identifiers else reason or "api", identifiers=identifiers,
                                  ip=client_ip(request))
    h = view.household
    return {
        "id": h.id, "tracking_code": h.tracking_code, "milieu": h.milieu, "region": h.region, "commune": h.commune,
        "district": h.district, "verified_at": h.verified_at, "verification_due": view.verification_due,
        "members": [{"id": m.id, "idcs": m.idcs if identifiers else None, "sex": m.sex, "birth_date": m.birth_date,
                     "relation": m.relation, "education": m.education, "schooling": m.schooling,
                     "occupation": m.occupation, "disability": m.disability, "marital_status": m.marital_status}
                    for m in view.members],
        "computed": _score(view.computed), "corrected": _score(view.corrected),
        "changes": [_change(c) for c in view.changes],
    }


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _change(c: FieldChange) -> dict[str, Any]:
    return {"at": c.at, "actor": c.actor, "field": c.field, "member_id": c.member_id, "old_value": c.old_value,
            "new_value": c.new_value, "reason": c.reason}


def _move(household_id: int, m: FieldChange) -> dict[str, Any]:
    return {"household_id": household_id, "old_commune": m.old_value, "new_commune": m.new_value, "at": m.at,
            "actor": m.actor, "reason": m.reason}


def own_household(db: DB, household_id: HouseholdId, user: Annotated[User, Depends(current_user)]) -> int:
    """Checked as a dependency, so that a caller who may not work on the household is refused before the body is
    read."""
    return service.household_for(db, user, household_id).id


def officer_user(user: Annotated[User, Depends(current_user)]) -> User:
    service.check_officer(user)
    return user


@router.post("/households/{household_id}/corrections", response_model=CorrectionOut, status_code=201,
             dependencies=[Depends(verify_csrf)], responses=error_responses(400, 401, 403, 404, 409))
def correct(request: Request, db: DB, household_id: Annotated[int, Depends(own_household)],
            user: Annotated[User, Depends(current_user)], body: CorrectionIn) -> dict[str, Any]:
    """Correct one field of the household (or of one member), with a reason; the household is scored again. A
    field that decides who may see the household (its commune) is not corrected: a programme officer moves the
    household instead (403 for a social worker)."""
    score = service.correct(db, user, household_id, field_name=body.field, value=body.value, reason=body.reason,
                            member_id=body.member_id, review_id=body.review_id, ip=_ip(request))
    change = service.latest_change(db, household_id)
    return {"change": _change(change), "corrected": _score(score)}


def movable_household(db: DB, household_id: HouseholdId, _user: Annotated[User, Depends(officer_user)]) -> int:
    """Checked as a dependency: a number no household has is answered 404 before the body is read."""
    service.check_household_exists(db, household_id)
    return household_id


@router.post("/households/{household_id}/move", response_model=MoveOut, dependencies=[Depends(verify_csrf)],
             responses=error_responses(400, 401, 403, 404))
def move(request: Request, db: DB, household_id: Annotated[int, Depends(movable_household)],
         user: Annotated[User, Depends(officer_user)], body: MoveIn) -> dict[str, Any]:
    """Move the household to another commune (programme officers and admins), with a reason: the new commune's
    social workers see it from now on; the old commune's are told where it went. Recorded in its history and in
    the audit log."""
    moved = service.move_household(db, user, household_id, commune=body.commune, reason=body.reason,
                                   ip=_ip(request))
    return _move(household_id, moved)


@router.get("/households/{household_id}/moves", response_model=MovesOut, responses=error_responses(401, 403, 404))
def moves(request: Request, db: DB, household_id: HouseholdId,
          user: Annotated[User, Depends(current_user)]) -> dict[str, Any]:
    """Where the household is now and its moves between communes: for officers, admins, and the social workers of
    every commune it was in. The read is recorded."""
    found = service.household_moves(db, user, household_id, ip=_ip(request))
    return {"household_id": found.household_id, "commune": found.commune,
            "moves": [_move(found.household_id, m) for m in found.moves]}


@router.get("/verification-due", response_model=DueListOut, responses=error_responses(401, 403))
def verification_due(db: DB, user: Annotated[User, Depends(current_user)]) -> dict[str, Any]:
    """Households of the caller's commune not verified for a year, oldest first."""
    due = service.due_for_verification(db, user, limit=200)
    return {"total": due.total, "households": [{"household_id": hid, "district": district, "verified_at": at}
                                               for hid, district, at in due.rows]}


@router.get("/targeting", response_model=TargetingOut, responses=error_responses(400, 401, 403, 404))
def targeting(db: DB, user: Annotated[User, Depends(current_user)],
              programme: Annotated[str, Query(max_length=20, examples=["asd"])] = "asd",
              threshold: Annotated[float | None, Query(ge=0, le=20)] = None) -> dict[str, Any]:
    """Exclusion and inclusion errors, coverage by decile and AUC of the threshold in force (or one to try)."""
    found = service.targeting(db, user, programme, threshold)
    r = found.report
    return {"programme": programme, "rule": found.rule.version, "comparator": r.comparator,
            "threshold": r.threshold, "model_version": found.model_version, "households": r.households,
            "poor": r.poor, "selected": r.selected, "exclusion_error": r.exclusion_error,
            "inclusion_error": r.inclusion_error, "coverage_bottom_quintile": r.coverage_bottom_quintile,
            "coverage_by_decile": list(r.coverage_by_decile), "auc": r.auc}


@router.get("/cycles", response_model=list[CycleOut], responses=error_responses(401, 403))
def cycles(db: DB, user: Annotated[User, Depends(current_user)]) -> list[dict[str, Any]]:
    """Programme cycles, newest first, each with the model version, rule and comparator it froze."""
    return [{name: getattr(c, name) for name in CycleOut.model_fields} for c in service.list_cycles(db, user)]


@router.post("/cycles/{cycle_id}/cancel", response_model=CycleOut, dependencies=[Depends(verify_csrf)],
             responses=error_responses(400, 401, 403, 404, 409))
def cancel_cycle(db: DB, cycle_id: RowId, body: CancelIn, user: Annotated[User, Depends(officer_user)]
                 ) -> dict[str, Any]:
    """Cancel a draft cycle, with the reason (recorded): its entitlements go, and its month may be drawn again."""
    cancelled = service.cancel_cycle(db, user, cycle_id, body.reason)
    return {name: getattr(cancelled, name) for name in CycleOut.model_fields}


@router.post("/reviews", response_model=ReviewOut, status_code=201, responses=error_responses(400, 404, 409, 429))
def open_review(request: Request, db: DB, body: ReviewIn) -> Any:
    """A household asks for a review of its index, proving who it is with its tracking code and a member's birth
    date. Attempts are limited per connection; a refusal never says which of the two was wrong."""
    try:
        review = service.open_review_by_household(
            db, request.app.state.secret_key, body.tracking_code, body.birth_date, body.reason,
            client_ip(request), email=body.email, phone=body.phone,
            lang=current_language())
    except MajalError as refused:  # answered, not raised: the attempt must still count against the limit
        return JSONResponse({"detail": refused.translated(), "code": refused.code}, status_code=refused.status_code)
    return {"review_id": review.id, "status": review.status}


def calculator_user(user: Annotated[User, Depends(current_user)]) -> User:
    """Checked as a dependency, so that a caller without the role is refused before the body is read."""
    service.check_calculator(user)
    return user


@router.post("/entitlement", response_model=EntitlementOut, responses=error_responses(400, 401, 403))
def entitlement(body: EntitlementIn, _user: Annotated[User, Depends(calculator_user)]) -> dict[str, Any]:
    """Score one household given in the import format, decide each programme and break its ASD amount down, line by
    line (what `majal registry entitlement FILE.json` prints). Nothing is stored or read from the registry."""
    day = body.as_of or (programmes.year_reference_date(body.year) if body.year else date.today())
    row, detail = service.entitlement(body.household, body.members, day)
    return service.entitlement_json(row, detail, day)
