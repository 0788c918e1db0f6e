"""Matching pages for social workers and programme officers: the review queue, a pair side by side with its
decision, undoing a merge, and starting a run."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from majal.accounts.deps import current_user
from majal.accounts.models import User
from majal.kit.errors import MajalError
from majal.kit.i18n import gettext
from majal.kit.validation import RowId, decimal_number, row_id
from majal.kit.web import DB, Audience, client_ip, render, verify_csrf
from majal.registry import labels
from majal.registry.matching import agreement
from majal.registry.matching import service as matching

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]
MATCHING = "/console/registry/matching"


def _words() -> dict[str, Any]:
    return {"reason_labels": {key: gettext(value) for key, value in matching.REASON_LABELS.items()},
            "status_labels": {key: gettext(value) for key, value in matching.STATUS_LABELS.items()},
            "label": labels.value_label}


@router.get(MATCHING, tags=[Audience.staff])
def queue_page(request: Request, db: DB, user: Annotated[User, Depends(current_user)],
               status: Annotated[str, Query(max_length=20)] = "review",
               reason: Annotated[str, Query(max_length=20)] = "",
               list_id: Annotated[str, Query(max_length=20)] = "",
               min_probability: Annotated[str, Query(max_length=20)] = "",
               offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    """The filters come from a form whose "all" is an empty value: a value that is not one counts as no filter."""
    return _queue_page(request, db, user, status=status, reason=reason,
                       list_id=row_id(list_id),
                       min_probability=_probability(min_probability), offset=offset)


def _probability(text: str) -> float | None:
    try:
        value = decimal_number(text)
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def _queue_page(request: Request, db: DB, user: User, *, status: str = "review", reason: str = "",
                list_id: int | None = None, min_probability: float | None = None, offset: int = 0,
                error: str | None = None, status_code: int = 200) -> Response:
    chosen_status = status if status in matching.STATUSES else None
    chosen_reason = reason if reason in matching.REASONS else None
    found = matching.queue(db, user, status=chosen_status, reason=chosen_reason, list_id=list_id,
                           min_probability=min_probability, offset=offset, ip=client_ip(request))
    filters = {"status": chosen_status or "all", "reason": chosen_reason or "", "list_id": list_id or "",
               "min_probability": "" if min_probability is None else min_probability}
    return render(request, "registry/matching_queue.html", {
        "queue": found, "runs": matching.runs(db, user), "error": error, "offset": offset,
        "page_size": matching.QUEUE_PAGE, "commune": matching.scope(user), "filters": filters,
        "run_limit": matching.WEB_RUN_LIMIT,
        "previous": urlencode({**filters, "offset": max(offset - matching.QUEUE_PAGE, 0)}),
        "next": urlencode({**filters, "offset": offset + matching.QUEUE_PAGE}),
        "statuses": matching.STATUSES, "reasons": matching.REASONS, **_words(),
    }, status_code=status_code)


@router.post(MATCHING + "/run", dependencies=[Depends(verify_csrf)])
def run(request: Request, db: DB, user: Annotated[User, Depends(current_user)], commune: Text = "") -> Response:
    """Run the matching now, for the worker's commune (an officer names one); a long run belongs to the CLI."""
    chosen = matching.scope(user) or commune.strip()
    try:
        with db.begin_nested():
            matching.check_commune(user, chosen)
            matching.run_matching(db, chosen, actor=user.username, limit=matching.WEB_RUN_LIMIT,
                                  ip=client_ip(request))
    except MajalError as refused:
        if refused.status_code in (401, 403):
            raise
        return _queue_page(request, db, user, error=refused.translated(), status_code=refused.status_code)
    return RedirectResponse(MATCHING, status_code=303)


@router.get(MATCHING + "/pairs/{pair_id}", tags=[Audience.staff])
def pair_page(request: Request, db: DB, pair_id: RowId, user: Annotated[User, Depends(current_user)]) -> Response:
    return _pair_page(request, db, user, pair_id)


def _pair_page(request: Request, db: DB, user: User, pair_id: int, error: str | None = None,
               status_code: int = 200) -> Response:
    view = matching.pair_view(db, user, pair_id, ip=client_ip(request))
    comparisons = [{"field": gettext(agreement.FIELD_LABELS[a.field]),
                    "level": gettext(agreement.LEVEL_LABELS[a.level]), "tone": a.tone} for a in view.agreements]
    return render(request, "registry/matching_pair.html", {
        "view": view, "pair": view.row.pair, "sides": (view.row.left, view.row.right), "comparisons": comparisons,
        "error": error, **_words()}, status_code=status_code)


def _act(request: Request, db: DB, user: User, pair_id: int, action: Any) -> Response:
    try:
        with db.begin_nested():
            action()
    except MajalError as refused:
        if refused.status_code in (401, 403, 404):
            raise
        return _pair_page(request, db, user, pair_id, error=refused.translated(), status_code=refused.status_code)
    return RedirectResponse(f"{MATCHING}/pairs/{pair_id}", status_code=303)


@router.post(MATCHING + "/pairs/{pair_id}/decide", dependencies=[Depends(verify_csrf)])
def decide(request: Request, db: DB, pair_id: RowId, user: Annotated[User, Depends(current_user)],
           decision: Text = "", reason: Text = "") -> Response:
    return _act(request, db, user, pair_id,
                lambda: matching.decide(db, user, pair_id, decision, reason, ip=client_ip(request)))


@router.post(MATCHING + "/merges/{merge_id}/undo", dependencies=[Depends(verify_csrf)])
def undo(request: Request, db: DB, merge_id: RowId, user: Annotated[User, Depends(current_user)],
         reason: Text = "") -> Response:
    found = matching.merge_for(db, user, merge_id)
    return _act(request, db, user, found.pair_id or 0,
                lambda: matching.undo_merge(db, user, merge_id, reason, ip=client_ip(request)))
