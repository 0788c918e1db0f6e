"""Engine and sessions for SQLite (WAL, foreign keys) and PostgreSQL/PostGIS.

Many citizens write at once, so both databases are set up for short transactions that never wait for ever:
- SQLite: one writer at a time. A write transaction starts with `BEGIN IMMEDIATE`, so it takes the write lock before
  it reads (a deferred transaction that reads, then writes, can fail at once with "database is locked" instead of
  waiting); other writers wait up to `busy_timeout`, readers are never blocked (WAL).
- PostgreSQL: `lock_timeout` and `idle_in_transaction_session_timeout` per connection, so a stuck session is cut off
  instead of freezing every request that needs the same row.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLITE_BUSY_MS = 15_000
POSTGRES_LOCK_TIMEOUT_MS = 10_000
POSTGRES_IDLE_IN_TRANSACTION_MS = 60_000
WRITE = "majal_write"  # execution option: this connection's transactions write (BEGIN IMMEDIATE on SQLite)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, **kwargs: Any) -> Engine:
    # Every thread of the web server's pool (40) can hold a connection and take a second one for a write apart.
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 50)
    kwargs.setdefault("hide_parameters", True)  # error messages (and so logs) never carry the values of a query
    if url.startswith("sqlite"):
        # isolation_level=None: the driver opens no transaction of its own; the "begin" listener says how to begin.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000,
                                                  "isolation_level": None}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        gate = WriterGate()
        event.listen(engine, "begin", gate.begin)
        event.listen(engine.pool, "checkin", gate.checkin)
        return engine
    options = f"-c lock_timeout={POSTGRES_LOCK_TIMEOUT_MS} " \
              f"-c idle_in_transaction_session_timeout={POSTGRES_IDLE_IN_TRANSACTION_MS}"
    return create_engine(url, pool_pre_ping=True, connect_args={"options": options}, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


class DatabaseBusy(Exception):
    """No write lock within the busy timeout: the server is overloaded (answered 503, try again)."""


class WriterGate:
    """SQLite's writers, one at a time, queued in this process on a lock rather than polling the file lock.

    SQLite lets one transaction write; the others would retry `BEGIN IMMEDIATE` in its busy handler, sleeping and
    waking at random, so under a burst a writer can miss its turn for many seconds. Here a write transaction first
    takes this process's gate (handed straight to the next waiter), then the file lock (still needed against other
    processes: `majal worker`, the CLI). The gate is held until the connection goes back to the pool, which a
    session does as soon as it commits or rolls back."""

    HELD = "majal_writer_gate"

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def begin(self, connection: Connection) -> None:
        writer = bool(connection.get_execution_options().get(WRITE))
        info = connection.connection.info  # the pooled connection's: it lasts until the connection is checked in
        if writer and not info.get(self.HELD):
            if not self._lock.acquire(timeout=SQLITE_BUSY_MS / 1000):
                raise DatabaseBusy("no write lock within the busy timeout")
            info[self.HELD] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")
        except BaseException:
            self._release(info)
            raise

    def checkin(self, _dbapi_connection: Any, record: Any) -> None:
        self._release(record.info)

    def _release(self, info: dict[Any, Any]) -> None:
        if info.pop(self.HELD, False):
            self._lock.release()


def make_sessionmaker(engine: Engine, write: bool = True) -> sessionmaker[Session]:
    """Sessions whose transactions write (the default) or only read; on SQLite a writer takes the lock first."""
    return sessionmaker(engine.execution_options(**{WRITE: True}) if write else engine, expire_on_commit=False)


# --- Writes that must not share the caller's transaction -----------------------------------------------------------

AFTER_COMMIT = "majal_after_commit"
COMMITTED = "majal_committed"
log = logging.getLogger("majal.db")


class WriteInReadTransaction(RuntimeWarning):
    """A read transaction (a GET) changed rows: on SQLite it may fail under load ("database is locked"), because a
    read transaction cannot safely become a write one. Write through `write_apart`, or make the route a POST."""


def writes(session: Session) -> bool:
    return bool(session.get_bind().get_execution_options().get(WRITE))


def write_apart(session: Session, work: Callable[[Session], object]) -> None:
    """Run `work` in a short transaction of its own, so the caller's transaction takes no lock for it.

    From a read transaction it runs now (a reader blocks no writer); from a write transaction, right after that one
    commits (on SQLite the caller holds the only write lock until then), and not at all if it rolls back. Used for
    bookkeeping a request must not wait on: a session's or API key's "last used", the audit of a read."""
    if writes(session):
        session.info.setdefault(AFTER_COMMIT, []).append(work)
    else:
        _run_apart(session.get_bind(), work)


def _run_apart(bind: Any, work: Callable[[Session], object]) -> None:
    with Session(bind.execution_options(**{WRITE: True}), expire_on_commit=False) as apart, apart.begin():
        work(apart)


@event.listens_for(Session, "after_commit")
def _keep_committed_work(session: Session) -> None:
    session.info.setdefault(COMMITTED, []).extend(session.info.pop(AFTER_COMMIT, []))


@event.listens_for(Session, "after_transaction_end")
def _run_committed_work(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    session.info.pop(AFTER_COMMIT, None)  # rolled back: nothing to do
    for work in session.info.pop(COMMITTED, []):  # the connection is back in the pool: no lock is held now
        try:
            _run_apart(session.get_bind(), work)
        except Exception:  # bookkeeping: the request it follows has succeeded already
            log.exception("a write after commit failed")


@event.listens_for(Session, "before_flush")
def _warn_on_write_in_read(session: Session, _context: Any, _instances: Any) -> None:
    if (session.new or session.deleted or session.dirty) and not writes(session):
        warnings.warn("a read transaction changes rows", WriteInReadTransaction, stacklevel=2)
