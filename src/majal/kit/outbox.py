"""Messages to send (email, SMS), written in the same transaction as the change they announce, and sent later by
the background worker — so a failing mail server never loses or blocks a citizen's update."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from sqlalchemy import DateTime, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from majal.db import Base
from majal.kit import crypto
from majal.kit.audit import utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    channel: Mapped[str] = mapped_column(String(16))  # email | sms
    recipient_sealed: Mapped[str] = mapped_column(Text)  # encrypted address or number
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(80), index=True)  # e.g. service_request:123
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# --- Writing and delivering messages ------------------------------------------------------------------------------

RECIPIENT_PURPOSE = "outbox-recipient"
CHANNELS = ("email", "sms")
MAX_ATTEMPTS = 8  # 1 + 2 + 4 + … + 64 minutes: a mail server down for about two hours loses nothing
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
LEASE = timedelta(minutes=15)  # how long a worker holds the messages it took before another may take them again
ERROR_LENGTH = 300

log = logging.getLogger("majal.outbox")


class Adapter(Protocol):
    """Sends one message on one channel (email, SMS); raises on any failure, so the message is tried again."""

    def send(self, recipient: str, subject: str, body: str) -> None: ...


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0  # failed this time, to be tried again later
    failed: int = 0  # failed for good (too many attempts, or the recipient cannot be read)

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed


def enqueue(db: Session, secret: str, channel: str, recipient: str, subject: str, body: str,
            reference: str) -> OutboxMessage:
    """Add a message to send, in the caller's transaction: it is sent only if the change it announces is committed."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown outbox channel {channel!r}")
    if not recipient.strip():
        raise ValueError("an outbox message needs a recipient")
    message = OutboxMessage(
        channel=channel,
        recipient_sealed=crypto.seal(secret, RECIPIENT_PURPOSE, {"to": recipient.strip()}),
        subject=one_line(subject)[:300],
        body=body,
        reference=reference[:80],
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
        last_error="",
    )
    db.add(message)
    return message


LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+\s*")


def one_line(text: str) -> str:
    """A subject on one line (a header never carries a line break), keeping no-break spaces (French « : »)."""
    return LINE_BREAKS.sub(" ", text).strip()


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 1 min, 2 min, 4 min, … at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def deliver_due(sessions: sessionmaker[Session], secret: str, adapters: Mapping[str, Adapter],
                now: datetime | None = None, batch: int = 50, max_attempts: int = MAX_ATTEMPTS) -> DeliveryReport:
    """Send the messages that are due, on the channels there is an adapter for; one outcome transaction per message.

    Messages are first *taken* in a short transaction that moves their next attempt a lease ahead (on PostgreSQL
    the rows are locked with SKIP LOCKED first, on SQLite one statement does it under the write lock), so two
    workers never take the same message, and no database lock is held while a mail server is slow to answer.
    A worker that dies after taking messages leaves them to be taken again when the lease ends."""
    now = _utc(now or utcnow())
    report = DeliveryReport()
    if not adapters or batch <= 0:
        return report
    for message_id, channel, sealed, subject, body, attempts in _take(sessions, tuple(adapters), now, batch):
        try:
            recipient = str(crypto.unseal(secret, RECIPIENT_PURPOSE, sealed)["to"])
        except (ValueError, KeyError):
            _record_failure(sessions, message_id, attempts, "the recipient does not open with this instance's key",
                            now, final=True)
            log.error("outbox message %s: recipient unreadable, given up", message_id)
            report.failed += 1
            continue
        try:
            adapters[channel].send(recipient, subject, body)
        except Exception as error:  # any failure of the adapter: keep the message and try again later
            final = attempts + 1 >= max_attempts
            _record_failure(sessions, message_id, attempts, scrub(error, recipient), now, final=final)
            if final:
                log.error("outbox message %s failed after %s attempts", message_id, attempts + 1)
                report.failed += 1
            else:
                log.warning("outbox message %s: attempt %s failed", message_id, attempts + 1)
                report.retried += 1
            continue
        with sessions.begin() as db:
            db.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
                status="sent", attempts=attempts + 1, sent_at=utcnow(), last_error=""))
        log.info("outbox message %s sent", message_id)
        report.sent += 1
    return report


class _Taken(NamedTuple):
    id: int
    channel: str
    recipient_sealed: str
    subject: str
    body: str
    attempts: int


def _take(sessions: sessionmaker[Session], channels: tuple[str, ...], now: datetime, batch: int) -> list[_Taken]:
    """Take up to `batch` due messages for this worker, oldest first."""
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now,
               OutboxMessage.channel.in_(channels))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has no row locks and ignores it
    )
    with sessions.begin() as db:
        chosen: Any = due  # SQLite runs the whole UPDATE under its write lock: nobody else can take these rows
        if db.get_bind().dialect.name == "postgresql":
            # Lock first, then update: as a subquery of the UPDATE, a LIMIT … SKIP LOCKED may be run again for each
            # row it updates, and so take far more than `batch` rows.
            chosen = list(db.scalars(due))
            if not chosen:
                return []
        taking = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(chosen), OutboxMessage.status == "pending",
                   OutboxMessage.next_attempt_at <= now)
            .values(next_attempt_at=now + LEASE)
            .returning(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.recipient_sealed,
                       OutboxMessage.subject, OutboxMessage.body, OutboxMessage.attempts)
        )
        rows = db.execute(taking, execution_options={"synchronize_session": False}).all()
    return sorted((_Taken(*row) for row in rows), key=lambda taken: taken.id)


def _record_failure(sessions: sessionmaker[Session], message_id: int, attempts: int, error: str, now: datetime,
                    final: bool) -> None:
    values: dict[str, object] = {"attempts": attempts + 1, "last_error": error[:ERROR_LENGTH]}
    if final:
        values["status"] = "failed"
    else:
        values["next_attempt_at"] = now + backoff(attempts + 1)
    with sessions.begin() as db:
        db.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))


EMAIL_LIKE = re.compile(r"[^\s<>'\"(),;:]+@[^\s<>'\"(),;:]+")


def scrub(error: BaseException, recipient: str) -> str:
    """An error's text fit to store: without the recipient's address or number (servers like to quote it)."""
    text = f"{type(error).__name__}: {error}"
    if recipient:
        text = re.sub(re.escape(recipient), "<recipient>", text, flags=re.IGNORECASE)
    text = EMAIL_LIKE.sub("<address>", text)
    digits = re.sub(r"\D", "", recipient)
    if len(digits) >= 6:  # a phone number, however the server wrote it: +212 6…, 06…, 6-12-34…
        pattern = r"(?:\+?\d{1,4}[\s().-]{0,2})?" + r"[\s().-]{0,2}".join(digits[-9:])
        text = re.sub(pattern, "<number>", text)
    return " ".join(text.split())[:ERROR_LENGTH]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
