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
from majal.registry import programmes, service
from majal.registry.models import Score
from majal.registry.schemas import (
    CancelIn,
    CycleOut,
    DueListOut,
    EntitlementIn,
    EntitlementOut,
    HouseholdOut,
    ReviewIn,
    ReviewOut,
    TargetingOut,
)

router = APIRouter(prefix="/api/v1/registry", tags=["registry"])


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
                                  reason=reason or "api", identifiers=identifiers,
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
        "changes": [{"at": c.at, "actor": c.actor, "field": c.field, "member_id": c.member_id,
                     "old_value": c.old_value, "new_value": c.new_value, "reason": c.reason} for c in view.changes],
    }


@router.get("/verification-due", response_model=DueListOut, responses=error_responses(401, 403))
def verification_due(db: DB, user: Annotated[User, Depends(current_user)]) -> dict[str, Any]:
    """Households of the caller's commune not verified for a year, oldest first."""
    due = service.due_for_verification(db, user, limit=200)
    return {"total": due.total, "households": [{"household_id": hid, "district": district, "verified_at": at}
                                               for hid, district, at in due.rows]}


@router.get("/targeting", response_model=TargetingOut, responses=error_responses(400, 401, 403))
def targeting(user: Annotated[User, Depends(current_user)],
              programme: Annotated[str, Query(max_length=20, examples=["asd"])] = "asd",
              threshold: Annotated[float | None, Query(ge=0, le=20)] = None) -> dict[str, Any]:
    """Exclusion and inclusion errors, coverage by decile and AUC of the threshold in force (or one to try)."""
    found = service.targeting(user, programme, threshold)
    r = found.report
    return {"programme": programme, "rule": found.rule.version, "comparator": r.comparator,
            "threshold": r.threshold, "model_version": found.model_version, "households": r.households,
            "poor": r.poor, "selected": r.selected, "exclusion_error": r.exclusion_error,
            "inclusion_error": r.inclusion_error, "coverage_bottom_quintile": r.coverage_bottom_quintile,
            "coverage_by_decile": list(r.coverage_by_decile), "auc": r.auc}


@router.get("/cycles", response_model=list[CycleOut], responses=error_responses(401, 403))
def cycles(db: DB, user: Annotated[User, Depends(current_user)]) -> list[dict[str, Any]]:
    """Programme cycles, newest first, each with the model version, rule and comparator it froze."""
    return [{name: getattr(c, name) for name in CycleOut.model_fields} for c in service.cycles(db, user)]


def officer_user(user: Annotated[User, Depends(current_user)]) -> User:
    """Checked as a dependency, so that a caller without the role is refused before the body is read."""
    service.check_officer(user)
    return user


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
