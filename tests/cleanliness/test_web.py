"""The cleanliness API and console: readings and emptyings over HTTP, who may do what, the plan's pages, and overflow
reports pinned to the nearest container."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service as accounts
from majal.cleanliness import repository, service
from majal.cleanliness.models import Container, FillReading
from majal.kit.errors import MajalError
from majal.requests import service as requests
from majal.requests.schemas import Submission
from tests.conftest import TEST_PASSWORD, csrf_from, sign_in


def _container_id(sessions: sessionmaker[Session], code: str) -> int:
    with sessions.begin() as db:
        return repository.by_codes(db, Container)[code]


def _api_key(sessions: sessionmaker[Session]) -> str:
    with sessions.begin() as db:
        return accounts.create_api_key(db, "sensor gateway")


def _cleanliness_agent(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as db:
        accounts.create_user(db, "collector", TEST_PASSWORD, "agent", "cleanliness", full_name="Collector")


def test_readings_over_http_with_an_api_key(client: TestClient, fleet: sessionmaker[Session]) -> None:
    key = {"X-API-Key": _api_key(fleet)}
    container_id = _container_id(fleet, "A1")
    url = f"/api/v1/cleanliness/containers/{container_id}/fill"
    at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    answer = client.post(url, json={"fill": 0.62, "at": at}, headers=key)
    assert answer.status_code == 201, answer.text
    assert answer.json()["fill"] == 0.62
    assert client.post(url, json={"fill": 1.5, "at": at}, headers=key).json()["detail"][0]["field"] == "fill"
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    refused = client.post(url, json={"fill": 0.5, "at": future}, headers=key)
    assert refused.status_code == 400 and refused.json()["detail"] == "at: This reading is dated in the future."
    assert client.post("/api/v1/cleanliness/containers/999999/fill", json={"fill": 0.5, "at": at},
                       headers=key).status_code == 404
    assert client.post(url, json={"fill": 0.5, "at": at}, headers={"X-API-Key": "wrong"}).status_code == 401
    with fleet.begin() as db:
        stored = db.query(FillReading).filter_by(container_id=container_id).all()
    assert [(r.fill, r.source) for r in stored] == [(0.62, "http")]

    emptied = client.post(f"/api/v1/cleanliness/containers/{container_id}/emptied",
                          json={"at": at, "truck": "BIG", "weight_kg": 80}, headers=key)
    assert emptied.status_code == 201, emptied.text
    assert client.post(f"/api/v1/cleanliness/containers/{container_id}/emptied",
                       json={"at": at, "truck": "NOPE"}, headers=key).status_code == 404
    with fleet.begin() as db:
        assert db.get(Container, container_id).last_emptied_at is not None  # type: ignore[union-attr]


def test_staff_post_readings_with_a_csrf_token_and_read_forecasts(client: TestClient,
                                                                  fleet: sessionmaker[Session]) -> None:
    _cleanliness_agent(fleet)
    sign_in(client, "collector")
    container_id = _container_id(fleet, "A3")
    url = f"/api/v1/cleanliness/containers/{container_id}/fill"
    now = datetime.now(UTC)
    body = {"fill": 0.3, "at": (now - timedelta(days=1)).isoformat()}
    assert client.post(url, json=body).status_code == 403  # a cookie alone is not enough: CSRF
    token = csrf_from(client, "/console/cleanliness")
    assert client.post(url, json=body, headers={"X-CSRF-Token": token}).status_code == 201
    body = {"fill": 0.5, "at": now.isoformat()}
    assert client.post(url, json=body, headers={"X-CSRF-Token": token}).status_code == 201
    forecast = client.get(f"/api/v1/cleanliness/containers/{container_id}/forecast").json()
    assert abs(forecast["rate_per_day"] - 0.2) < 1e-6
    assert forecast["last_fill"] == 0.5


def test_only_cleanliness_staff_see_the_console(client: TestClient, fleet: sessionmaker[Session], staff) -> None:
    sign_in(client, "agent")  # public lighting
    assert client.get("/console/cleanliness").status_code == 403
    client.cookies.clear()
    _cleanliness_agent(fleet)
    sign_in(client, "collector")
    page = client.get("/console/cleanliness")
    assert page.status_code == 200
    assert "ISO 37120 16.1" in page.text
    assert 'href="/console/cleanliness"' in client.get("/console").text


def test_plan_from_the_console_to_the_driver_sheet(client: TestClient, fleet: sessionmaker[Session]) -> None:
    _cleanliness_agent(fleet)
    sign_in(client, "collector")
    token = csrf_from(client, "/console/cleanliness")
    today = datetime.now(UTC).date().isoformat()
    refused = client.post("/console/cleanliness/plans", data={"csrf_token": token, "day": "soon"})
    assert refused.status_code == 400 and "day: Enter a date as YYYY-MM-DD." in refused.text
    queued = client.post("/console/cleanliness/plans", data={"csrf_token": token, "day": today, "seconds": "1"},
                         follow_redirects=False)
    assert queued.status_code == 303
    plan_url = queued.headers["location"]
    waiting = client.get(plan_url)
    assert 'http-equiv="refresh"' in waiting.text and "<progress" in waiting.text
    assert service.run_queued_plans(fleet) == 1
    done = client.get(plan_url)
    assert "plan-map" in done.text and 'http-equiv="refresh"' not in done.text
    plan_id = int(plan_url.rsplit("/", 1)[1])
    status = client.get(f"/api/v1/cleanliness/plans/{plan_id}").json()
    assert (status["status"], status["served"], status["due"]) == ("done", 4, 4)
    features = client.get(f"/api/v1/cleanliness/plans/{plan_id}/map").json()["features"]
    lines = [f for f in features if f["geometry"]["type"] == "LineString"]
    assert len(lines) == status["trucks_used"] and all(f["properties"]["route"] for f in lines)
    sheet_url = re.search(r'href="(/console/cleanliness/plans/\d+/routes/\d+)"', done.text)
    assert sheet_url
    sheet = client.get(sheet_url.group(1))
    assert sheet.status_code == 200 and "Landfill: unload" in sheet.text and "Garage" in sheet.text
    assert client.get(f"/console/cleanliness/plans/{plan_id}/routes/999999").status_code == 404


def test_overflow_reports_are_pinned_to_the_nearest_container_and_make_it_due(
        client: TestClient, fleet: sessionmaker[Session]) -> None:
    with fleet.begin() as db:
        requests.seed_catalogue(db)
        container = db.get(Container, repository.by_codes(db, Container)["A3"])
        assert container is not None
        container.frequency_days = 7
        container.last_emptied_at = datetime.now(UTC)
        requests.submit(db, Submission("BIN_FULL", "Overflowing", str(container.lat + 0.0002), str(container.lon)),
                        "secret", source="web", actor="test")
        requests.submit(db, Submission("BIN_FULL", "Far away", "34.93", "-2.335"), "secret", source="web",
                        actor="test")
    with fleet.begin() as db:
        now = datetime.now(UTC)
        pins = sorted(service.overflow_pins(db, now - timedelta(days=1), now + timedelta(minutes=1)),
                      key=lambda pin: pin.container_code)
        assert [pin.container_code for pin in pins] == ["", "A3"]
        assert 20 < (pins[1].metres or 0) < 25
        due = {d.container.code: d.reason for d in service.due_containers(db, now.date())}
        assert due["A3"] == "overflow"
        assert service.indicators(db, now.date()).overflow_reports == 2


@pytest.mark.parametrize("at", ["1999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00",
                                "9999-12-31T23:59:59-12:00", "2202-05-01T08:00:00+01:00"])
def test_readings_and_emptyings_outside_the_window_are_refused_with_the_range(
        client: TestClient, fleet: sessionmaker[Session], at: str) -> None:
    key = {"X-API-Key": _api_key(fleet)}
    container_id = _container_id(fleet, "A1")
    for kind, body in (("fill", {"fill": 0.5, "at": at}), ("emptied", {"at": at})):
        refused = client.post(f"/api/v1/cleanliness/containers/{container_id}/{kind}", json=body, headers=key)
        assert refused.status_code == 400, refused.text
        assert refused.json()["detail"].startswith("at: Enter a date from 2000-01-01 to ")
    with fleet.begin() as db:
        assert db.query(FillReading).count() == 0
        assert db.get(Container, container_id).last_emptied_at is None  # type: ignore[union-attr]


@pytest.mark.parametrize("day", ["1999-12-31", "0202-05-01", "9999-12-31"])
def test_a_plan_for_a_day_outside_the_window_is_refused_with_the_range(
        client: TestClient, fleet: sessionmaker[Session], day: str) -> None:
    _cleanliness_agent(fleet)
    sign_in(client, "collector")
    token = csrf_from(client, "/console/cleanliness")
    refused = client.post("/console/cleanliness/plans", data={"csrf_token": token, "day": day, "seconds": "1"})
    assert refused.status_code == 400 and "day: Enter a date from 2000-01-01 to " in refused.text
    with fleet.begin() as db:
        assert service.plans(db) == []
        with pytest.raises(MajalError, match="Enter a date from 2000-01-01"):
            service.queue_plan(db, date.fromisoformat(day), 1, 0.7, actor="cli")  # the CLI's way in
