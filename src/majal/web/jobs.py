"""Jobs from the console: cancel one, or start a failed one again. A domain's page shows its job with the
`job_panel` macro (web/templates/jobs.html), whose buttons post here and come back to that page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from majal.accounts.deps import current_user
from majal.accounts.models import User
from majal.kit import jobs
from majal.kit.errors import Forbidden
from majal.kit.i18n import N_
from majal.kit.security import Role
from majal.kit.validation import RowId
from majal.kit.web import DB, same_origin_path, verify_csrf

router = APIRouter(include_in_schema=False)
Back = Annotated[str, Form(max_length=500)]


@router.post("/console/jobs/{job_id}/cancel", dependencies=[Depends(verify_csrf)])
def cancel(db: DB, job_id: RowId, user: Annotated[User, Depends(current_user)], back: Back = "/console") -> Response:
    _check_owner(db, job_id, user)
    jobs.cancel(db, job_id, actor=user.username)
    return RedirectResponse(_back(back, "cancelled"), status_code=303)


@router.post("/console/jobs/{job_id}/retry", dependencies=[Depends(verify_csrf)])
def retry(db: DB, job_id: RowId, user: Annotated[User, Depends(current_user)], back: Back = "/console") -> Response:
    _check_owner(db, job_id, user)
    jobs.retry(db, job_id, actor=user.username)
    return RedirectResponse(_back(back, "queued"), status_code=303)


def _check_owner(db: DB, job_id: int, user: User) -> None:
    """Whoever queued a job may stop or restart it, and an administrator."""
    if user.role != Role.admin and jobs.get(db, job_id).requested_by != user.username:
        raise Forbidden(N_("Only whoever started this job, or an administrator, can change it."))


def _back(back: str, outcome: str) -> str:
    """The page the button was on (a path of this site only), told what happened so that it can say so."""
    return f"{same_origin_path(unquote(urlsplit(back).path) or '/console')}?{urlencode({'job': outcome})}"
