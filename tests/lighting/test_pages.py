"""The lighting department's pages and the lamp GeoJSON: who may open them and what they show."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from majal.lighting import service
from majal.lighting.models import WorkOrder
from tests.conftest import csrf_from, sign_in
from tests.lighting.test_faults import MIDNIGHT, state

PAGES = ["/console/lighting", "/console/lighting/map", "/console/lighting/work-orders",
         "/console/lighting/retrofit"]


@pytest.fixture
def faulty(sessions, inventory) -> int:
    with sessions.begin() as db:
        (order,) = service.record_state(db, "P-1", state(False, 0, 0, MIDNIGHT))
        return order.id


@pytest.mark.parametrize("path", PAGES)
def test_lighting_pages_open_for_the_lighting_agent(client, staff, faulty, path: str) -> None:
    sign_in(client, "agent")
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.text.count("<h1") == 1


@pytest.mark.parametrize("username", ["social", "inspector"])
def test_other_staff_are_refused(client, staff, faulty, username: str) -> None:
    sign_in(client, username)
    assert client.get("/console/lighting").status_code == 403
    assert client.get("/api/v1/lighting/streetlights").status_code == 403


def test_overview_shows_kpis_and_monthly_energy_table(client, staff, faulty) -> None:
    sign_in(client, "manager")
    text = client.get("/console/lighting").text
    assert "Faults per 1,000 lamps" in text and "Mean time to repair" in text
    assert "66.7 %" in text  # two of three lamps work
    assert 'class="line-chart-svg"' in text and "<td class=\"num\">" in text


def test_geojson_of_lamps_with_state_and_bbox(client, staff, faulty) -> None:
    sign_in(client, "agent")
    everything = client.get("/api/v1/lighting/streetlights").json()
    states = {f["properties"]["pole_number"]: f["properties"]["state"] for f in everything["features"]}
    assert states == {"P-1": "fault", "P-2": "working", "P-3": "working"}
    boxed = client.get("/api/v1/lighting/streetlights", params={"bbox": "-2.3205,34.9199,-2.3199,34.9205"}).json()
    assert sorted(f["properties"]["pole_number"] for f in boxed["features"]) == ["P-1", "P-2"]
    assert client.get("/api/v1/lighting/streetlights", params={"bbox": "1,2,3"}).status_code == 400
    assert client.get("/api/v1/lighting/streetlights", params={"bbox": "5,2,3,4"}).status_code == 400


def test_cabinet_page_lists_its_lamps_and_programme(client, staff, faulty, sessions) -> None:
    with sessions() as db:
        cabinet = next(c for c in service.cabinet_list(db) if c.code == "CAB-A")
    sign_in(client, "agent")
    text = client.get(f"/console/lighting/cabinets/{cabinet.id}").text
    assert "P-1" in text and "P-2" in text and "P-3" not in text
    assert "dusk-dawn@100" in text
    assert client.get("/console/lighting/cabinets/999999").status_code == 404


def test_work_order_moves_through_the_queue(client, staff, faulty, sessions) -> None:
    sign_in(client, "agent")
    token = csrf_from(client, "/console/lighting/work-orders")
    answer = client.post(f"/console/lighting/work-orders/{faulty}/status",
                         data={"target": "in_progress", "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    answer = client.post(f"/console/lighting/work-orders/{faulty}/status",
                         data={"target": "open", "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 409
    with sessions() as db:
        assert db.scalar(select(WorkOrder.status).where(WorkOrder.id == faulty)) == "in_progress"


def test_retrofit_page_computes_payback(client, staff, faulty) -> None:
    sign_in(client, "manager")
    text = client.get("/console/lighting/retrofit", params={"technology": "", "led_power_w": 60,
                                                            "unit_price_mad": 2500}).text
    assert re.search(r'id="payback">[\d.,]+ years<', text)
    assert 'id="chart-payback-caption"' in text
    refused = client.get("/console/lighting/retrofit", params={"led_power_w": 50000})
    assert refused.status_code == 400 and "not a plausible streetlight power" in refused.text


def test_fault_months_count_openings_and_repairs(sessions, inventory, staff) -> None:
    from datetime import UTC, datetime, timedelta

    from majal.accounts import service as accounts

    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    with sessions.begin() as db:
        (order,) = service.record_state(db, "P-1", state(False, 0, 0, MIDNIGHT))
        order.opened_at = now - timedelta(days=40)  # 14 October
        service.move_work_order(db, accounts.find_user(db, "agent"), order.id, "repaired", "")
        order.closed_at = order.opened_at + timedelta(hours=50)
    with sessions() as db:
        months = service.fault_months(db, now)
    assert [m.month.isoformat() for m in months][-2:] == ["2026-10-01", "2026-11-01"]
    assert months[0].month.isoformat() == "2025-12-01" and len(months) == 12
    assert (months[-2].opened, months[-2].repaired, months[-2].mean_hours_to_repair) == (1, 1, 50.0)
    assert sum(m.opened for m in months) == 1


def test_programmes_page_refuses_overlaps_and_assigns_to_a_cabinet(client, staff, inventory, sessions) -> None:
    sign_in(client, "agent")
    token = csrf_from(client, "/console/lighting/programmes")
    refused = client.post("/console/lighting/programmes", data={
        "code": "BAD", "name": "Bad", "steps": "dusk-23:00@100, 22:30-dawn@50", "csrf_token": token})
    assert refused.status_code == 400
    assert "Steps 1 and 2 overlap on the night of" in refused.text
    assert 'value="dusk-23:00@100, 22:30-dawn@50"' in refused.text  # kept for correcting
    saved = client.post("/console/lighting/programmes", data={
        "code": "ECO50", "name": "Eco", "steps": "dusk-23:00@100, 23:00-05:00@50, 05:00-dawn@100",
        "csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303
    assert "dusk-23:00@100, 23:00-05:00@50, 05:00-dawn@100" in client.get("/console/lighting/programmes").text
    with sessions() as db:
        cabinet = next(c for c in service.cabinet_list(db) if c.code == "CAB-B")
        assert [p.code for p in service.programme_list(db)] == ["ECO50"]
    moved = client.post(f"/console/lighting/cabinets/{cabinet.id}/programme",
                        data={"programme": "ECO50", "csrf_token": token}, follow_redirects=False)
    assert moved.status_code == 303
    assert "05:00-dawn@100" in client.get(f"/console/lighting/cabinets/{cabinet.id}").text
    assert client.post(f"/console/lighting/cabinets/{cabinet.id}/programme",
                       data={"programme": "NOPE", "csrf_token": token}).status_code == 404
