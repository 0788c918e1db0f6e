"""The thin web layer's shared parts: the shell (language, security headers), templates, CSRF, the request's
transaction and form, cached answers, and the guards on bodies (size, NUL characters)."""

from __future__ import annotations

from majal.kit.web.answers import cached_response
from majal.kit.web.body_limit import TOO_LARGE, BodyLimitMiddleware
from majal.kit.web.csrf import (
    BROWSER_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    check_csrf,
    request_csrf_token,
    submitted_csrf,
    verify_csrf,
)
from majal.kit.web.deps import DB, UNSAFE_METHODS, ReadDB, form_data, get_db, get_read_db, write_slot
from majal.kit.web.nul_guard import NulGuardMiddleware
from majal.kit.web.shell import LANGUAGE_COOKIE, Audience, WebShellMiddleware, client_ip
from majal.kit.web.templates import (
    PACKAGE_DIR,
    language_url,
    query_url,
    render,
    same_origin_path,
    template_environment,
)

__all__ = [
    "BROWSER_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "DB",
    "LANGUAGE_COOKIE",
    "PACKAGE_DIR",
    "TOO_LARGE",
    "UNSAFE_METHODS",
    "Audience",
    "BodyLimitMiddleware",
    "NulGuardMiddleware",
    "ReadDB",
    "WebShellMiddleware",
    "cached_response",
    "check_csrf",
    "client_ip",
    "form_data",
    "get_db",
    "get_read_db",
    "language_url",
    "query_url",
    "render",
    "request_csrf_token",
    "same_origin_path",
    "submitted_csrf",
    "template_environment",
    "verify_csrf",
    "write_slot",
]
