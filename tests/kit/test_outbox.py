"""The outbox and its channels, against a real SMTP server (aiosmtpd) listening on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import socket
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from majal.cli import app
from majal.config import Settings
from majal.kit import cli as kit_cli
from majal.kit import crypto
from majal.kit.notify import FileSmsAdapter, SmtpEmailAdapter, adapters_from_settings
from majal.kit.outbox import (
    MAX_ATTEMPTS,
    RECIPIENT_PURPOSE,
    DeliveryReport,
    OutboxMessage,
    backoff,
    deliver_due,
    enqueue,
    scrub,
)

SECRET = "test-secret-key"
ARABIC_SUBJECT = "بلاغك ABC-DEF-GHJ: قيد المعالجة"
ARABIC_BODY = "مرحبًا،\n\nتم إصلاح المصباح في شارع محمد الخامس.\nL’équipe d’éclairage — مصلحة الإنارة\n"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts, and refuses the addresses in `refuse`."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refuse: set[str] = set()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return [address for envelope in self.envelopes for address in envelope.rcpt_tos]

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[misc]
                for envelope in self.envelopes]


class MailServer:
    """A real SMTP server on a free local port, for as long as the `with` block lasts."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()

    def adapter(self, sender: str = "majal@commune.example") -> SmtpEmailAdapter:
        return SmtpEmailAdapter("127.0.0.1", self.port, sender, timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    with MailServer() as server:
        yield server


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port that is bound (so nobody else takes it) but never listens: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def queue(sessions: sessionmaker[Session], *recipients: str, channel: str = "email", subject: str = "Hello",
          body: str = "Body\n", secret: str = SECRET) -> list[int]:
    with sessions.begin() as db:
        messages = [enqueue(db, secret, channel, recipient, subject, body, "test:1") for recipient in recipients]
        db.flush()
        return [message.id for message in messages]


def rows(sessions: sessionmaker[Session]) -> list[OutboxMessage]:
    with sessions() as db:
        return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back (in UTC); PostgreSQL gives aware ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def test_an_arabic_email_arrives_intact(sessions, mail_server: MailServer) -> None:
    queue(sessions, "salma@example.org", subject=ARABIC_SUBJECT, body=ARABIC_BODY)

    assert deliver_due(sessions, SECRET, {"email": mail_server.adapter()}) == DeliveryReport(sent=1)

    [message] = mail_server.inbox.messages()
    assert mail_server.inbox.recipients() == ["salma@example.org"]
    assert message["Subject"] == ARABIC_SUBJECT
    assert message["From"] == "majal@commune.example" and message["To"] == "salma@example.org"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().replace("\r\n", "\n") == ARABIC_BODY  # SMTP lines end in CRLF
    assert message["Message-ID"].endswith("@commune.example>")
    [row] = rows(sessions)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None


def test_recipients_are_sealed_in_the_database(sessions, engine) -> None:
    queue(sessions, "salma@example.org", "+212 612 345 678", channel="email")
    with engine.connect() as connection:
        dump = repr(connection.execute(text("SELECT * FROM outbox_messages")).all())
    assert "salma@example.org" not in dump and "612" not in dump
    first, second = rows(sessions)
    assert crypto.unseal(SECRET, RECIPIENT_PURPOSE, first.recipient_sealed) == {"to": "salma@example.org"}
    assert crypto.unseal(SECRET, RECIPIENT_PURPOSE, second.recipient_sealed) == {"to": "+212 612 345 678"}


def test_a_message_is_never_sent_twice(sessions, mail_server: MailServer) -> None:
    queue(sessions, "a@example.org", "b@example.org", "c@example.org")
    adapters = {"email": mail_server.adapter()}

    assert deliver_due(sessions, SECRET, adapters).sent == 3
    assert deliver_due(sessions, SECRET, adapters) == DeliveryReport()
    later = datetime.now(UTC) + timedelta(days=2)  # long after any lease or retry time
    assert deliver_due(sessions, SECRET, adapters, now=later) == DeliveryReport()
    assert sorted(mail_server.inbox.recipients()) == ["a@example.org", "b@example.org", "c@example.org"]


def test_a_batch_takes_the_oldest_first_and_leaves_the_rest(sessions, mail_server: MailServer) -> None:
    queue(sessions, *(f"m{i}@example.org" for i in range(5)))
    adapters = {"email": mail_server.adapter()}
    assert deliver_due(sessions, SECRET, adapters, batch=2).sent == 2
    assert mail_server.inbox.recipients() == ["m0@example.org", "m1@example.org"]
    assert deliver_due(sessions, SECRET, adapters, batch=10).sent == 3


def test_two_workers_at_once_never_send_the_same_message(sessions, mail_server: MailServer) -> None:
    recipients = [f"citizen{i}@example.org" for i in range(40)]
    queue(sessions, *recipients)
    adapters = {"email": mail_server.adapter()}
    start = threading.Barrier(2)
    totals: list[int] = []
    problems: list[BaseException] = []

    def work() -> None:
        try:
            start.wait(timeout=10)
            sent = 0
            while (report := deliver_due(sessions, SECRET, adapters, batch=4)).total:
                sent += report.sent
            totals.append(sent)
        except BaseException as error:  # reported by the main thread
            problems.append(error)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert not problems
    assert sum(totals) == 40
    assert sorted(mail_server.inbox.recipients()) == sorted(recipients)  # each exactly once
    assert {row.status for row in rows(sessions)} == {"sent"}


def test_on_postgresql_a_message_locked_by_another_worker_is_skipped(sessions, engine,
                                                                   mail_server: MailServer) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite takes the messages in one statement under its write lock")
    busy, _free = queue(sessions, "busy@example.org", "free@example.org")
    adapters = {"email": mail_server.adapter()}
    with sessions.begin() as other_worker:  # holds the row as a worker in the middle of taking it would
        other_worker.execute(select(OutboxMessage.id).where(OutboxMessage.id == busy).with_for_update())
        assert deliver_due(sessions, SECRET, adapters) == DeliveryReport(sent=1)  # does not wait for the lock
    assert mail_server.inbox.recipients() == ["free@example.org"]
    assert deliver_due(sessions, SECRET, adapters) == DeliveryReport(sent=1)
    assert mail_server.inbox.recipients() == ["free@example.org", "busy@example.org"]


def test_a_server_that_does_not_answer_means_retries_with_backoff_then_failed(sessions, closed_port: int) -> None:
    [message_id] = queue(sessions, "salma@example.org")
    adapters = {"email": SmtpEmailAdapter("127.0.0.1", closed_port, "majal@commune.example", timeout=2)}
    moment = datetime.now(UTC) + timedelta(seconds=1)

    for attempt in range(1, MAX_ATTEMPTS):
        assert deliver_due(sessions, SECRET, adapters, now=moment) == DeliveryReport(retried=1)
        [row] = rows(sessions)
        assert (row.id, row.status, row.attempts) == (message_id, "pending", attempt)
        assert utc(row.next_attempt_at) == moment + backoff(attempt)
        assert row.last_error.startswith("ConnectionRefusedError")
        assert deliver_due(sessions, SECRET, adapters, now=moment + backoff(attempt) - timedelta(seconds=1)
                           ) == DeliveryReport()  # not due yet
        moment += backoff(attempt)

    assert deliver_due(sessions, SECRET, adapters, now=moment) == DeliveryReport(failed=1)
    [row] = rows(sessions)
    assert (row.status, row.attempts, row.sent_at) == ("failed", MAX_ATTEMPTS, None)
    assert deliver_due(sessions, SECRET, adapters, now=moment + timedelta(days=30)) == DeliveryReport()


def test_backoff_doubles_from_a_minute_up_to_six_hours() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(7) == timedelta(minutes=64)
    assert backoff(30) == timedelta(hours=6)


def test_an_error_is_stored_and_logged_without_the_address(sessions, mail_server: MailServer, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="majal")
    mail_server.inbox.refuse.add("Refused.Person@example.org")
    queue(sessions, "Refused.Person@example.org", "fine@example.org")

    report = deliver_due(sessions, SECRET, {"email": mail_server.adapter()})

    assert report == DeliveryReport(sent=1, retried=1)
    refused, fine = rows(sessions)
    assert refused.status == "pending" and "550" in refused.last_error
    assert "refused.person" not in refused.last_error.lower()
    assert "@" not in refused.last_error and len(refused.last_error) <= 300
    assert fine.status == "sent"
    ours = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("majal"))
    assert "@" not in ours and f"outbox message {refused.id}" in ours


