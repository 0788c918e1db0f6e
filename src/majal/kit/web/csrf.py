"""CSRF: a token per browser, handed out with forms and checked on every state-changing call."""

from __future__ import annotations

from fastapi import Request

from majal.kit.errors import Forbidden
from majal.kit.i18n import N_
from majal.kit.security import csrf_token, csrf_valid, new_token

BROWSER_COOKIE = "majal_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def request_csrf_token(request: Request) -> str:
    """The form token of this browser; its seed cookie is made on the first page with a form, not on every call."""
    if request.state.browser_token is None:
        request.state.browser_token = new_token()
    return csrf_token(request.app.state.secret_key, request.state.browser_token)


async def submitted_csrf(request: Request) -> str | None:
    """Dependency: the CSRF token the caller sent, in the X-CSRF-Token header or the form's field."""
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    return submitted


async def verify_csrf(request: Request) -> None:
    """Dependency for every state-changing form or cookie-authenticated call."""
    check_csrf(request, await submitted_csrf(request))


def check_csrf(request: Request, submitted: str | None) -> None:
    """The CSRF check itself, on the token the caller sent (see submitted_csrf)."""
    if not csrf_valid(request.app.state.secret_key, request.cookies.get(BROWSER_COOKIE), submitted):
        raise Forbidden(
            N_("This form has expired or did not come from this site. Reload the page and try again.")
        )
