"""The staff console: each department sees its own queue; the workflow, notes, assignment, duplicates, contact."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service as accounts
from majal.kit.audit import AuditEvent
from majal.kit.outbox import OutboxMessage
from majal.requests import service as requests
from majal.requests.models import RequestEvent, RequestSubscription, ServiceRequest
from majal.requests.schemas import Contact, Submission
from majal.territory.demo import BERKANE_CENTRE
from tests.conftest import TEST_PASSWORD, csrf_from, sign_in

LON, LAT = BERKANE_CENTRE
SECRET = "test-secret-key"


@pytest.fixture
def queue(sessions: sessionmaker[Session], staff: dict, demo_territory) -> dict[str, int]:
    """A lamp out (lighting) with a reporter's email, and a pothole (roads); returns their ids."""
    with sessions.begin() as db:
        requests.seed_catalogue(db)
        accounts.create_user(db, "roads.agent", TEST_PASSWORD, "agent", "roads")
        lamp = requests.submit(db, Submission("LIGHT_OUT", "Lampe", str(LAT), str(LON),
                                              attributes={"extent": ["one"]},
                                              contact=Contact(email="amina@example.ma", lang="ar")),
                               SECRET, source="web", actor="citizen")
        hole = requests.submit(db, Submission("POTHOLE", "Trou", str(LAT), str(LON), attributes={"size": ["large"]}),
                               SECRET, source="web", actor="citizen")
        return {"lamp": lamp.id, "hole": hole.id}


def act(client: TestClient, request_id: int, action: str, **form: str):
    token = csrf_from(client, f"/console/requests/{request_id}")
    return client.post(f"/console/requests/{request_id}/{action}", data={"csrf_token": token, **form},
                       follow_redirects=False)


def test_an_agent_sees_only_their_department(client: TestClient, queue: dict) -> None:
    sign_in(client, "agent")  # lighting
    page = client.get("/console/requests").text
    assert f"/console/requests/{queue['lamp']}" in page and f"/console/requests/{queue['hole']}" not in page
    assert client.get(f"/console/requests/{queue['hole']}").status_code == 403
    assert act(client, queue["hole"], "status", target="resolved").status_code == 403


def test_a_manager_sees_every_department(client: TestClient, queue: dict) -> None:
    sign_in(client, "manager")
    page = client.get("/console/requests").text
    assert f"/console/requests/{queue['lamp']}" in page and f"/console/requests/{queue['hole']}" in page
    roads_only = client.get("/console/requests", params={"department": "roads"}).text
    assert f"/console/requests/{queue['lamp']}" not in roads_only


def test_social_workers_have_no_request_queue(client: TestClient, queue: dict) -> None:
    sign_in(client, "social")
    assert client.get("/console/requests").status_code == 403


def test_workflow_with_public_update_and_notification(client: TestClient, queue: dict, sessions) -> None:
    sign_in(client, "agent")
    assert act(client, queue["lamp"], "status", target="in_progress", note="Équipe envoyée").status_code == 303
    assert act(client, queue["lamp"], "status", target="resolved", note="Lampe remplacée").status_code == 303
    public = client.get(f"/requests/{queue['lamp']}").text
    assert "Lampe remplacée" in public and "Résolue" in client.get(f"/requests/{queue['lamp']}?lang=fr").text
    with sessions() as db:
        stored = db.get(ServiceRequest, queue["lamp"])
        assert stored.status == "resolved" and stored.resolved_at is not None
        assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 2  # one email per public change


def test_impossible_transitions_are_refused(client: TestClient, queue: dict, sessions) -> None:
    sign_in(client, "agent")
    assert act(client, queue["lamp"], "status", target="resolved").status_code == 303
    refused = act(client, queue["lamp"], "status", target="new")
    assert refused.status_code == 400 and "cannot become" in refused.text
    bogus = act(client, queue["lamp"], "status", target="<script>")
    assert bogus.status_code == 400 and "<script>" not in bogus.text
    with sessions() as db:
        assert db.get(ServiceRequest, queue["lamp"]).status == "resolved"


def test_internal_notes_stay_internal(client: TestClient, queue: dict, sessions) -> None:
    sign_in(client, "agent")
    assert act(client, queue["lamp"], "note", note="Câble volé, voir police", visibility="internal").status_code == 303
    assert "Câble volé" in client.get(f"/console/requests/{queue['lamp']}").text
    assert "Câble volé" not in client.get(f"/requests/{queue['lamp']}").text
    assert "Câble volé" not in client.get(f"/open311/v2/requests/{queue['lamp']}.json").text
    assert act(client, queue["lamp"], "note", note="  ", visibility="public").status_code == 400
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_assignment_within_the_department_only(client: TestClient, queue: dict, sessions) -> None:
    sign_in(client, "manager")
    assert act(client, queue["lamp"], "assign", assignee="agent").status_code == 303
    refused = act(client, queue["lamp"], "assign", assignee="roads.agent")
    assert refused.status_code == 400
    with sessions() as db:
        assert db.get(ServiceRequest, queue["lamp"]).assigned_to_id == accounts.find_user(db, "agent").id


