"""Concurrent writes against a real server: no freeze, no 5xx, every acknowledged write stored once.

20 Open311 clients sharing one API key and 20 citizens on the portal post at the same moment to a real Uvicorn in
a child process, on SQLite and on PostgreSQL; /healthz is probed all along. Then retries: the same Open311 POST with
the same Idempotency-Key and the same portal form sent again file nothing more. The longer version, with staff
status changes and a SIGKILL in the middle, is bench/write_load.py (same code, tests/writeload.py).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from pathlib import Path

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from majal.kit.web import get_db
from majal.requests.models import ServiceRequest
from tests import crashlib, writeload

WRITERS = 20
ANSWER_WITHIN = 10.0  # seconds, for every request of the burst


def _burst(url: str, api_key: str) -> writeload.Load:
    async def run() -> writeload.Load:
        load = writeload.Load()
        start, stop = asyncio.Event(), asyncio.Event()
        ready = [0]

        def one_ready() -> None:
            ready[0] += 1

        deadline = time.perf_counter() + 120
        reporters = [asyncio.ensure_future(writeload.portal_reporter(url, n, load, 1, deadline, start, one_ready))
                     for n in range(WRITERS)]
        clients = [asyncio.ensure_future(writeload.open311_writer(url, api_key, n, load, 1, deadline, start))
                   for n in range(WRITERS)]
        while ready[0] < WRITERS and time.perf_counter() < deadline:  # every form open, then all send at once
            await asyncio.sleep(0.01)
        prober = asyncio.ensure_future(writeload.health_prober(url, load, stop, every=0.1))
        await asyncio.sleep(0.2)
        start.set()
        await asyncio.gather(*reporters, *clients)
        stop.set()
        await prober
        load.finished = time.perf_counter()
        return load

    return asyncio.run(run())


def test_a_burst_of_reports_is_answered_and_stored_once(
    engine: Engine, sessions: sessionmaker[Session], database_url: str, demo_territory: None, tmp_path: Path
) -> None:
    fixture = writeload.prepare(sessions, "test-secret-key", staff_members=0)
    env = crashlib.server_env(database_url, tmp_path / "data", "test-secret-key")
    env["MAJAL_REPORTS_PER_HOUR"] = "1000"  # 20 citizens behind one address (loopback)
    with crashlib.ServerProcess(env, tmp_path / "server.log") as server:
        server.start()
        load = _burst(server.url, fixture.api_key)
        posts = load.of("open311 post") + load.of("portal post")
        assert len(posts) == 2 * WRITERS, server.log_tail()
        assert not load.server_errors(), [(s.kind, s.status) for s in load.server_errors()]
        assert all(s.status is not None for s in posts), "every POST is answered"
        slowest = max(s.seconds for s in posts)
        assert slowest < ANSWER_WITHIN, f"the slowest POST took {slowest:.1f} s"
        assert len(load.acknowledged) == 2 * WRITERS, sorted({s.status for s in posts})
        health = load.of("healthz")
        burst = (min(s.started for s in posts), max(s.started + s.seconds for s in posts))
        during = [s for s in health if burst[0] <= s.started <= burst[1]]
        assert during and all(s.status == 200 for s in during), [(s.status, s.seconds) for s in health]

        result = writeload.check(engine, load)
        assert result.ok and result.found == 2 * WRITERS, result.summary()
        assert result.committed_unacknowledged == 0


def test_a_retried_post_files_nothing_more(
    engine: Engine, sessions: sessionmaker[Session], database_url: str, demo_territory: None, tmp_path: Path
) -> None:
    fixture = writeload.prepare(sessions, "test-secret-key", staff_members=0)
    env = crashlib.server_env(database_url, tmp_path / "data", "test-secret-key")
    with crashlib.ServerProcess(env, tmp_path / "server.log") as server:
        server.start()
        form = {"api_key": fixture.api_key, "service_code": writeload.SERVICE, **writeload.POINT,
                "description": "load retried"}
        key = {"Idempotency-Key": "5b0c8c1e-retry"}
        with httpx2.Client(base_url=server.url, timeout=30) as http:
            first, again = (http.post("/open311/v2/requests.json", data=form, headers=key) for _ in range(2))
            assert first.status_code == again.status_code == 201
            assert first.json() == again.json()
            other = http.post("/open311/v2/requests.json", data={**form, "description": "other"}, headers=key)
            assert other.status_code == 422, other.text  # the same key for another request: refused
            assert "Idempotency-Key" in other.json()[0]["description"]
            page = http.get("/report")
            report = {"csrf_token": writeload.CSRF_INPUT.search(page.text).group(1),  # type: ignore[union-attr]
                      "form_id": writeload.FORM_ID_INPUT.search(page.text).group(1),  # type: ignore[union-attr]
                      "service_code": writeload.SERVICE, "lat": writeload.POINT["lat"],
                      "lon": writeload.POINT["long"], "description": "load portal retried", "confirm_new": "1"}
            sent = [http.post("/report", data=report, follow_redirects=False) for _ in range(2)]
            assert [s.status_code for s in sent] == [303, 303]
            assert sent[0].headers["location"] == sent[1].headers["location"]
    with sessions() as db:
        stored = dict(db.execute(select(ServiceRequest.description, func.count()).where(
            ServiceRequest.description.in_(("load retried", "other", "load portal retried")))
            .group_by(ServiceRequest.description)).all())
    assert stored == {"load retried": 1, "load portal retried": 1}


def test_no_async_route_or_dependency_touches_the_database(app: FastAPI) -> None:
    """An `async def` runs on the event loop: database work there stops every other request while it waits."""
    offenders: list[str] = []

    def visit(dependant: Dependant, where: str) -> None:
        uses_db = any(sub.call is get_db for sub in dependant.dependencies)
        if uses_db and dependant.call is not None and inspect.iscoroutinefunction(dependant.call):
            offenders.append(f"{where}: {dependant.call.__module__}.{dependant.call.__qualname__}")
        for sub in dependant.dependencies:
            visit(sub, where)

    routes = [context for context in iter_route_contexts(app.routes) if isinstance(context.route, APIRoute)]
    assert len(routes) > 50
    for context in routes:
        visit(context.route.dependant, f"{sorted(context.methods or ())} {context.path}")
    assert not offenders, offenders


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_write_apart_from_a_request_waits_for_nothing(sessions: sessionmaker[Session], method: str,
                                                        engine: Engine) -> None:
    """The API key's "last used" is written apart from the request's transaction: after it commits (a POST), or
    at once from a read transaction (a GET); never holding a lock the request's transaction holds."""
    from majal.accounts import service as accounts
    from majal.accounts.models import ApiKey
    from majal.db import make_sessionmaker

    with sessions.begin() as db:
        key = accounts.create_api_key(db, f"apart {method}")
    reads = make_sessionmaker(engine, write=False)
    with (sessions if method == "POST" else reads).begin() as db:
        accounts.api_key_for(db, key)
        with reads() as other:  # another connection sees the touch only once it is committed
            before = other.scalar(select(ApiKey.last_used_at).where(ApiKey.name == f"apart {method}"))
        assert (before is None) == (method == "POST")
    with sessions() as db:
        assert db.scalar(select(ApiKey.last_used_at).where(ApiKey.name == f"apart {method}")) is not None
