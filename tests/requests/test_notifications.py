"""Public updates of a service request reach its reporter and subscribers, in their language, through the outbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service as accounts
from majal.kit import crypto
from majal.kit.audit import utcnow
from majal.kit.errors import MajalError
from majal.kit.notify import FileSmsAdapter
from majal.kit.outbox import RECIPIENT_PURPOSE, DeliveryReport, OutboxMessage, deliver_due
from majal.requests import service as requests
from majal.requests.models import RequestSubscription, ServiceRequest
from majal.requests.schemas import CONTACT_PURPOSE, Contact, Submission
from majal.requests.service import notifications
from majal.territory.demo import BERKANE_CENTRE
from tests.kit.test_outbox import MailServer

LON, LAT = BERKANE_CENTRE
SECRET = "test-secret-key"  # the `settings` fixture's
NOTE = "L’équipe passe demain matin."


@pytest.fixture
def request_id(sessions: sessionmaker[Session], demo_territory, staff) -> int:
    """A lamp-lit-in-daytime report by Salma, who wrote in Arabic and left an email address and a phone number."""
    with sessions.begin() as db:
        requests.seed_catalogue(db)
        contact = Contact(first_name="سلمى", email="salma@example.org", phone="+212 612 345 678", lang="ar")
        created = requests.submit(db, Submission("LIGHT_DAY", description="المصباح مشتعل طوال النهار",
                                                 lat=str(LAT), long=str(LON), contact=contact),
                                  SECRET, source="web", actor="citizen")
        return created.id


def subscribe(sessions: sessionmaker[Session], request_id: int, **contact: str) -> RequestSubscription:
    with sessions.begin() as db:
        return notifications.subscribe(db, SECRET, db.get_one(ServiceRequest, request_id), contact)


def move(sessions: sessionmaker[Session], request_id: int, target: str, note: str = NOTE) -> None:
    with sessions.begin() as db:
        agent = accounts.find_user(db, "agent")  # the lighting department's agent
        assert agent is not None
        requests.change_status(db, SECRET, agent, db.get_one(ServiceRequest, request_id), target, note)


def queued(sessions: sessionmaker[Session]) -> dict[tuple[str, str], OutboxMessage]:
    """The outbox by (channel, recipient once unsealed)."""
    with sessions() as db:
        messages = db.scalars(select(OutboxMessage)).all()
    return {(m.channel, crypto.unseal(SECRET, RECIPIENT_PURPOSE, m.recipient_sealed)["to"]): m for m in messages}


def tracking_code(sessions: sessionmaker[Session], request_id: int) -> str:
    with sessions() as db:
        return db.get_one(ServiceRequest, request_id).tracking_code


def test_a_status_change_reaches_reporter_and_subscribers_in_their_language(sessions, request_id: int) -> None:
    subscribe(sessions, request_id, email="karim@example.org", first_name="Karim", lang="fr")
    subscribe(sessions, request_id, phone="0698765432", lang="en")
    subscribe(sessions, request_id, email="SALMA@example.org", lang="fr")  # the reporter again: told once
    gone = subscribe(sessions, request_id, email="gone@example.org", lang="fr")
    with sessions.begin() as db:
        db.get_one(RequestSubscription, gone.id).ended_at = utcnow()

    move(sessions, request_id, "in_progress")

    code = tracking_code(sessions, request_id)
    messages = queued(sessions)
    assert set(messages) == {("email", "salma@example.org"), ("sms", "+212 612 345 678"),
                             ("email", "karim@example.org"), ("sms", "0698765432")}
    assert {m.reference for m in messages.values()} == {f"service_request:{request_id}"}
    assert {m.status for m in messages.values()} == {"pending"}

    salma = messages["email", "salma@example.org"]
    assert salma.subject == f"بلاغكم {code}: قيد المعالجة"
    assert f"هناك مستجدات بخصوص بلاغكم {code} (مصباح مشتعل نهارًا)." in salma.body
    assert "الحالة: قيد المعالجة" in salma.body and f"رسالة من الجماعة: {NOTE}" in salma.body
    assert messages["sms", "+212 612 345 678"].body == f"البلاغ {code} (مصباح مشتعل نهارًا): قيد المعالجة. {NOTE}"

    karim = messages["email", "karim@example.org"]
    assert karim.subject == f"Le signalement {code} que vous suivez\u00a0: En cours"
    assert f"Il y a du nouveau concernant le signalement {code} (Lampe allumée le jour) que vous suivez." in karim.body
    assert "Statut\u00a0: En cours" in karim.body and f"code de suivi, {code}." in karim.body
    assert messages["sms", "0698765432"].body == f"Report {code} (Lamp lit in daytime): In progress. {NOTE}"


def test_the_notices_arrive_by_email_and_sms(sessions, request_id: int, tmp_path: Path) -> None:
    subscribe(sessions, request_id, email="karim@example.org", lang="fr")
    move(sessions, request_id, "resolved", note="")
    code = tracking_code(sessions, request_id)
    sms_file = tmp_path / "sms.jsonl"

    with MailServer() as server:
        report = deliver_due(sessions, SECRET, {"email": server.adapter(), "sms": FileSmsAdapter(sms_file)})
        mail = {m["To"]: m for m in server.inbox.messages()}

    assert report == DeliveryReport(sent=3)
    assert mail["salma@example.org"]["Subject"] == f"بلاغكم {code}: تمت المعالجة"
    assert "تحية طيبة،" in mail["salma@example.org"].get_content()
    body = mail["karim@example.org"].get_content()
    assert mail["karim@example.org"]["Subject"] == f"Le signalement {code} que vous suivez\u00a0: Résolue"
    assert "Statut\u00a0: Résolue" in body and "Message de la commune" not in body  # no note, no note line
    [sms] = [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines()]
    assert (sms["to"], sms["body"]) == ("+212 612 345 678", f"البلاغ {code} (مصباح مشتعل نهارًا): تمت المعالجة.")


def test_addresses_stay_sealed_in_the_database(sessions, engine, request_id: int) -> None:
    subscribe(sessions, request_id, email="karim@example.org", phone="0698765432", lang="fr")
    move(sessions, request_id, "acknowledged")
    assert len(queued(sessions)) == 4
    with engine.connect() as connection:
        dump = repr([connection.execute(select(table)).all()
                     for table in (OutboxMessage.__table__, RequestSubscription.__table__, ServiceRequest.__table__)])
    for clear in ("salma@example.org", "karim@example.org", "612 345 678", "0698765432", "سلمى", "Karim"):
        assert clear not in dump


def test_without_a_language_the_commune_default_is_used(sessions, request_id: int) -> None:
    subscribe(sessions, request_id, email="nolang@example.org")
    with sessions.begin() as db:
        request = db.get_one(ServiceRequest, request_id)
        assert notifications.announce(db, SECRET, request, "") == 3  # and the reporter's email and SMS
    assert queued(sessions)["email", "nolang@example.org"].subject.startswith("Le signalement ")  # French
    with sessions.begin() as db:
        db.execute(OutboxMessage.__table__.delete())
        notifications.announce(db, SECRET, db.get_one(ServiceRequest, request_id), "", default_language="en")
    assert queued(sessions)["email", "nolang@example.org"].subject.startswith("The report ")


def test_internal_notes_and_silent_requests_send_nothing(sessions, request_id: int) -> None:
    with sessions.begin() as db:
        agent = accounts.find_user(db, "agent")
        assert agent is not None
        requests.add_note(db, SECRET, agent, db.get_one(ServiceRequest, request_id), "Câble à commander", False)
    assert queued(sessions) == {}
    with sessions.begin() as db:
        anonymous = requests.submit(db, Submission("LIGHT_DAY", lat=str(LAT), long=str(LON)), SECRET, "web",
                                    "citizen")
        assert notifications.announce(db, SECRET, anonymous, "Réparé") == 0


def test_a_long_note_makes_a_short_sms(sessions, request_id: int) -> None:
    move(sessions, request_id, "in_progress", note="ت" * 2000)
    sms = queued(sessions)["sms", "+212 612 345 678"]
    assert len(sms.body) == notifications.SMS_LENGTH and sms.body.endswith("…")
    assert len(queued(sessions)["email", "salma@example.org"].body) > 2000  # the email carries the whole note


def test_subscribe_checks_the_contact(sessions, request_id: int) -> None:
    for contact, where in (({"first_name": "Karim"}, "email"), ({"email": "not-an-address"}, "email"),
                           ({"phone": "call me"}, "phone")):
        with pytest.raises(MajalError) as refused:
            subscribe(sessions, request_id, **contact)
        assert refused.value.where == where
    made = subscribe(sessions, request_id, email=" karim@example.org ", lang="xx", nickname="ignored")
    assert crypto.unseal(SECRET, CONTACT_PURPOSE, made.contact_sealed) == {
        "email": "karim@example.org", "lang": ""}
