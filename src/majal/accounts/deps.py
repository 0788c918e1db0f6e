"""FastAPI dependencies that identify the caller: staff session cookie or integration API key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from majal.accounts import service
from majal.accounts.models import ApiKey, User
from majal.kit.errors import Forbidden, Unauthorized
from majal.kit.i18n import N_
from majal.kit.web import DB

SESSION_COOKIE = "majal_session"
API_KEY_HEADER = "x-api-key"


def login_policy(request: Request) -> service.LoginPolicy:
    settings = request.app.state.settings
    return service.LoginPolicy(
        max_failures=settings.login_max_failures,
        window=timedelta(minutes=settings.login_window_minutes),
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_max_hours),
    )


def optional_user(request: Request, db: DB) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        user = service.session_user(db, token, login_policy(request))
    except Unauthorized:
        return None
    request.state.user = user
    return user


def current_user(request: Request, db: DB) -> User:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized(service.SIGN_IN_REQUIRED)
    user = service.session_user(db, token, login_policy(request))
    request.state.user = user
    return user


def require_role(*roles: str) -> Callable[..., User]:
    """Dependency: a signed-in staff member holding one of `roles` (admins pass everywhere)."""

    def dependency(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role != "admin" and user.role not in roles:
            raise Forbidden(N_("Your role does not give access to this page."))
        return user

    return dependency


def api_key(request: Request, db: DB) -> ApiKey:
    """Dependency for integrations: the key in the `X-API-Key` header or the `api_key` parameter (Open311)."""
    key = request.headers.get(API_KEY_HEADER) or request.query_params.get("api_key")
    if not key:
        raise Unauthorized(N_("An API key is required."))
    return service.api_key_for(db, key)
