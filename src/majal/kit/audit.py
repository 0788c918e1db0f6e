"""Append-only audit log: who did what to which record, and who read personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from majal.db import Base, write_apart, writes
from majal.kit.clock import utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))


def record(
    session: Session,
    actor: str,
    action: str,
    object_type: str | None = None,
    object_id: object | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    """Write an audit event in the caller's transaction, so the event and the change stand or fall together.

    The audit of a read (a GET's transaction, which writes nothing else) is written at once in a transaction of its
    own: a read transaction must not turn into a write one."""
    event = AuditEvent(
        actor=actor[:120],
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:120],
        detail=detail,
        ip=ip,
        at=utcnow(),
    )
    if writes(session):
        session.add(event)
    else:
        write_apart(session, lambda apart: apart.add(event))
