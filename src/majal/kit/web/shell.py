"""The web shell every answer passes through: the reader's language, the per-browser CSRF seed, security
headers; and who a page is for, and who is calling."""

from __future__ import annotations

from enum import StrEnum

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from majal.kit import i18n
from majal.kit.web.csrf import BROWSER_COOKIE

LANGUAGE_COOKIE = "majal_lang"


class Audience(StrEnum):
    """Who a page is for, declared as a route tag: the quality guards crawl pages by audience."""

    citizen = "citizen"  # public, anonymous, light enough for a cheap phone
    staff = "staff"  # behind sign-in
    developer = "developer"  # integrators' documentation
    probe = "probe"  # machine checks, not a page


def client_ip(request: Request) -> str:
    """The caller's address: the connection's peer, or the client a trusted proxy names (see create_app).

    The only place the code reads it, so rate limits and the audit log agree on who called."""
    return request.client.host if request.client else "unknown"


class WebShellMiddleware:
    """Chooses the language, keeps the per-browser CSRF seed (see request_csrf_token), adds security headers.

    Plain ASGI rather than BaseHTTPMiddleware: bodies pass straight through, which matters for large answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        settings = scope["app"].state.settings
        requested = request.query_params.get("lang")
        lang = i18n.negotiate(requested, request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language"),
                              settings.language)
        i18n.set_language(lang)
        request.state.lang = lang
        browser_token = request.cookies.get(BROWSER_COOKIE)
        request.state.browser_token = browser_token if browser_token and len(browser_token) <= 128 else None
        secure = settings.secure_cookies or request.url.scheme == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cookies = Response()
                if requested in i18n.LANGUAGES:
                    cookies.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=secure)
                made = request.state.browser_token
                if made is not None and made != browser_token:  # a page handed out this browser's first form token
                    cookies.set_cookie(BROWSER_COOKIE, made, httponly=True, samesite="lax", secure=secure)
                for value in cookies.headers.getlist("set-cookie"):
                    headers.append("set-cookie", value)
                headers["Content-Language"] = lang
                _security_headers(headers, settings.tile_url, secure)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _security_headers(headers: MutableHeaders, tile_url: str, secure: bool) -> None:
    tile_origin = "/".join(tile_url.split("/")[:3]) if tile_url.startswith("http") else ""
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: blob: {tile_origin}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=()"
    if secure:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