def test_scrub_removes_addresses_and_numbers_however_written() -> None:
    error = RuntimeError("rejected +212 6 12-34-56-78 (0612345678) and x@y.org, via 127.0.0.1:25")
    scrubbed = scrub(error, "+212612345678")
    assert "345" not in scrubbed and "x@y.org" not in scrubbed
    assert "127.0.0.1:25" in scrubbed  # what helps to find the fault stays
    assert scrub(ValueError("a" * 1000), "") == "ValueError: " + "a" * 288


def test_a_channel_without_an_adapter_waits(sessions, mail_server: MailServer) -> None:
    queue(sessions, "+212612345678", channel="sms")
    assert deliver_due(sessions, SECRET, {"email": mail_server.adapter()}) == DeliveryReport()
    assert deliver_due(sessions, SECRET, {}) == DeliveryReport()
    [row] = rows(sessions)
    assert (row.status, row.attempts) == ("pending", 0)


def test_a_recipient_sealed_with_another_key_fails_for_good(sessions, mail_server: MailServer) -> None:
    queue(sessions, "salma@example.org", secret="the-old-key")
    assert deliver_due(sessions, SECRET, {"email": mail_server.adapter()}) == DeliveryReport(failed=1)
    [row] = rows(sessions)
    assert row.status == "failed" and "key" in row.last_error
    assert mail_server.inbox.envelopes == []


