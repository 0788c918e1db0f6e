"""The thin web layer's shared parts: templates, per-request language, CSRF, security headers, DB sessions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import Depends, Request
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, MutableHeaders
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from majal.kit import i18n
from majal.kit.cache import Answer
from majal.kit.errors import Forbidden, MajalError
from majal.kit.i18n import N_
from majal.kit.security import csrf_token, csrf_valid, new_token
from majal.kit.validation import NUL_REFUSED, nul_path, shown_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LANGUAGE_COOKIE = "majal_lang"
BROWSER_COOKIE = "majal_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Audience(StrEnum):
    """Who a page is for, declared as a route tag: the quality guards crawl pages by audience."""

    citizen = "citizen"  # public, anonymous, light enough for a cheap phone
    staff = "staff"  # behind sign-in
    developer = "developer"  # integrators' documentation
    probe = "probe"  # machine checks, not a page


def template_environment() -> Environment:
    """One Jinja environment over the shared templates and the `templates/` folder of every domain and of every room
    inside one (`registry/matching/templates`)."""
    folders = [PACKAGE_DIR / "web" / "templates"]
    folders += sorted(path for path in PACKAGE_DIR.glob("*/templates") if path.parent.name != "web")
    folders += sorted(PACKAGE_DIR.glob("*/*/templates"))
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in folders]),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.translations(i18n.current_language()).ugettext(message),
        lambda singular, plural, n: i18n.translations(i18n.current_language()).ungettext(singular, plural, n),
        newstyle=True,
    )
    env.globals.update(
        languages=i18n.LANGUAGES,
        language_names=i18n.LANGUAGE_NAMES,
        localized_name=i18n.localized_name,
    )
    env.filters["number"] = i18n.format_number
    env.filters["moment"] = i18n.format_moment
    env.filters["duration"] = i18n.format_duration
    return env


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    env: Environment = request.app.state.templates
    lang = i18n.current_language()
    values = {
        "request": request,
        "lang": lang,
        "dir": i18n.text_direction(lang),
        "csrf_token": request_csrf_token(request),
        "current_user": getattr(request.state, "user", None),
        "language_url": lambda code: language_url(request, code),
        "page_url": lambda number: query_url(request, page=str(number)),
        "settings": request.app.state.settings,
        **(context or {}),
    }
    html = env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code)


def language_url(request: Request, code: str) -> str:
    return query_url(request, lang=code)


def query_url(request: Request, **changes: str) -> str:
    """This page's address with some query parameters replaced (repeated parameters are kept)."""
    kept = [(key, value) for key, value in request.query_params.multi_items() if key not in changes]
    path = request.scope.get("root_path", "") + request.scope["path"]  # decoded, unlike request.url.path
    return f"{same_origin_path(path)}?{urlencode(kept + list(changes.items()))}"


def same_origin_path(path: str) -> str:
    """A decoded path as a link that stays on this site: `//host/x` or `/\\host/x` would be read by a browser as
    another host, so the path starts with one slash, and everything else that could end it is escaped."""
    return "/" + quote(path.lstrip("/\\"), safe="/:@!$&'()*+,;=~")


def client_ip(request: Request) -> str:
    """The caller's address: the connection's peer, or the client a trusted proxy names (see create_app).

    The only place the code reads it, so rate limits and the audit log agree on who called."""
    return request.client.host if request.client else "unknown"


def request_csrf_token(request: Request) -> str:
    """The form token of this browser; its seed cookie is made on the first page with a form, not on every call."""
    if request.state.browser_token is None:
        request.state.browser_token = new_token()
    return csrf_token(request.app.state.secret_key, request.state.browser_token)


async def form_data(request: Request) -> FormData:
    """Dependency: the parsed form (read once; Starlette keeps it on the request). Parsing awaits the body, which
    lets the route itself be a plain `def` that runs its database work in the thread pool."""
    return await request.form()


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


