"""Telling the reporter and the subscribers of a request about each public update, in their own language.

Messages go to the outbox in the caller's transaction (so an update and its notices stand or fall together) and are
sent later by `majal worker`. Addresses stay sealed: they are opened here only to choose the channels and to seal them
again for the outbox."""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy.orm import Session

from majal.kit import crypto, outbox
from majal.kit.errors import MajalError
from majal.kit.i18n import LANGUAGES, N_, gettext, language, localized_name
from majal.requests import repository
from majal.requests.models import RequestSubscription, ServiceRequest
from majal.requests.schemas import CONTACT_PURPOSE, EMAIL, PHONE
from majal.requests.workflow import LABELS, Status

log = logging.getLogger("majal.requests.notifications")

CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "device_id", "account_id")
SMS_LENGTH = 320  # about three SMS in Latin letters, five in Arabic

SUBJECT_REPORTER = N_("Your report %(code)s: %(status)s")
SUBJECT_FOLLOWER = N_("The report %(code)s you follow: %(status)s")
GREETING = N_("Hello,")
NEWS_REPORTER = N_("There is news about your report %(code)s (%(service)s).")
NEWS_FOLLOWER = N_("There is news about the report %(code)s (%(service)s) that you follow.")
STATUS_LINE = N_("Status: %(status)s")
NOTE_LINE = N_("Message from the commune: %(note)s")
TRACKING_LINE = N_("You can follow it at any time with its tracking code, %(code)s.")
WHY_LINE = N_("You receive this message because you left your contact details with this report.")
SMS_TEXT = N_("Report %(code)s (%(service)s): %(status)s.")


def announce(db: Session, secret: str, request: ServiceRequest, note: str, default_language: str = "fr") -> int:
    """Queue a notice of the request's current status and public `note` for its reporter and every active subscriber:
    an email to those who gave an address, an SMS to those who gave a phone number, each once. Returns how many."""
    followers = [(subscription.contact_sealed, False) for subscription in repository.subscriptions(db, request.id)]
    contacts = ([(request.contact_sealed, True)] if request.contact_sealed else []) + followers
    seen: set[tuple[str, str]] = set()
    queued = 0
    for sealed, is_reporter in contacts:
        try:
            contact = crypto.unseal(secret, CONTACT_PURPOSE, sealed)
        except ValueError:
            log.warning("service request %s: a contact does not open with this instance's key", request.id)
            continue
        lang = contact.get("lang") if contact.get("lang") in LANGUAGES else default_language
        for channel, address, key in _addresses(contact):
            if (channel, key) in seen:
                continue
            seen.add((channel, key))
            subject, body = _compose(request, note, str(lang), is_reporter, channel)
            outbox.enqueue(db, secret, channel, address, subject, body, f"service_request:{request.id}")
            queued += 1
    return queued


def _addresses(contact: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(channel, address, key to recognise the same address written differently)."""
    found = []
    email = str(contact.get("email") or "").strip()
    if email:
        found.append(("email", email, email.lower()))
    phone = str(contact.get("phone") or "").strip()
    if phone:
        found.append(("sms", phone, re.sub(r"\D", "", phone)[-9:]))
    return found


def _compose(request: ServiceRequest, note: str, lang: str, is_reporter: bool, channel: str) -> tuple[str, str]:
    with language(lang):
        status = gettext(LABELS[Status(request.status)])
        code, service = request.tracking_code, localized_name(request.service, lang)
        note = note.strip()
        if channel == "sms":
            text = gettext(SMS_TEXT, code=code, service=service, status=status)
            if note:
                text = f"{text} {note}"
            return "", text if len(text) <= SMS_LENGTH else text[: SMS_LENGTH - 1] + "…"
        subject = gettext(SUBJECT_REPORTER if is_reporter else SUBJECT_FOLLOWER, code=code, status=status)
        lines = [gettext(GREETING), "",
                 gettext(NEWS_REPORTER if is_reporter else NEWS_FOLLOWER, code=code, service=service), "",
                 gettext(STATUS_LINE, status=status)]
        if note:
            lines += [gettext(NOTE_LINE, note=note)]
        lines += ["", gettext(TRACKING_LINE, code=code), "", "-- ", gettext(WHY_LINE)]
        return subject, "\n".join(lines) + "\n"


def subscribe(db: Session, secret: str, request: ServiceRequest, contact: dict[str, Any]) -> RequestSubscription:
    """Add someone who wants the request's public updates; they need an email address or a phone number."""
    fields = {key: str(contact.get(key) or "").strip()[:200] for key in CONTACT_FIELDS}
    fields = {key: value for key, value in fields.items() if value}
    if not (fields.get("email") or fields.get("phone")):
        raise MajalError(N_("Give an email address or a phone number to receive the updates."), where="email")
    if fields.get("email") and not EMAIL.match(fields["email"]):
        raise MajalError(N_("The email address is not valid."), where="email")
    if fields.get("phone") and not PHONE.match(fields["phone"]):
        raise MajalError(N_("The phone number is not valid."), where="phone")
    fields["lang"] = str(contact.get("lang")) if contact.get("lang") in LANGUAGES else ""
    sealed = crypto.seal(secret, CONTACT_PURPOSE, fields)
    subscription = RequestSubscription(request_id=request.id, contact_sealed=sealed)
    db.add(subscription)
    db.flush()
    return subscription
