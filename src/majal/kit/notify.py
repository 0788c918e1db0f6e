"""Channels the outbox sends through: email over SMTP, and SMS.

Each adapter has one method, `send(recipient, subject, body)`, which returns when the message is handed over and
raises on any failure (the outbox then tries again later, with a growing wait). Adapters know nothing of the
database, of requests or of languages: they get a finished text and an address.

How a real SMS gateway plugs in: write a class with the same `send` method that calls the operator's or the
aggregator's API (for example an HTTP POST with the number and the text, using the gateway's credentials from the
settings) and raises when the answer is not a success, then return it under the key "sms" in
`adapters_from_settings`. Nothing else changes: messages already waiting in the outbox go out through it.
Until a commune has such a gateway, `FileSmsAdapter` writes each SMS as one JSON line to a file that an operator
(or a phone-side script) sends from.
"""

from __future__ import annotations

import fcntl
import json
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from majal.config import Settings
from majal.kit.audit import utcnow
from majal.kit.outbox import Adapter, one_line


class SmsAdapter(Protocol):
    """Sends one text message; `subject` is ignored (an SMS has none: the body must say everything)."""

    def send(self, recipient: str, subject: str, body: str) -> None: ...


class SmtpEmailAdapter:
    """Plain-text UTF-8 email through an SMTP server (optionally STARTTLS and a login); one connection per message."""

    def __init__(self, host: str, port: int, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username or None, password or None
        self.starttls, self.timeout = starttls, timeout

    def message(self, recipient: str, subject: str, body: str) -> EmailMessage:
        if any(character in recipient for character in "\r\n,;"):
            raise ValueError("an email recipient is one address on one line")
        message = EmailMessage()  # the modern policy: non-ASCII headers become RFC 2047 words, the body UTF-8
        message["From"] = self.sender
        message["To"] = recipient
        message["Subject"] = one_line(subject)
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or "localhost")
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies should not answer
        message.set_content(body, charset="utf-8")
        return message

    def send(self, recipient: str, subject: str, body: str) -> None:
        message = self.message(recipient, subject, body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


class FileSmsAdapter:
    """Appends each SMS as a JSON line {"at", "to", "body"} to a file readable by its owner only.

    The file holds phone numbers in clear: it is personal data, to be kept on the server and emptied once sent."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def send(self, recipient: str, subject: str, body: str) -> None:
        line = json.dumps({"at": utcnow().isoformat(timespec="seconds"), "to": recipient, "body": body},
                          ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            fcntl.flock(out, fcntl.LOCK_EX)  # two workers never interleave their lines
            out.write(line)
            out.flush()
            os.fsync(out.fileno())


def adapters_from_settings(settings: Settings) -> dict[str, Adapter]:
    """Email when MAJAL_SMTP_HOST is set, SMS when MAJAL_SMS_OUTBOX_FILE is; a channel left out stays queued."""
    adapters: dict[str, Adapter] = {}
    if settings.smtp_host:
        adapters["email"] = SmtpEmailAdapter(
            settings.smtp_host, settings.smtp_port, settings.smtp_sender, settings.smtp_username or None,
            settings.smtp_password or None, settings.smtp_starttls,
        )
    if settings.sms_outbox_file:
        adapters["sms"] = FileSmsAdapter(settings.sms_outbox_file)
    return adapters
