"""Sign-in, sign-out and the staff console shell."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from majal.accounts import service, staff
from majal.accounts.deps import SESSION_COOKIE, current_user, login_policy, optional_user
from majal.accounts.models import User
from majal.accounts.schemas import StaffMember
from majal.kit.errors import TooManyRequests
from majal.kit.i18n import gettext
from majal.kit.web import DB, Audience, client_ip, render, verify_csrf
from majal.territory import service as territory

router = APIRouter(include_in_schema=False)


@router.get("/login", tags=[Audience.citizen])
def login_form(
    request: Request, user: Annotated[User | None, Depends(optional_user)], next: str = "/console"
):
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "accounts/login.html", {"next": _safe_next(next)})


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    db: DB,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "/console",
) -> Response:
    ip = client_ip(request)
    policy = login_policy(request)
    try:
        user = service.authenticate(db, username, password, ip, policy, request.app.state.secret_key)
    except TooManyRequests as refused:
        return render(
            request,
            "accounts/login.html",
            {"error": refused.translated(), "username": username, "next": _safe_next(next)},
            status_code=429,
        )
    if user is None:
        # The failure's audit event must be kept even though the answer is an error: commit it here.
        db.commit()
        return render(
            request,
            "accounts/login.html",
            {"error": gettext(service.BAD_CREDENTIALS), "username": username, "next": _safe_next(next)},
            status_code=401,
        )
    token = service.open_session(db, user, policy)
    response = RedirectResponse(_safe_next(next), status_code=303)
    secure = request.app.state.settings.secure_cookies or request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=int(policy.lifetime.total_seconds()),
    )
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, db: DB) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.close_session(db, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/console", tags=[Audience.staff])
def console(
    request: Request, db: DB, user: Annotated[User, Depends(current_user)]
) -> Response:
    staff = [_describe(member) for member in service.staff_visible_to(db, user)]
    return render(
        request,
        "accounts/console.html",
        {
            "user": user,
            **_describe(user).model_dump(),
            "overview": territory.overview(db),
            "staff": staff,
        },
    )


def _describe(user: User) -> StaffMember:
    return StaffMember(
        username=user.username,
        full_name=user.full_name,
        role_label=staff.role_label(user.role),
        department_label=staff.department_label(user.department) if user.department else None,
    )


def _safe_next(target: str) -> str:
    """Only same-site paths, so the login page cannot be used to send people elsewhere."""
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return "/console"
    return target
