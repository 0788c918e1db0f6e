"""Queries for accounts, sessions, API keys and the counters of failed sign-ins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from majal.accounts.models import ApiKey, LoginBucket, User, UserSession


def user_by_username(db: Session, username: str) -> User | None:
    return db.scalar(select(User).where(User.username == username))


def users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.role, User.username)))


def ensure_buckets(db: Session, keys: Sequence[str], now: datetime) -> None:
    """Make the counters that are missing (in key order, like every lock on them; on SQLite this first write
    takes the database's write lock, so the reads that follow are the latest)."""
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.execute(
        insert(LoginBucket)
        .values([{"key": key, "failures": 0, "window_start": now, "lockouts": 0} for key in sorted(set(keys))])
        .on_conflict_do_nothing(index_elements=["key"])
    )


def locked_buckets(db: Session, keys: Sequence[str]) -> list[LoginBucket]:
    """These counters, locked until the transaction ends (PostgreSQL row locks, always taken in key order so two
    sign-ins never wait on each other in a circle): whoever comes next reads what this transaction wrote."""
    found = db.scalars(
        select(LoginBucket).where(LoginBucket.key.in_(sorted(set(keys)))).order_by(LoginBucket.key)
        .with_for_update().execution_options(populate_existing=True)
    )
    return list(found)


def forget_quiet_buckets(db: Session, quiet_since: datetime, keep: Sequence[str]) -> None:
    """Drop counters nobody has touched since `quiet_since`, except `keep` (those this transaction holds).
    Rows another attempt holds are skipped, not waited for: whoever calls this, last, waits on nobody."""
    quiet = (
        select(LoginBucket.key)
        .where(LoginBucket.window_start < quiet_since, LoginBucket.key.not_in(keep),
               or_(LoginBucket.locked_until.is_(None), LoginBucket.locked_until < quiet_since))
        .with_for_update(skip_locked=True)
    )
    db.execute(delete(LoginBucket).where(LoginBucket.key.in_(quiet)), execution_options={"synchronize_session": False})


def live_session(db: Session, token_digest: str) -> UserSession | None:
    return db.scalar(select(UserSession).where(UserSession.token_digest == token_digest))


def api_key_by_digest(db: Session, key_digest: str) -> ApiKey | None:
    return db.scalar(select(ApiKey).where(ApiKey.key_digest == key_digest))


def api_key_by_name(db: Session, name: str) -> ApiKey | None:
    return db.scalar(select(ApiKey).where(ApiKey.name == name))


def touch_session(db: Session, session_id: int, now: datetime, unless_since: datetime) -> None:
    """Mark a session seen, unless a parallel request just did (then nothing waits and nothing changes)."""
    db.execute(update(UserSession).where(UserSession.id == session_id, UserSession.last_seen_at < unless_since)
               .values(last_seen_at=now))


def touch_api_key(db: Session, key_id: int, now: datetime, unless_since: datetime) -> None:
    db.execute(update(ApiKey).where(ApiKey.id == key_id,
                                    or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < unless_since))
               .values(last_used_at=now))
