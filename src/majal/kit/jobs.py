"""One job queue for every long task: collection plans, matching runs, imports started from a page.

A page queues a job (`enqueue`, in the transaction of the request that asks for it) and answers at once; the worker
(`majal worker`, or the thread `majal serve` runs beside the server) takes the oldest queued job of a kind it knows,
under a lease, and runs the domain's handler outside any transaction. The handler reports its progress through
`Progress`, which also ends the run when someone cancelled it. A job whose worker died (its lease ran out) is taken
again, up to its attempts; a failure is kept with its message for the page to show, and can be retried.

PostgreSQL: workers take jobs with `FOR UPDATE SKIP LOCKED`, so several never take the same one. SQLite: the write
transaction that takes a job holds the file's one write lock, which gives the same guarantee.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Text, and_, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from majal.db import Base
from majal.kit import audit
from majal.kit.clock import utcnow
from majal.kit.errors import Conflict, MajalError, NotFound
from majal.kit.i18n import N_, gettext

log = logging.getLogger("majal.jobs")

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)
LABELS = {QUEUED: N_("Waiting to start"), RUNNING: N_("Running"), DONE: N_("Done"), FAILED: N_("Failed"),
          CANCELLED: N_("Cancelled")}
LEASE = timedelta(minutes=2)  # renewed with each progress report: a job that reports nothing for this long is lost
REPORT_EVERY = 1.0  # seconds between two progress writes
KEEP = timedelta(days=30)  # finished jobs are forgotten after this
WORKER_DIED = N_("The worker stopped while running this job. Start it again.")


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)  # the handler's name, e.g. "cleanliness.plan"
    subject: Mapped[str] = mapped_column(String(64), default="", index=True)  # what it works on: "plan:12"
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    error: Mapped[str] = mapped_column(Text, default="")  # the last failure, in the language of whoever queued
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def status_label(self) -> str:
        return gettext(LABELS[self.status])


class Cancelled(Exception):
    """Raised by `Progress` when the job was cancelled: the handler stops, and what it wrote so far stays."""


class Handler(Protocol):
    def __call__(self, sessions: sessionmaker[Session], params: dict[str, Any], progress: Progress) -> None: ...


@dataclass(frozen=True)
class Ticket:
    """A job taken by a worker: what its handler gets to know."""

    id: int
    kind: str
    params: dict[str, Any]
    attempt: int


class Progress:
    """What a running handler calls with its share done (0..1): written at most once a second, renewing the lease;
    raises Cancelled once the job was cancelled."""

    def __init__(self, sessions: sessionmaker[Session], job_id: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.sessions, self.job_id, self.clock = sessions, job_id, clock
        self.last = clock()

    def __call__(self, share: float, *, now: bool = False) -> None:
        if not now and self.clock() - self.last < REPORT_EVERY:
            return
        self.last = self.clock()
        with self.sessions.begin() as db:
            db.execute(update(Job).where(Job.id == self.job_id, Job.status == RUNNING).values(
                progress=min(max(share, 0.0), 0.99), lease_until=utcnow() + LEASE))
            cancelled = db.scalar(select(Job.cancel_requested).where(Job.id == self.job_id))
        if cancelled:
            raise Cancelled


# --- asked from the pages -------------------------------------------------------------------------------------------


def enqueue(db: Session, kind: str, params: dict[str, Any], actor: str, subject: str = "",
            max_attempts: int = 1) -> Job:
    job = Job(kind=kind, subject=subject, params=params, status=QUEUED, progress=0.0, error="", attempts=0,
              max_attempts=max_attempts, cancel_requested=False, requested_by=actor[:120])
    db.add(job)
    db.flush()
    audit.record(db, actor, "job.queue", "job", job.id, {"kind": kind, "subject": subject})
    return job


def get(db: Session, job_id: int) -> Job:
    job = db.get(Job, job_id)
    if job is None:
        raise NotFound(N_("There is no such job."))
    return job


def latest(db: Session, kind: str, subject: str) -> Job | None:
    """The newest job of this kind on this subject (its page shows how it went)."""
    return db.scalars(select(Job).where(Job.kind == kind, Job.subject == subject).order_by(Job.id.desc())
                      .limit(1)).first()


def cancel(db: Session, job_id: int, actor: str) -> Job:
    """A queued job is cancelled at once; a running one stops at its next progress report."""
    job = get(db, job_id)
    if job.finished:
        raise Conflict(N_("This job has ended already: there is nothing to cancel."))
    if job.status == QUEUED:
        job.status, job.finished_at = CANCELLED, utcnow()
    else:
        job.cancel_requested = True
    audit.record(db, actor, "job.cancel", "job", job.id, {"kind": job.kind, "was": job.status})
    return job


def retry(db: Session, job_id: int, actor: str) -> Job:
    """A failed or cancelled job queued again, with the same parameters."""
    job = get(db, job_id)
    if job.status not in (FAILED, CANCELLED):
        raise Conflict(N_("Only a failed or cancelled job can be started again."))
    job.status, job.progress, job.attempts, job.cancel_requested = QUEUED, 0.0, 0, False
    job.started_at = job.finished_at = job.lease_until = None
    audit.record(db, actor, "job.retry", "job", job.id, {"kind": job.kind})
    return job


# --- run by the worker ----------------------------------------------------------------------------------------------


def run_queued(sessions: sessionmaker[Session], handlers: Mapping[str, Handler], limit: int = 100) -> int:
    """Run queued jobs of the kinds handled here, oldest first, until none is left (or `limit` ran)."""
    ran = 0
    while ran < limit and (ticket := claim(sessions, list(handlers))) is not None:
        run(sessions, ticket, handlers[ticket.kind])
        ran += 1
    return ran


def claim(sessions: sessionmaker[Session], kinds: list[str]) -> Ticket | None:
    """Take the oldest job that is queued, or whose worker's lease ran out, in one short transaction."""
    if not kinds:
        return None
    now = utcnow()
    with sessions.begin() as db:
        while True:
            job = db.scalars(
                select(Job).where(Job.kind.in_(kinds), or_(
                    Job.status == QUEUED, and_(Job.status == RUNNING, Job.lease_until < now)))
                .order_by(Job.id).limit(1).with_for_update(skip_locked=True)).first()
            if job is None:
                return None
            if job.status == RUNNING and job.attempts >= job.max_attempts:  # its worker died on the last attempt
                _fail(job, gettext(WORKER_DIED))
                continue
            job.status, job.attempts, job.started_at = RUNNING, job.attempts + 1, now
            job.lease_until, job.progress, job.error = now + LEASE, 0.0, ""
            return Ticket(job.id, job.kind, dict(job.params), job.attempts)


