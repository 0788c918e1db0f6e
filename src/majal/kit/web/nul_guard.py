"""A NUL character in any text a route could read is refused (400), once, before any route sees it."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qsl

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from majal.kit.errors import MajalError
from majal.kit.validation import NUL_REFUSED, nul_path, shown_key
from majal.kit.web.body_limit import interrupted

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

        await interrupted(self.app, scope, receive, send, check)

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