async def write_slot(request: Request) -> AsyncIterator[None]:
    """On SQLite, a write request waits here, on the event loop, for one of a few slots before it takes a thread.

    Its transaction ends in a second call to the thread pool (the dependency's exit) while it still holds SQLite's
    one write lock; were the pool full of writers waiting for that lock, the commit would wait for a thread and the
    whole server with it. Writers beyond the slots wait without holding a thread, so the pool always has room."""
    state = request.app.state
    if request.method not in UNSAFE_METHODS or not state.write_slots:
        yield
        return
    loop = asyncio.get_running_loop()
    if getattr(state, "write_slots_loop", None) is not loop:  # a semaphore belongs to one event loop
        state.write_slots_semaphore, state.write_slots_loop = asyncio.Semaphore(state.write_slots), loop
    async with state.write_slots_semaphore:
        yield


def get_db(request: Request, _slot: Annotated[None, Depends(write_slot, scope="function")]) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on any error.

    A POST (PUT, PATCH, DELETE) gets a write transaction, anything else a read one (see majal.db): on SQLite a writer
    takes the one write lock before it reads, and a reader never waits for it."""
    state = request.app.state
    with (state.sessions if request.method in UNSAFE_METHODS else state.reads).begin() as session:
        yield session


# scope="function" commits before the response leaves: a client that saw "done" will find the write.
DB = Annotated[Session, Depends(get_db, scope="function")]


def cached_response(request: Request, answer: Answer, media_type: str) -> Response:
    """A cached answer as HTTP: 304 when the client holds it already, its stored gzip when the client takes gzip."""
    headers = {"ETag": answer.etag, "Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
    if answer.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "") and len(answer.body) > 1024:
        return Response(answer.gzipped(), media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(answer.body, media_type=media_type, headers=headers)


class BodyLimitMiddleware:
    """Refuses bodies over the limit (413) before the route reads them: from Content-Length when given, else by
    counting what arrives. Multipart forms (uploads) get the upload limit, everything else the plain one."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        upload = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        limit = self.max_upload_bytes if upload else self.max_bytes
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Without a declared length, count what arrives; past the limit the 413 replaces the app's answer."""
        received = 0

        def count(message: Message) -> Response | None:
            nonlocal received
            received += len(message.get("body", b""))
            return _too_large(limit) if received > limit else None

        await _interrupted(self.app, scope, receive, send, count)


async def _interrupted(app: ASGIApp, scope: Scope, receive: Receive, send: Send,
                       check: Callable[[Message], Response | None]) -> None:
    """Run the app while `check` reads each part of the body as it arrives. When `check` answers, the app sees the
    client leave (it cannot act on a body it never got whole), and that answer replaces whatever it would send."""
    refusal: Response | None = None
    started = False

    async def checked_receive() -> Message:
        nonlocal refusal
        if refusal is not None:
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.request":
            refusal = check(message)
            if refusal is not None:
                return {"type": "http.disconnect"}
        return message

    async def guarded_send(message: Message) -> None:
        nonlocal started
        if refusal is not None:
            return
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, checked_receive, guarded_send)
    except Exception:
        if refusal is None:
            raise
    if refusal is not None and not started:
        await refusal(scope, receive, send)


TOO_LARGE = N_("The request is larger than the %(limit_mb)s MB allowed.")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g}"


def _too_large(limit: int) -> Response:
    return JSONResponse({"detail": i18n.gettext(TOO_LARGE, limit_mb=_megabytes(limit)), "code": "too_large"},
                        status_code=413)


JSON_NUL = b"\\u0000"
Refuse = Callable[[Request, MajalError], Response]


