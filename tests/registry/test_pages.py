"""Registry pages and JSON API through the app: the social worker's household page, the officer's dashboard, the
household's status page, with their role and commune checks."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service as accounts
from majal.kit import crypto
from majal.kit.audit import AuditEvent
from majal.registry import repository, service
from majal.registry.models import Cycle, Review
from tests.conftest import TEST_PASSWORD, csrf_from, sign_in
from tests.registry.test_service import population_files, small_population

SECRET = "test-secret-key"  # the app's key in the test settings


@pytest.fixture
def registry(sessions: sessionmaker[Session], staff: dict) -> dict[str, str]:
    households, members = small_population()
    with sessions.begin() as db:
        service.import_population(db, population_files(households, members), secret=SECRET, actor="test")
        accounts.create_user(db, "social.oujda", TEST_PASSWORD, "social_worker", commune_code="OUJDA")
        code = repository.household(db, 1).tracking_code
    return {"code": code}


def test_the_household_page_shows_score_thresholds_drivers_eligibility_and_asd(client: TestClient, registry,
                                                                               sessions) -> None:
    sign_in(client, "social")
    page = client.get("/console/registry/households/1")
    assert page.status_code == 200
    text = page.text
    assert "ASD-2023" in text and "9.743001" in text and "&lt;=" in text
    assert re.search(r"(raises|lowers) the index \([+-]\d\.\d{3}\)", text)
    assert "How the ASD amount is made" in text and "Child rank" in text
    with sessions.begin() as db:
        head = repository.household(db, 1).members[0]
        idcs = crypto.unseal_text(SECRET, service.IDCS_PURPOSE, head.idcs_sealed)
    assert idcs not in text  # identifiers only on request, with a reason
    shown = client.get("/console/registry/households/1", params={"identifiers": "true", "reason": "home visit"})
    assert idcs in shown.text
    refused = client.get("/console/registry/households/1", params={"identifiers": "true"})
    assert refused.status_code == 400 and idcs not in refused.text
    with sessions.begin() as db:
        reasons = [e.detail["reason"] for e in db.scalars(select(AuditEvent).where(
            AuditEvent.action == "registry.household.read", AuditEvent.actor == "social"))]
    assert "home visit" in reasons and len(reasons) == 3


def test_a_social_worker_of_another_commune_is_refused_the_page_and_the_api(client: TestClient, registry) -> None:
    sign_in(client, "social.oujda")
    assert client.get("/console/registry/households/1").status_code == 403
    assert client.get("/api/v1/registry/households/1").status_code == 403
    assert client.get("/api/v1/registry/households/3").status_code == 200  # their own commune's
    client.cookies.clear()
    sign_in(client, "social")
    answer = client.get("/api/v1/registry/households/1", params={"reason": "casework"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["computed"]["decisions"][0]["comparator"] == "<=" and body["members"][0]["idcs"] is None
    assert client.get("/api/v1/registry/households/3").status_code == 403
    assert client.get("/api/v1/registry/targeting").status_code == 403


def test_the_worker_corrects_verifies_and_reviews_through_the_page(client: TestClient, registry, sessions) -> None:
    sign_in(client, "social")
    token = csrf_from(client, "/console/registry/households/1")
    answer = client.post("/console/registry/households/1/correct", data={
        "csrf_token": token, "field": "cars", "value": "1", "reason": "seen at the visit"}, follow_redirects=False)
    assert answer.status_code == 303
    page = client.get("/console/registry/households/1").text
    assert "Corrected index" in page and "seen at the visit" in page
    bad = client.post("/console/registry/households/1/correct", data={
        "csrf_token": token, "field": "cars", "value": "-2", "reason": "typo"})
    assert bad.status_code == 400 and "negative" in bad.text
    with sessions.begin() as db:
        spouse = repository.household(db, 1).members[1].id
    no_head = client.post("/console/registry/households/1/correct", data={
        "csrf_token": token, "field": "relation", "value": "head", "reason": "x", "member_id": str(spouse)})
    assert no_head.status_code == 400 and "2 heads" in no_head.text
    with sessions.begin() as db:
        assert len(repository.changes(db, 1)) == 1  # the refused ones were undone whole
    assert client.post("/console/registry/households/1/review", data={"csrf_token": token, "reason": "asked"},
                       follow_redirects=False).status_code == 303
    with sessions.begin() as db:
        review = db.scalars(select(Review)).one()
    closed = client.post(f"/console/registry/reviews/{review.id}/close",
                         data={"csrf_token": token, "outcome": "Car removed."}, follow_redirects=False)
    assert closed.status_code == 303
    assert client.post("/console/registry/households/1/verify", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    worklist = client.get("/console/registry")
    assert worklist.status_code == 200 and "No review is open" in worklist.text


def test_the_household_sees_its_status_without_identifiers_and_asks_for_a_review(client: TestClient, registry,
                                                                                sessions) -> None:
    token = csrf_from(client, "/registry/status")
    wrong = client.post("/registry/status", data={"csrf_token": token, "code": registry["code"],
                                                  "birth_date": "1901-01-01"})
    assert wrong.status_code == 404 and "No household matches" in wrong.text
    page = client.post("/registry/status", data={"csrf_token": token, "code": registry["code"],
                                                 "birth_date": "1985-01-01"})
    assert page.status_code == 200 and registry["code"] in page.text
    assert "eligible" in page.text and "spouse" in page.text
    with sessions.begin() as db:
        for member in repository.household(db, 1).members:
            assert crypto.unseal_text(SECRET, service.IDCS_PURPOSE, member.idcs_sealed) not in page.text
    asked = client.post("/registry/review", data={"csrf_token": token, "code": registry["code"],
                                                  "birth_date": "1985-01-01", "reason": "We lost our jobs",
                                                  "phone": "0600000000"})
    assert asked.status_code == 200 and "registered" in asked.text
    again = client.post("/api/v1/registry/reviews", json={"tracking_code": registry["code"],
                                                           "birth_date": "1985-01-01", "reason": "again"})
    assert again.status_code == 409
    unknown = client.post("/api/v1/registry/reviews", json={"tracking_code": "ZZZZ-ZZZZ-ZZZZ",
                                                             "birth_date": "1985-01-01", "reason": "x"})
    assert unknown.status_code == 404
    with sessions.begin() as db:
        review = db.scalars(select(Review)).one()
        assert review.opened_by == "household" and review.contact_sealed


def load_survey(sessions, folder) -> None:
    """A small synthetic survey, loaded as `majal registry survey import` does."""
    from majal.registry.pmt import data, synth

    synth.write(synth.generate(2000, 11), folder, formats=("csv",), seed=11)
    with sessions.begin() as db:
        service.import_survey(db, data.read_population(folder, consumption=True), "", synth.REFERENCE_DATE, "test")


def test_the_officer_dashboard_shows_targeting_as_chart_and_table_and_runs_cycles(client: TestClient, registry,
                                                                                 sessions, tmp_path) -> None:
    sign_in(client, "officer")
    empty = client.get("/console/registry/dashboard")  # no survey yet: the page says how to load one
    assert empty.status_code == 200 and "majal registry survey import" in empty.text and "<svg" not in empty.text
    assert client.get("/api/v1/registry/targeting").status_code == 404
    load_survey(sessions, tmp_path)
    page = client.get("/console/registry/dashboard")
    assert page.status_code == 200
    assert "<svg" in page.text and "Exclusion error" in page.text and "Decile 10" in page.text
    assert "AUC" in page.text
    tried = client.get("/console/registry/dashboard", params={"programme": "amo_tadamon", "threshold": "9.0"})
    assert "9.0" in tried.text
    api = client.get("/api/v1/registry/targeting", params={"programme": "asd"}).json()
    assert len(api["coverage_by_decile"]) == 10 and 0.5 < api["auc"] <= 1
    token = csrf_from(client, "/console/registry/dashboard")
    made = client.post("/console/registry/cycles", data={"csrf_token": token, "programme": "asd",
                                                         "period": "2026-11", "commune": "BERKANE"},
                       follow_redirects=False)
    assert made.status_code == 303
    bad = client.post("/console/registry/cycles", data={"csrf_token": token, "programme": "asd", "period": "11/26"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.text
    with sessions.begin() as db:
        cycle = db.scalars(select(Cycle)).one()
    paid_early = client.post(f"/console/registry/cycles/{cycle.id}/advance", data={"csrf_token": token, "to": "paid"})
    assert paid_early.status_code == 409
    for step in ("approved", "paid"):
        assert client.post(f"/console/registry/cycles/{cycle.id}/advance", data={"csrf_token": token, "to": step},
                           follow_redirects=False).status_code == 303
    cycles = client.get("/api/v1/registry/cycles").json()
    assert cycles[0]["status"] == "paid" and cycles[0]["comparator"] == "<="
    assert client.get("/console/registry/households/1").status_code == 403  # officers do not read households


def test_a_draft_cycle_is_cancelled_from_the_dashboard_and_the_api(client: TestClient, registry, sessions) -> None:
    sign_in(client, "officer")
    token = csrf_from(client, "/console/registry/dashboard")
    for period in ("2026-10", "2026-11"):
        drawn = client.post("/console/registry/cycles", data={"csrf_token": token, "programme": "asd",
                                                              "period": period}, follow_redirects=False)
        assert drawn.status_code == 303
    with sessions.begin() as db:
        october, november = sorted(db.scalars(select(Cycle)), key=lambda c: c.period)
        october_id, november_id = october.id, november.id
    page = client.get("/console/registry/dashboard").text
    assert page.count('/cancel" class="inline-form"') == 2 and "Cancel the draft" in page
    no_reason = client.post(f"/console/registry/cycles/{october_id}/cancel", data={"csrf_token": token})
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    done = client.post(f"/console/registry/cycles/{october_id}/cancel",
                       data={"csrf_token": token, "reason": "Wrong month"}, follow_redirects=False)
    assert done.status_code == 303
    assert client.post(f"/console/registry/cycles/{october_id}/advance", data={"csrf_token": token, "to": "approved"}
                       ).status_code == 409
    unsigned = client.post(f"/api/v1/registry/cycles/{november_id}/cancel", json={"reason": "Wrong month"})
    assert unsigned.status_code == 403  # a cookie-signed call needs its CSRF token
    api = client.post(f"/api/v1/registry/cycles/{november_id}/cancel", json={"reason": "Wrong month"},
                      headers={"X-CSRF-Token": token})
    assert api.status_code == 200 and api.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/registry/cycles/{november_id}/cancel", json={"reason": "again"},
                       headers={"X-CSRF-Token": token}).status_code == 409
    assert client.post("/api/v1/registry/cycles/999999/cancel", json={"reason": "x"},
                       headers={"X-CSRF-Token": token}).status_code == 404
    page = client.get("/console/registry/dashboard").text
    assert '/cancel" class="inline-form"' not in page and page.count(">cancelled<") == 2
    with sessions.begin() as db:
        assert {c.status for c in db.scalars(select(Cycle))} == {"cancelled"}
        assert repository.entitlements(db, october_id) == repository.entitlements(db, november_id) == []


def test_the_entitlement_api_gives_the_breakdown_the_command_prints(client: TestClient, staff) -> None:
    from tests.registry.builders import child, household, member

    body = {"household": household(household_id=42, rooms=1, dwelling="rudimentary"),
            "members": [member(household_id=42, birth_date="1980-01-01"),
                        member(household_id=42, relation="spouse", sex="F", birth_date="1984-01-01"),
                        child(42, "2019-03-01", schooling="none"), child(42, "2012-05-05")],
            "year": 2026}
    for record in body["members"]:
        record["birth_date"] = str(record["birth_date"])
    assert client.post("/api/v1/registry/entitlement", json=body).status_code == 401
    sign_in(client, "manager")
    assert client.post("/api/v1/registry/entitlement", json=body).status_code == 403
    client.cookies.clear()
    sign_in(client, "officer")
    answer = client.post("/api/v1/registry/entitlement", json=body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["reference_date"] == "2026-12-31" and result["household_id"] == 42
    assert [line["rank"] for line in result["asd"]["children"]] == [1, 2]
    if result["asd"]["eligible"]:
        assert result["asd"]["monthly"] == max(500, sum(line["base"] for line in result["asd"]["children"]))
    body["members"][0]["idcs"] = "12"
    refused = client.post("/api/v1/registry/entitlement", json=body)
    assert refused.status_code == 400 and "idcs" in refused.json()["detail"]


def test_the_api_opens_identifiers_only_with_a_reason_and_records_it(client: TestClient, registry, sessions) -> None:
    sign_in(client, "social")
    url = "/api/v1/registry/households/1"
    for params in ({"identifiers": "true"}, {"identifiers": "true", "reason": "   "},
                   {"identifiers": "true", "reason": "visit\x00"}):
        refused = client.get(url, params=params)
        assert refused.status_code == 400, params
        assert refused.json()["detail"] == "reason: Say why you need the identifiers: the access is recorded." or \
            "NUL" in refused.json()["detail"]
    french = client.get(url, params={"identifiers": "true", "lang": "fr"}, headers={"Accept-Language": "fr"})
    assert french.status_code == 400 and "accès" in french.json()["detail"]
    assert client.get(url, params={"identifiers": "true", "reason": "x" * 201}).status_code == 422
    shown = client.get(url, params={"identifiers": "true", "reason": "school enrolment check"})
    assert shown.status_code == 200 and all(len(m["idcs"]) == 10 for m in shown.json()["members"])
    with sessions.begin() as db:
        reads = [e.detail for e in db.scalars(select(AuditEvent).where(
            AuditEvent.action == "registry.household.read", AuditEvent.actor == "social"))]
    assert reads == [{"reason": "school enrolment check", "identifiers": True}]  # the refused reads left nothing


def _nothing_changed(sessions) -> None:
    with sessions.begin() as db:
        assert repository.household(db, 1).commune == "BERKANE" and not repository.changes(db, 1)
        assert not db.scalars(select(AuditEvent).where(AuditEvent.action.in_(
            ["registry.household.correct", "registry.household.move"]))).all()


def test_a_social_worker_posting_the_commune_is_refused_on_the_page_and_the_api(client: TestClient, registry,
                                                                              sessions) -> None:
    sign_in(client, "social")
    token = csrf_from(client, "/console/registry/households/1")
    page = client.get("/console/registry/households/1").text
    assert 'value="commune"' not in page and 'value="cars"' in page  # not offered ...
    refused = client.post("/console/registry/households/1/correct", data={
        "csrf_token": token, "field": "commune", "value": "OUJDA", "reason": "they moved"})
    assert refused.status_code == 403 and "programme officer" in refused.text  # ... and refused when posted
    api = client.post("/api/v1/registry/households/1/corrections", headers={"X-CSRF-Token": token},
                      json={"field": "commune", "value": "OUJDA", "reason": "they moved"})
    assert api.status_code == 403 and api.json()["code"] == "forbidden" and "programme officer" in api.json()["detail"]
    _nothing_changed(sessions)
    corrected = client.post("/api/v1/registry/households/1/corrections", headers={"X-CSRF-Token": token},
                            json={"field": "cars", "value": "1", "reason": "seen at the visit"})
    assert corrected.status_code == 201, corrected.text
    body = corrected.json()
    assert body["change"]["field"] == "cars" and body["corrected"]["kind"] == "corrected"
    bad = client.post("/api/v1/registry/households/1/corrections", headers={"X-CSRF-Token": token},
                      json={"field": "cars", "value": "-1", "reason": "typo"})
    assert bad.status_code == 400 and "cars" in bad.json()["detail"]
    assert client.post("/api/v1/registry/households/3/corrections", headers={"X-CSRF-Token": token},
                       json={"field": "cars", "value": "1", "reason": "x"}).status_code == 403


def test_an_officer_moves_a_household_on_its_page_and_both_communes_read_the_move(client: TestClient, registry,
                                                                                 sessions) -> None:
    sign_in(client, "officer")
    dashboard = client.get("/console/registry/dashboard").text
    assert 'action="/console/registry/move"' in dashboard
    found = client.get("/console/registry/move", params={"number": "1"}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == "/console/registry/households/1/move"
    page = client.get("/console/registry/households/1/move")
    assert page.status_code == 200 and '<option value="OUJDA"' in page.text
    assert '<option value="BERKANE"' not in page.text  # where it is already
    token = csrf_from(client, "/console/registry/households/1/move")
    empty = client.post("/console/registry/households/1/move", data={"csrf_token": token, "reason": "  "})
    assert empty.status_code == 400
    assert 'href="#move-commune"' in empty.text and 'href="#move-reason"' in empty.text  # the summary links
    assert empty.text.count('aria-invalid="true"') == 2
    assert "Choose the commune the household moves to." in empty.text and "Say why the household moves." in empty.text
    unknown = client.post("/console/registry/households/1/move", data={
        "csrf_token": token, "commune": "RABAT", "reason": "kept on a round trip"})
    assert unknown.status_code == 400 and "kept on a round trip</textarea>" in unknown.text
    _nothing_changed(sessions)
    done = client.post("/console/registry/households/1/move", data={
        "csrf_token": token, "commune": "OUJDA", "reason": "Rental contract in Oujda seen"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("/households/1/move?moved=true")
    banner = client.get(done.headers["location"]).text
    assert "Household 1 moved from BERKANE to OUJDA." in banner and "Rental contract in Oujda seen" in banner
    assert client.get("/console/registry/households/1").status_code == 403  # officers still do not read files
    client.cookies.clear()
    sign_in(client, "social")  # BERKANE's worker: told where it went, with the move's reason
    left = client.get("/console/registry/households/1")
    assert left.status_code == 200 and "moved from your commune to the commune OUJDA" in left.text
    assert "Rental contract in Oujda seen" in left.text and "Members" not in left.text
    api = client.get("/api/v1/registry/households/1")
    assert api.status_code == 403 and api.json()["code"] == "household_moved" and "OUJDA" in api.json()["detail"]
    moves = client.get("/api/v1/registry/households/1/moves").json()
    assert moves["commune"] == "OUJDA" and moves["moves"][0]["old_commune"] == "BERKANE"
    assert client.get("/console/registry/households/1/move").status_code == 403  # workers do not move households
    client.cookies.clear()
    sign_in(client, "social.oujda")  # OUJDA's worker: the whole file, the move in its history
    file = client.get("/console/registry/households/1")
    assert file.status_code == 200 and "Members" in file.text and "Rental contract in Oujda seen" in file.text


def test_the_move_api_for_officers(client: TestClient, registry, sessions) -> None:
    sign_in(client, "social")
    token = {"X-CSRF-Token": csrf_from(client)}
    body = {"commune": "OUJDA", "reason": "they moved"}
    assert client.post("/api/v1/registry/households/1/move", json=body, headers=token).status_code == 403
    _nothing_changed(sessions)
    client.cookies.clear()
    sign_in(client, "officer")
    token = {"X-CSRF-Token": csrf_from(client)}
    refused = client.post("/api/v1/registry/households/1/move", json={"commune": "RABAT", "reason": ""},
                          headers=token)
    assert refused.status_code == 400 and "RABAT" in refused.json()["detail"] and "reason" in refused.json()["detail"]
    assert client.post("/api/v1/registry/households/999/move", json=body, headers=token).status_code == 404
    _nothing_changed(sessions)
    moved = client.post("/api/v1/registry/households/1/move", json=body, headers=token)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["old_commune"], moved.json()["new_commune"], moved.json()["actor"]) == (
        "BERKANE", "OUJDA", "officer")
    again = client.post("/api/v1/registry/households/1/move", json=body, headers=token)
    assert again.status_code == 400 and "already" in again.json()["detail"]
