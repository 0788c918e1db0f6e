"""Cached answers as HTTP: ETag, 304 and stored gzip."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from majal.kit.cache import Answer


def cached_response(request: Request, answer: Answer, media_type: str) -> Response:
    """A cached answer as HTTP: 304 when the client holds it already, its stored gzip when the client takes gzip."""
    headers = {"ETag": answer.etag, "Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
    if answer.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "") and len(answer.body) > 1024:
        return Response(answer.gzipped(), media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(answer.body, media_type=media_type, headers=headers)
