"""Bodies over the limit are refused (413) before a route reads them."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from majal.kit import i18n
from majal.kit.i18n import N_


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

        await interrupted(self.app, scope, receive, send, count)


async def interrupted(app: ASGIApp, scope: Scope, receive: Receive, send: Send,
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