def test_duplicates_hand_their_followers_to_the_original(client: TestClient, queue: dict, sessions) -> None:
    with sessions.begin() as db:
        second = requests.submit(db, Submission("LIGHT_OUT", "Même lampe", str(LAT), str(LON),
                                                attributes={"extent": ["one"]},
                                                contact=Contact(phone="+212600000000")),
                                 SECRET, source="web", actor="citizen").id
    sign_in(client, "agent")
    assert act(client, second, "duplicate", original=str(queue["lamp"])).status_code == 303
    assert act(client, second, "duplicate", original=str(second)).status_code == 400
    assert act(client, queue["lamp"], "duplicate", original=str(queue["hole"])).status_code == 403
    with sessions() as db:
        assert db.get(ServiceRequest, second).duplicate_of_id == queue["lamp"]
        followers = db.scalars(select(RequestSubscription).where(RequestSubscription.request_id == queue["lamp"]))
        assert len(list(followers)) == 1


def test_contact_details_are_shown_on_demand_and_audited(client: TestClient, queue: dict, sessions) -> None:
    sign_in(client, "agent")
    assert "amina@example.ma" not in client.get(f"/console/requests/{queue['lamp']}").text
    assert "amina@example.ma" in client.get(f"/console/requests/{queue['lamp']}?contact=1").text
    with sessions() as db:
        reads = db.scalars(select(AuditEvent).where(AuditEvent.action == "request.contact.read")).all()
        assert [(r.actor, r.object_id) for r in reads] == [("agent", str(queue["lamp"]))]
        assert "amina" not in str(reads[0].detail)


def test_filters(client: TestClient, queue: dict, sessions) -> None:
    sign_in(client, "manager")
    page = client.get("/console/requests", params={"service_code": "POTHOLE", "status": ["new"]}).text
    assert f"/console/requests/{queue['hole']}" in page and f"/console/requests/{queue['lamp']}" not in page
    assert f"/console/requests/{queue['hole']}" not in client.get("/console/requests?overdue=true").text
    with sessions() as db:
        events = db.scalar(select(func.count()).select_from(RequestEvent))
    assert events == 2


ANSWERS = {  # a request per datatype (string, number, datetime, text, singlevaluelist, multivaluelist)
    "BIN_FULL": ({"container_number": ["C-17"], "bags_around": ["12"]},
                 ["Container number (if visible)", "C-17", "Bags lying around", "12"]),
    "DUMPING": ({"waste": ["rubble", "green"], "volume_m3": ["2.5"]},
                ["Kinds of waste", "Green waste, Rubble", "Approximate volume (m³)", "2.50"]),
    "LIGHT_DAY": ({"noticed_at": ["2026-11-20T08:30:00+01:00"]}, ["Since when?", "Nov 20, 2026"]),
    "UNSANITARY": ({"establishment": ["Café <b>Atlas</b>"], "details": ["Rats\nin the kitchen"]},
                   ["Name of the establishment", "Café &lt;b&gt;Atlas&lt;/b&gt;", "What did you see?", "Rats"]),
    "STRAY_DOGS": ({"behaviour": ["pack"], "bite": ["no"], "count": ["4"]}, ["About how many?", "4"]),
}


@pytest.mark.parametrize("code", sorted(ANSWERS))
def test_the_staff_page_shows_answers_of_every_datatype(client: TestClient, sessions, staff, demo_territory,
                                                        code: str) -> None:
    attributes, shown = ANSWERS[code]
    with sessions.begin() as db:
        requests.seed_catalogue(db)
        made = requests.submit(db, Submission(code, "Signalement", str(LAT), str(LON), attributes=attributes),
                               SECRET, source="web", actor="citizen").id
    sign_in(client, "admin")
    page = client.get(f"/console/requests/{made}")
    assert page.status_code == 200, page.text[:300]
    assert all(words in page.text for words in shown), [w for w in shown if w not in page.text]
    french = client.get(f"/console/requests/{made}", params={"lang": "fr"}).text
    assert code != "DUMPING" or ("Gravats" in french and "2,50" in french)


def test_an_answer_to_a_question_no_longer_asked_shows_under_its_code(client: TestClient, sessions, staff,
                                                                      demo_territory) -> None:
    with sessions.begin() as db:
        requests.seed_catalogue(db)
        made = requests.submit(db, Submission("BIN_FULL", "", str(LAT), str(LON)), SECRET, source="web",
                               actor="citizen")
        made.attribute_values = {"old_question": 3.75, "old_list": ["a", 2]}
        made_id = made.id
    sign_in(client, "admin")
    page = client.get(f"/console/requests/{made_id}")
    assert page.status_code == 200 and "old_question" in page.text and "3.75" in page.text and "a, 2" in page.text
