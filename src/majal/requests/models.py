"""Service catalogue and citizen service requests (Open311 GeoReport v2)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from majal.db import Base
from majal.kit.audit import utcnow
from majal.kit.cache import note_write

if TYPE_CHECKING:
    from majal.territory.models import District


class Service(Base):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    department: Mapped[str] = mapped_column(String(32), index=True)
    name_ar: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_ar: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(String(400), default="")
    sla_hours: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    attributes: Mapped[list[ServiceAttribute]] = relationship(
        back_populates="service", order_by="ServiceAttribute.position", cascade="all, delete-orphan"
    )


class ServiceAttribute(Base):
    __tablename__ = "service_attributes"
    __table_args__ = (UniqueConstraint("service_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    datatype: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    variable: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer)
    description_ar: Mapped[str] = mapped_column(String(400))
    description_fr: Mapped[str] = mapped_column(String(400))
    description_en: Mapped[str] = mapped_column(String(400))
    values: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{key, name_ar, name_fr, name_en}]

    service: Mapped[Service] = relationship(back_populates="attributes")


class ServiceRequest(Base):
    __tablename__ = "service_requests"
    # Open311 lists filter by service and status over a date range: one index serves that query.
    __table_args__ = (Index("ix_service_requests_service_status_requested", "service_id", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    token: Mapped[str] = mapped_column(String(36), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    status_notes: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    address_string: Mapped[str] = mapped_column(String(400), default="")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    media_url: Mapped[str] = mapped_column(String(2048), default="")
    attribute_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    contact_sealed: Mapped[str | None] = mapped_column(Text)  # encrypted name, email, phone, device and account
    source: Mapped[str] = mapped_column(String(16))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow,
                                                 index=True)
    expected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    service: Mapped[Service] = relationship(lazy="joined")
    # One extra query per page for the few districts involved, rather than each district's outline on every row.
    district: Mapped[District | None] = relationship("District", lazy="selectin")
    events: Mapped[list[RequestEvent]] = relationship(back_populates="request", order_by="RequestEvent.id")


class RequestEvent(Base):
    """The full history of a request: every change, who made it and when, public or internal."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)

    request: Mapped[ServiceRequest] = relationship(back_populates="events")


class RequestSubscription(Base):
    """Someone who wants to hear about a request: its reporter, or a neighbour who reported the same thing."""

    __tablename__ = "request_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    contact_sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RequestPhoto(Base):
    """A photo of a request, stored stripped of its metadata, with a smaller copy for display."""

    __tablename__ = "request_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # file stem under the data dir's media folder
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


CACHE_TOPIC = "service_requests"  # what cached public answers about requests are invalidated by (kit/cache.py)


@event.listens_for(Session, "after_flush")
def _note_request_changes(session: Session, _context: Any) -> None:
    if any(isinstance(changed, (ServiceRequest, Service)) for changed in (*session.new, *session.dirty,
                                                                           *session.deleted)):
        session.info[CACHE_TOPIC] = True


@event.listens_for(Session, "after_commit")
def _announce_request_changes(session: Session) -> None:
    if session.info.pop(CACHE_TOPIC, False):
        note_write(CACHE_TOPIC)


@event.listens_for(Session, "after_rollback")
def _forget_request_changes(session: Session) -> None:
    session.info.pop(CACHE_TOPIC, None)
