"""The managers' dashboard: who sees which department, what the page shows, and the heat layer's data."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from majal.kit.audit import utcnow
from majal.requests import demo, service
from majal.territory import service as territory
from tests.conftest import sign_in

PAGE = "/console/requests/dashboard"
HEAT = "/api/v1/requests/heat"


@pytest.fixture
def history(sessions: sessionmaker[Session], demo_territory: None) -> None:
    """A few hundred past requests over the demo commune, as `majal demo` loads them."""
    with sessions.begin() as db:
        service.seed_catalogue(db)
        current = territory.overview(db)
        sla = {chosen.code: chosen.sla_hours for chosen in service.services(db)}
        past = demo.history([d.geometry for d in current.districts], [d.population for d in current.districts],
                            sla, now=utcnow(), count=400)
        service.load_history(db, past, [d.id for d in current.districts], actor="test")


def test_a_manager_sees_every_department(client: TestClient, staff: dict, history: None) -> None:
    sign_in(client, "manager")
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1
    assert "Lamp out" in html and "Overflowing container" in html and "Pothole" in html
    assert 'role="img"' in html and 'class="bar-table"' in html  # a line chart and bar charts
    assert 'id="heat-map"' in html and 'data-heat-url="/api/v1/requests/heat"' in html
    assert "<script>" not in html and "style=" not in html  # the CSP allows neither
    assert 'href="/console"' in html


def test_an_agent_sees_only_their_department(client: TestClient, staff: dict, history: None,
                                             sessions: sessionmaker[Session]) -> None:
    sign_in(client, "agent")  # a lighting agent
    html = client.get(PAGE).text
    assert "Lamp out" in html and "Lamp lit in daytime" in html
    assert "Overflowing container" not in html and "Pothole" not in html
    with sessions.begin() as db:
        lighting = service.dashboard(db, department="lighting")
        everything = service.dashboard(db)
    assert 0 < lighting.total < everything.total
    assert {group.key for group in lighting.by_service} <= {"LIGHT_OUT", "LIGHT_DAY", "POLE_DAMAGED"}
    heat = client.get(HEAT).json()
    assert heat["open"] == lighting.open
    assert sum(point[2] for point in heat["points"]) == lighting.open  # every demo request has a location


def test_the_page_speaks_arabic_right_to_left(client: TestClient, staff: dict, history: None) -> None:
    sign_in(client, "manager")
    html = client.get(PAGE, params={"lang": "ar"}).text
    assert 'dir="rtl"' in html
    assert "<h1>لوحة قيادة طلبات الخدمة</h1>" in html
    # Time runs in the reading direction: the first month's point is to the right of the last one's.
    points = re.search(r'<polyline class="line series-1" points="([^"]+)"', html)
    assert points
    xs = [float(pair.split(",")[0]) for pair in points.group(1).split()]
    assert xs[0] > xs[-1]


def test_anonymous_visitors_are_refused(client: TestClient, history: None) -> None:
    assert client.get(PAGE).status_code == 401
    assert client.get(HEAT).status_code == 401


def test_the_heat_layer_carries_counts_on_a_grid_and_no_personal_data(client: TestClient, staff: dict,
                                                                     history: None) -> None:
    sign_in(client, "manager")
    answer = client.get(HEAT)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"points", "open"}
    assert body["points"] and body["open"] >= sum(point[2] for point in body["points"]) > 0
    for lat, lon, count in body["points"]:
        assert 34.8 < lat < 35.1 and -2.5 < lon < -2.1 and count >= 1
    text = answer.text.lower()
    for personal in ("description", "tracking", "token", "email", "phone", "name", "address", "contact"):
        assert personal not in text


def test_an_empty_commune_gets_a_calm_page(client: TestClient, staff: dict, demo_territory: None) -> None:
    sign_in(client, "admin")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "No service requests yet" in page.text
    assert client.get(HEAT).json() == {"points": [], "open": 0}
