"""Public pages of the shell: home map, health check, API docs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from majal.accounts.deps import optional_user
from majal.accounts.models import User
from majal.kit.web import DB, Audience, render
from majal.territory import service as territory

router = APIRouter(include_in_schema=False)


@router.get("/", tags=[Audience.citizen])
def home(
    request: Request,
    db: DB,
    _user: Annotated[User | None, Depends(optional_user)],
) -> Response:
    return render(request, "home.html", {"overview": territory.overview(db)})


@router.get("/healthz", tags=[Audience.probe])
def healthz(db: DB) -> Response:
    db.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/docs", tags=[Audience.developer])
def docs(request: Request) -> Response:
    return render(request, "docs.html")