def run(sessions: sessionmaker[Session], ticket: Ticket, handler: Handler) -> None:
    progress = Progress(sessions, ticket.id)
    try:
        handler(sessions, ticket.params, progress)
    except Cancelled:
        _finish(sessions, ticket.id, CANCELLED)
    except Exception as error:  # kept for the page: a job never stays "running" for ever
        log.exception("job %s (%s) failed", ticket.id, ticket.kind)
        message = error.translated() if isinstance(error, MajalError) else gettext(
            N_("The job stopped on an unexpected error (%(error)s). It has been logged."), error=type(error).__name__)
        _finish(sessions, ticket.id, FAILED, message)
    else:
        _finish(sessions, ticket.id, DONE)


def _finish(sessions: sessionmaker[Session], job_id: int, status: str, error: str = "") -> None:
    with sessions.begin() as db:
        job = db.get(Job, job_id)
        if job is None:
            return
        if status == FAILED and job.attempts < job.max_attempts:  # another attempt, from the start
            job.status, job.error, job.lease_until = QUEUED, error, None
            return
        if status == FAILED:
            _fail(job, error)
            return
        job.status, job.finished_at, job.lease_until = status, utcnow(), None
        job.progress = 1.0 if status == DONE else job.progress


def _fail(job: Job, error: str) -> None:
    job.status, job.error, job.finished_at, job.lease_until = FAILED, error, utcnow(), None


def purge_finished(sessions: sessionmaker[Session]) -> int:
    """Forget jobs that ended more than KEEP ago (a periodic job of the worker)."""
    with sessions.begin() as db:
        done = db.execute(delete(Job).where(Job.status.in_(FINISHED), Job.finished_at < utcnow() - KEEP))
    return int(getattr(done, "rowcount", 0) or 0)
