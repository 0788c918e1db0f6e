"""Rate limits for anonymous actions (reports, subscriptions), kept in the database so every worker process
counts the same events. Clients are stored as keyed hashes: an IP address is personal data."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from majal.db import Base
from majal.kit.audit import utcnow
from majal.kit.errors import TooManyRequests
from majal.kit.i18n import N_
from majal.kit.security import keyed_digest


class RateEvent(Base):
    __tablename__ = "rate_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(40))
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


def check(db: Session, secret: str, bucket: str, client: str, limit: int, window: timedelta) -> None:
    """Refuse (429) when `client` already made `limit` actions in `bucket` within `window`. Writes nothing."""
    recent = db.scalar(select(func.count()).select_from(RateEvent).where(
        RateEvent.bucket == bucket, RateEvent.client == _client(secret, client),
        RateEvent.at >= utcnow() - window)) or 0
    if recent >= limit:
        raise TooManyRequests(N_("Too many submissions from your connection. Please try again later."))


def record(db: Session, secret: str, bucket: str, client: str, window: timedelta) -> None:
    """Count an action that was accepted (refused ones change nothing, not even the count)."""
    db.execute(delete(RateEvent).where(RateEvent.bucket == bucket, RateEvent.at < utcnow() - 2 * window))
    db.add(RateEvent(bucket=bucket, client=_client(secret, client)))


def _client(secret: str, client: str) -> str:
    return keyed_digest(secret, f"rate:{client}")