class NulGuardMiddleware:
    """Refuses (400) a NUL character in any text a route could read: the path, the query string, a form or JSON body
    and the text fields of a multipart form (its files may hold anything). PostgreSQL cannot store NUL in text and
    no field has a use for it: refused here once, before any route sees it. `refuse` answers in the format of the
    path (the app's own refusal: JSON, Open311 or an HTML page)."""

    def __init__(self, app: ASGIApp, refuse: Refuse) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field = _nul_in_address(scope)
        if field is not None:
            await self._refusal(scope, field)(scope, receive, send)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
        scanner = _body_scanner(content_type)
        if scanner is None:
            await self.app(scope, receive, send)
            return

        def check(message: Message) -> Response | None:
            found = scanner(message.get("body", b""), not message.get("more_body", False))
            return None if found is None else self._refusal(scope, found)

        await _interrupted(self.app, scope, receive, send, check)

    def _refusal(self, scope: Scope, field: str) -> Response:
        return self.refuse(Request(scope), MajalError(NUL_REFUSED, where=field or None))


def _nul_in_address(scope: Scope) -> str | None:
    """The parameter (or "path") whose text holds a NUL, if one does; "%00" is the only way to write one there."""
    if "\x00" in scope["path"]:
        return "path"
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        return _nul_field(parse_qsl(query.decode("latin-1"), keep_blank_values=True))
    return None


def _nul_field(pairs: list[tuple[str, str]]) -> str:
    for key, value in pairs:
        if "\x00" in key or "\x00" in value:
            return shown_key(key)
    return ""


Scanner = Callable[[bytes, bool], str | None]


def _body_scanner(content_type: str) -> Scanner | None:
    """What finds a NUL in a body of this type, chunk by chunk: it answers the field holding one ("" when it cannot
    say which), or None. None for types no route reads as text."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "multipart/form-data":
        return _multipart_scanner(content_type)
    if kind == "application/x-www-form-urlencoded":
        return _whole_body(_form_nul)
    if kind in ("", "application/json") or kind.endswith("+json"):
        return _whole_body(_json_nul)
    return None


def _whole_body(find: Callable[[bytes], str | None]) -> Scanner:
    """Forms and JSON are read whole by the routes too (and kept small by BodyLimitMiddleware): checked at the end."""
    parts: list[bytes] = []

    def scan(chunk: bytes, last: bool) -> str | None:
        parts.append(chunk)
        return find(b"".join(parts)) if last else None

    return scan


def _form_nul(body: bytes) -> str | None:
    if b"%00" not in body and b"\x00" not in body:
        return None
    return _nul_field(parse_qsl(body.decode("latin-1"), keep_blank_values=True))


def _json_nul(body: bytes) -> str | None:
    """A raw NUL, or the escape \\u0000 inside a string or a key (the exact check only runs when the six bytes
    are there; a body that is not JSON is left to the route's own refusal)."""
    if b"\x00" in body:
        return ""
    if JSON_NUL not in body:
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None
    return nul_path(document)


def _multipart_scanner(content_type: str) -> Scanner | None:
    _kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    return _MultipartScan(boundary).scan if boundary else None


class _MultipartScan:
    """Reads a multipart form as it streams: NUL refused in part headers and in text fields, not in files (a part
    with a filename, as Starlette tells them apart). A form the parser cannot read is left to the route's refusal."""

    def __init__(self, boundary: bytes) -> None:
        self.found: str | None = None
        self.broken = False
        self.name, self.is_file = "", False
        self.header_field, self.header_value = b"", b""
        self.parser = MultipartParser(boundary, {
            "on_part_begin": self._part_begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end, "on_part_data": self._data,
        })

    def scan(self, chunk: bytes, _last: bool) -> str | None:
        if not self.broken and self.found is None:
            try:
                self.parser.write(chunk)
            except MultipartParseError:
                self.broken = True
        return self.found

    def _part_begin(self) -> None:
        self.name, self.is_file = "", False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def _header_end(self) -> None:
        field, value = self.header_field.lower(), self.header_value
        self.header_field, self.header_value = b"", b""
        if field == b"content-disposition":
            _disposition, params = parse_options_header(value)
            self.name = shown_key(params.get(b"name", b"").decode("utf-8", "replace"))
            self.is_file = b"filename" in params
        if b"\x00" in field + value and self.found is None:
            self.found = self.name

    def _data(self, data: bytes, start: int, end: int) -> None:
        if not self.is_file and self.found is None and b"\x00" in data[start:end]:
            self.found = self.name


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