def test_file_sms_adapter_appends_json_lines(sessions, tmp_path: Path) -> None:
    path = tmp_path / "sms" / "outbox.jsonl"
    queue(sessions, "+212 612 345 678", channel="sms", subject="", body="بلاغك ABC-DEF-GHJ: تم الحل.")
    queue(sessions, "0698765432", channel="sms", body="Signalement ABC-DEF-GHJ : résolu.")

    assert deliver_due(sessions, SECRET, {"sms": FileSmsAdapter(path)}) == DeliveryReport(sent=2)

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["to"], line["body"]) for line in lines] == [
        ("+212 612 345 678", "بلاغك ABC-DEF-GHJ: تم الحل."), ("0698765432", "Signalement ABC-DEF-GHJ : résolu.")]
    assert datetime.fromisoformat(lines[0]["at"]).tzinfo is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # phone numbers: for the owner's eyes only


def test_enqueue_refuses_an_unknown_channel_and_keeps_subjects_on_one_line(sessions) -> None:
    with sessions.begin() as db, pytest.raises(ValueError):
        enqueue(db, SECRET, "pigeon", "x@example.org", "s", "b", "test:1")
    queue(sessions, "x@example.org", subject="Line one\r\nBcc: everyone@example.org")
    assert rows(sessions)[0].subject == "Line one Bcc: everyone@example.org"


def test_adapters_follow_the_settings(settings: Settings, tmp_path: Path) -> None:
    assert adapters_from_settings(settings) == {}
    configured = settings.model_copy(update={
        "smtp_host": "mail.commune.example", "smtp_port": 587, "smtp_sender": "majal@commune.example",
        "smtp_username": "majal", "smtp_password": "pw", "smtp_starttls": True,
        "sms_outbox_file": str(tmp_path / "sms.jsonl"),
    })
    adapters = adapters_from_settings(configured)
    email, sms = adapters["email"], adapters["sms"]
    assert isinstance(email, SmtpEmailAdapter) and isinstance(sms, FileSmsAdapter)
    assert (email.host, email.port, email.username, email.starttls) == ("mail.commune.example", 587, "majal", True)
    assert sms.path == tmp_path / "sms.jsonl"


def test_majal_worker_once_sends_what_is_due(sessions, mail_server: MailServer, database_url: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    queue(sessions, "a@example.org", "b@example.org", subject=ARABIC_SUBJECT)
    for name, value in {"DATABASE_URL": database_url, "DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": SECRET,
                        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mail_server.port)}.items():
        monkeypatch.setenv(f"MAJAL_{name}", value)
    monkeypatch.setenv("LANG", "C.UTF-8")
    kit_cli.settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["worker", "--once"])
    finally:
        kit_cli.settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "2 sent, 0 to try again, 0 failed" in result.output
    assert sorted(mail_server.inbox.recipients()) == ["a@example.org", "b@example.org"]
    assert {m["Subject"] for m in mail_server.inbox.messages()} == {ARABIC_SUBJECT}
