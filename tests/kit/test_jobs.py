"""The one job queue: queued, run under a lease with progress, cancelled, failed with its message, retried; a job
whose worker died is taken again; two workers never take the same job."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from majal.kit import jobs
from majal.kit.clock import utcnow
from majal.kit.errors import Conflict, MajalError
from majal.kit.i18n import N_

KIND = "test.count"


def queue(sessions: sessionmaker[Session], count: int = 1, **options: Any) -> list[int]:
    with sessions.begin() as db:
        return [jobs.enqueue(db, KIND, {"n": n}, actor="tester", subject=f"thing:{n}", **options).id
                for n in range(count)]


def state(sessions: sessionmaker[Session], job_id: int) -> jobs.Job:
    with sessions.begin() as db:
        return jobs.get(db, job_id)


def test_a_queued_job_runs_with_its_progress_and_ends_done(sessions: sessionmaker[Session]) -> None:
    [job_id] = queue(sessions)
    seen: list[tuple[dict[str, Any], float]] = []

    def handler(s: sessionmaker[Session], params: dict[str, Any], progress: jobs.Progress) -> None:
        progress(0.5, now=True)
        seen.append((params, state(s, job_id).progress))

    assert jobs.run_queued(sessions, {KIND: handler}) == 1
    assert seen == [({"n": 0}, 0.5)]
    done = state(sessions, job_id)
    assert (done.status, done.progress, done.attempts, done.error) == ("done", 1.0, 1, "")
    assert done.finished_at is not None and done.lease_until is None
    assert jobs.run_queued(sessions, {KIND: handler}) == 0  # nothing left


def test_a_failure_is_kept_with_its_message_tried_again_and_retried_by_hand(sessions: sessionmaker[Session]) -> None:
    [job_id] = queue(sessions, max_attempts=2)

    def handler(_s: sessionmaker[Session], _params: dict[str, Any], _progress: jobs.Progress) -> None:
        raise MajalError(N_("There is no active truck: import the fleet first."))

    assert jobs.run_queued(sessions, {KIND: handler}, limit=1) == 1
    first = state(sessions, job_id)
    assert (first.status, first.attempts) == ("queued", 1) and "no active truck" in first.error
    jobs.run_queued(sessions, {KIND: handler})
    failed = state(sessions, job_id)
    assert (failed.status, failed.attempts) == ("failed", 2) and "no active truck" in failed.error
    with sessions.begin() as db:
        assert jobs.retry(db, job_id, actor="tester").status == "queued"
    assert state(sessions, job_id).attempts == 0


def test_an_unexpected_error_fails_the_job_without_its_details(sessions: sessionmaker[Session]) -> None:
    [job_id] = queue(sessions)

    def handler(_s: sessionmaker[Session], _params: dict[str, Any], _progress: jobs.Progress) -> None:
        raise ZeroDivisionError("secret detail")

    jobs.run_queued(sessions, {KIND: handler})
    failed = state(sessions, job_id)
    assert failed.status == "failed" and "ZeroDivisionError" in failed.error and "secret" not in failed.error


def test_cancel_a_queued_job_and_a_running_one(sessions: sessionmaker[Session]) -> None:
    waiting, running = queue(sessions, 2)
    with sessions.begin() as db:
        assert jobs.cancel(db, waiting, actor="tester").status == "cancelled"
    reached: list[str] = []

    def handler(s: sessionmaker[Session], _params: dict[str, Any], progress: jobs.Progress) -> None:
        with s.begin() as db:
            jobs.cancel(db, running, actor="someone else")
        reached.append("before")
        progress(0.3, now=True)  # sees the cancellation and stops the handler here
        reached.append("after")

    assert jobs.run_queued(sessions, {KIND: handler}) == 1  # the cancelled one is not run
    assert reached == ["before"]
    assert (state(sessions, running).status, state(sessions, running).progress) == ("cancelled", 0.3)
    with sessions.begin() as db, pytest.raises(Conflict):
        jobs.cancel(db, running, actor="tester")
    with sessions.begin() as db, pytest.raises(Conflict):
        jobs.retry(db, queue(sessions)[0], actor="tester")  # a queued job is not retried


def test_a_job_whose_worker_died_is_taken_again_then_failed(sessions: sessionmaker[Session]) -> None:
    again, lost = queue(sessions, 2, max_attempts=2)
    with sessions.begin() as db:
        for job in db.scalars(select(jobs.Job)):
            job.status, job.attempts, job.lease_until = "running", 1 if job.id == again else 2, utcnow() - timedelta(1)
    ran: list[int] = []
    jobs.run_queued(sessions, {KIND: lambda _s, params, _p: ran.append(params["n"])})
    assert ran == [0]
    assert state(sessions, again).status == "done"
    died = state(sessions, lost)
    assert died.status == "failed" and "worker stopped" in died.error


def test_a_worker_takes_only_the_kinds_it_knows(sessions: sessionmaker[Session]) -> None:
    [job_id] = queue(sessions)
    assert jobs.run_queued(sessions, {"other.kind": lambda *_: None}) == 0
    assert jobs.run_queued(sessions, {}) == 0
    assert state(sessions, job_id).status == "queued"


def test_two_workers_never_take_the_same_job(sessions: sessionmaker[Session]) -> None:
    queue(sessions, 12)
    taken: list[int] = []
    lock = threading.Lock()

    def handler(_s: sessionmaker[Session], params: dict[str, Any], _progress: jobs.Progress) -> None:
        with lock:
            taken.append(params["n"])

    workers = [threading.Thread(target=jobs.run_queued, args=(sessions, {KIND: handler})) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(taken) == list(range(12))
    with sessions.begin() as db:
        assert {job.status for job in db.scalars(select(jobs.Job))} == {"done"}
