"""Queries for accounts, sessions, API keys and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from majal.accounts.models import ApiKey, LoginAttempt, User, UserSession


def user_by_username(db: Session, username: str) -> User | None:
    return db.scalar(select(User).where(User.username == username))


def users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.role, User.username)))


def failures_since(db: Session, since: datetime, username: str, ip: str) -> tuple[int, int]:
    """Failed logins since a moment: (for this username, from this address)."""
    failed = select(LoginAttempt).where(LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False))
    by_user = db.scalar(
        select(func.count()).select_from(failed.where(LoginAttempt.username == username).subquery())
    )
    by_ip = db.scalar(select(func.count()).select_from(failed.where(LoginAttempt.ip == ip).subquery()))
    return int(by_user or 0), int(by_ip or 0)


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
