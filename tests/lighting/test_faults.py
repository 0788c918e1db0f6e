"""Telemetry and faults: a state message is stored, rules open one work order per faulty lamp, citizen reports of the
same pole (within 25 m) are joined to it, and the work order's life gives the time to repair."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from majal.accounts import service as accounts
from majal.kit.errors import Conflict, Forbidden, NotFound
from majal.lighting import service
from majal.lighting.models import Reading, WorkOrder
from majal.lighting.schemas import LampState
from majal.requests import service as requests
from majal.requests.schemas import Submission

# 2026-11-20 at Berkane: civil dusk ~18:00 local, civil dawn ~07:20 local (UTC+1).
MIDNIGHT = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # 00:00 local: deep night
NOON = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)


def state(on: bool, level: float, power_w: float, at: datetime) -> LampState:
    return LampState(on=on, level=level, power_w=power_w, at=at)


def orders(sessions) -> list[WorkOrder]:
    with sessions() as db:
        return list(db.scalars(select(WorkOrder).order_by(WorkOrder.id)))


def test_a_normal_night_reading_is_stored_without_a_fault(sessions, inventory) -> None:
    # P-1: 150 W sodium on CAB-A (no programme: full power all night) draws 150 × 1.12 = 168 W.
    with sessions.begin() as db:
        assert service.record_state(db, "P-1", state(True, 100, 165, MIDNIGHT)) == []
    with sessions() as db:
        assert db.scalar(select(func.count(Reading.id))) == 1
        light = service.streetlight_by_pole(db, "P-1")
        assert (light.state_on, light.state_power_w) == (True, 165)
    assert orders(sessions) == []


@pytest.mark.parametrize(("reading", "fault"), [
    (state(False, 0, 0, MIDNIGHT), "out_at_night"),
    (state(True, 100, 168, NOON), "lit_by_day"),
    (state(True, 100, 320, MIDNIGHT), "power_deviation"),
])
def test_each_rule_opens_a_work_order(sessions, inventory, reading: LampState, fault: str) -> None:
    with sessions.begin() as db:
        service.record_state(db, "P-1", reading)
    found = orders(sessions)
    assert [(order.fault, order.status) for order in found] == [(fault, "open")]


def test_a_second_fault_on_the_same_lamp_joins_the_open_work_order(sessions, inventory) -> None:
    with sessions.begin() as db:
        service.record_state(db, "P-1", state(False, 0, 0, MIDNIGHT))
        service.record_state(db, "P-1", state(False, 0, 0, MIDNIGHT + timedelta(hours=1)))
        service.record_state(db, "P-1", state(True, 100, 168, NOON + timedelta(days=1)))
    found = orders(sessions)
    assert len(found) == 1 and "lit_by_day" in found[0].detail


def test_an_unknown_lamp_is_refused_and_nothing_is_stored(sessions, inventory) -> None:
    with pytest.raises(NotFound), sessions.begin() as db:
        service.record_state(db, "P-404", state(False, 0, 0, MIDNIGHT))
    with sessions() as db:
        assert db.scalar(select(func.count(Reading.id))) == 0


def report(db, lon: float, lat: float) -> int:
    submission = Submission("LIGHT_OUT", "", str(lat), str(lon), attributes={"extent": ["one"]})
    return requests.submit(db, submission, "secret", source="web", actor="test").id


def test_citizen_reports_within_25_m_are_joined_and_farther_ones_are_not(sessions, inventory) -> None:
    with sessions.begin() as db:
        requests.seed_catalogue(db)
        near = report(db, -2.3201, 34.92028)  # ~20 m north of P-1
        far = report(db, -2.3201, 34.9205)  # ~44 m north
    with sessions.begin() as db:
        service.record_state(db, "P-1", state(False, 0, 0, MIDNIGHT))
    (order,) = orders(sessions)
    assert [(link.service_request_id, 15 < link.distance_m < 25) for link in order.links] == [(near, True)]
    assert far not in [link.service_request_id for link in order.links]


def test_the_work_order_life_gives_the_time_to_repair(sessions, inventory, staff) -> None:
    with sessions.begin() as db:
        (order,) = service.record_state(db, "P-1", state(False, 0, 0, MIDNIGHT))
        order.opened_at = datetime.now(UTC) - timedelta(hours=30)
        order_id = order.id
    with sessions.begin() as db:
        agent = accounts.find_user(db, "agent")
        service.move_work_order(db, agent, order_id, "in_progress", "")
        service.move_work_order(db, agent, order_id, "repaired", "Lamp and ignitor replaced")
    with sessions() as db:
        figures = service.kpis(db)
    assert figures.mean_hours_to_repair == pytest.approx(30, abs=0.1)
    assert figures.working_share == 1.0 and figures.faults_per_1000 == pytest.approx(1000 / 3)
    with pytest.raises(Conflict), sessions.begin() as db:
        service.move_work_order(db, accounts.find_user(db, "agent"), order_id, "in_progress", "")


def test_only_lighting_staff_work_on_work_orders(sessions, inventory, staff) -> None:
    with sessions.begin() as db:
        (order,) = service.record_state(db, "P-1", state(False, 0, 0, MIDNIGHT))
        order_id = order.id
    for username in ("social", "inspector"):
        with pytest.raises(Forbidden), sessions.begin() as db:
            service.move_work_order(db, accounts.find_user(db, username), order_id, "repaired", "")
    assert orders(sessions)[0].status == "open"


def test_reports_made_before_any_fault_open_or_join_work_orders(sessions, inventory) -> None:
    with sessions.begin() as db:
        requests.seed_catalogue(db)
        near = report(db, -2.3202, 34.92035)  # ~17 m from P-2, ~25 m+ from P-1
        report(db, -2.3100, 34.9150)  # no lamp within 25 m
    with sessions.begin() as db:
        result = service.join_citizen_reports(db, actor="test")
    assert (result.joined, result.opened) == (0, 1)
    (order,) = orders(sessions)
    assert (order.fault, order.streetlight.pole_number) == ("citizen_report", "P-2")
    assert [link.service_request_id for link in order.links] == [near]
    with sessions.begin() as db:
        assert service.join_citizen_reports(db, actor="test") == service.JoinResult(0, 0)
        service.record_state(db, "P-2", state(False, 0, 0, MIDNIGHT))
    assert len(orders(sessions)) == 1


def test_a_late_message_is_stored_but_opens_no_work_order(sessions, inventory) -> None:
    with sessions.begin() as db:
        assert service.record_state(db, "P-1", state(True, 100, 168, MIDNIGHT)) == []
        assert service.record_state(db, "P-1", state(False, 0, 0, MIDNIGHT - timedelta(hours=1))) == []
        light = service.streetlight_by_pole(db, "P-1")
        assert light.state_on is True
    with sessions() as db:
        assert db.scalar(select(func.count(Reading.id))) == 2
    assert orders(sessions) == []


def test_repairing_resolves_the_joined_citizen_reports(sessions, inventory, staff) -> None:
    from majal.requests.models import ServiceRequest

    with sessions.begin() as db:
        requests.seed_catalogue(db)
        near = report(db, -2.3201, 34.92028)
    with sessions.begin() as db:
        (order,) = service.record_state(db, "P-1", state(False, 0, 0, MIDNIGHT))
        order_id = order.id
    with sessions.begin() as db:
        service.move_work_order(db, accounts.find_user(db, "agent"), order_id, "repaired", "", secret="secret")
    with sessions() as db:
        joined = db.get(ServiceRequest, near)
        assert joined is not None and joined.status == "resolved"
        assert joined.status_notes == "The lamp has been repaired."
