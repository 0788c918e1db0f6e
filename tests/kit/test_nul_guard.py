"""The NUL guard on its own, over bodies that arrive in pieces: what routes read as text is checked, files are not,
and a refused body never reaches the route whole."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from majal.kit.errors import MajalError
from majal.kit.web import NulGuardMiddleware

BOUNDARY = "b0undary"


def guarded() -> tuple[TestClient, list[str]]:
    reached: list[str] = []

    async def echo(request: Request) -> Response:
        body = await request.body()
        reached.append(body.decode("latin-1"))
        return PlainTextResponse("ok")

    def refuse(_request: Request, error: MajalError) -> Response:
        return PlainTextResponse(f"refused: {error.where}", status_code=400)

    app = Starlette(routes=[Route("/echo", echo, methods=["POST"])])
    return TestClient(NulGuardMiddleware(app, refuse=refuse)), reached


def pieces(body: bytes, size: int) -> Iterator[bytes]:
    yield from (body[start:start + size] for start in range(0, len(body), size))


def multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


@pytest.mark.parametrize("size", [1, 7, 4096])
def test_a_nul_in_a_streamed_text_field_is_refused_before_the_route_has_the_body(size: int) -> None:
    client, reached = guarded()
    body = multipart(("photo", "p.jpg", b"\xff\xd8\x00\x00" * 500), ("description", None, b"lamp\x00out"))
    answer = client.post("/echo", content=pieces(body, size), headers=MULTIPART)
    assert (answer.status_code, answer.text, reached) == (400, "refused: description", [])


@pytest.mark.parametrize("size", [1, 4096])
def test_files_may_hold_nul(size: int) -> None:
    client, reached = guarded()
    body = multipart(("photo", "p.jpg", b"\x00" * 3000), ("description", None, b"lamp out"))
    assert client.post("/echo", content=pieces(body, size), headers=MULTIPART).status_code == 200
    assert len(reached) == 1


@pytest.mark.parametrize(("content_type", "body", "refused"), [
    ("application/x-www-form-urlencoded", b"a=1&note=" + b"x" * 5000 + b"%00", True),
    ("application/x-www-form-urlencoded", b"a=%2500", False),  # the text "%00", not a NUL
    ("application/json", b'{"a": ["x", {"b": "\\u0000"}]}', True),
    ("application/json", b'{"a": "\\\\u0000"}', False),  # a backslash, then "u0000"
    ("application/json", b'{"a": "\\\\\\u0000"}', True),  # a backslash, then a NUL
    ("application/merge-patch+json", b'{"a": "\\u0000"}', True),
    ("", b'{"a": "\\u0000"}', True),  # FastAPI reads a body without a type as JSON
    ("application/json", b'{"not json": \\u0000', False),  # the route's own refusal
    ("application/octet-stream", b"\x00\x01", False),  # no route reads this as text
])
def test_bodies_by_type(content_type: str, body: bytes, refused: bool) -> None:
    client, reached = guarded()
    answer = client.post("/echo", content=pieces(body, 3), headers={"content-type": content_type})
    assert answer.status_code == (400 if refused else 200), answer.text
    assert reached == ([] if refused else [body.decode("latin-1")])


def test_the_query_names_its_parameter() -> None:
    client, _reached = guarded()
    assert client.post("/echo?ok=1&name=a%00").text == "refused: name"
    assert client.post("/echo?ok=%2500").status_code == 200
