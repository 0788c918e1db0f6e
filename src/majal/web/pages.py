"""Public pages of the shell: home map, health check, API docs."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts.deps import optional_user
from majal.accounts.models import User
from majal.kit.web import DB, Audience, render
from majal.territory import service as territory

router = APIRouter(include_in_schema=False)
HEALTH_THREADS = 2


@router.get("/", tags=[Audience.citizen])
def home(
    request: Request,
    db: DB,
    _user: Annotated[User | None, Depends(optional_user)],
) -> Response:
    return render(request, "home.html", {"overview": territory.overview(db)})


@router.get("/healthz", tags=[Audience.probe])
async def healthz(request: Request) -> Response:
    """The database answers. Checked on threads of its own, so a burst of requests that fills the shared thread pool
    cannot make the probe fail (and a supervisor restart a server that is only busy)."""
    state = request.app.state
    if getattr(state, "health_threads", None) is None:
        state.health_threads = anyio.CapacityLimiter(HEALTH_THREADS)
    await anyio.to_thread.run_sync(_database_answers, state.reads, limiter=state.health_threads)
    return JSONResponse({"status": "ok", "database": "ok"})


def _database_answers(reads: sessionmaker[Session]) -> None:
    with reads() as db:
        db.execute(text("SELECT 1"))


@router.get("/docs", tags=[Audience.developer])
def docs(request: Request) -> Response:
    return render(request, "docs.html")
